// What the API and the worker check about HOOKRELAY_ENCRYPTION_KEYS before they serve, and the sealing of rows left in plaintext.
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { keyUse, resealSubscriptions } from '../db/sealed-subscriptions.js';
import { ENCRYPTION_KEYS_VARIABLE, requireKeyring, SealedValueError, type EncryptionKey, type Keyring } from './encryption-keys.js';
import { PURPOSE } from './subscription-fields.js';

/**
 * The process's keyring, once the database agrees with it: every key id a stored value is sealed under
 * is in the variable, and each such key opens a sample of its values (a key with the right id but the
 * wrong bytes fails here, not at the first delivery). Then rows still in plaintext (written before
 * encryption at rest, or by an older process) are sealed. Throws an error naming the variable otherwise.
 */
export async function secretsAtStart(pool: Pool, keys: readonly EncryptionKey[] | undefined, who: string, logger?: Logger): Promise<Keyring> {
  const keyring = requireKeyring(keys, who);
  const problems: string[] = [];
  for (const use of await keyUse(pool)) {
    if (!keyring.has(use.key_id)) {
      problems.push(
        `${use.count} stored ${use.purpose} value(s) are sealed under key id "${use.key_id}", which is not in it (it holds ${keyring.ids.join(', ')})`,
      );
      continue;
    }
    try {
      keyring.open(use.sample, PURPOSE[use.purpose]);
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      problems.push(`key "${use.key_id}" does not open the ${use.purpose} values sealed under that id: it is not the key they were sealed with`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`${ENCRYPTION_KEYS_VARIABLE} does not open the stored secrets; the ${who} does not start:\n  ${problems.join('\n  ')}`);
  }
  const sealed = await resealSubscriptions(pool, keyring, { only: 'plaintext' });
  if (sealed.rows > 0) logger?.info({ rows: sealed.rows, keyId: keyring.currentId }, 'sealed subscriptions stored in plaintext');
  return keyring;
}
