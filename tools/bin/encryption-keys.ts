import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newEncryptionKeyEntry } from '../../src/secrets/encryption-keys.js';

/**
 * HOOKRELAY_ENCRYPTION_KEYS when set; else a key generated once and kept in the data folder beside the
 * database it seals, so the secrets stored by one `npm run dev` open in the next. Losing the file loses
 * them: the processes then refuse to start (delete .data to start afresh).
 */
export function devEncryptionKeys(dataDir: string): string {
  if (process.env.HOOKRELAY_ENCRYPTION_KEYS) return process.env.HOOKRELAY_ENCRYPTION_KEYS;
  const file = path.join(dataDir, 'encryption-keys');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const keys = newEncryptionKeyEntry('dev1');
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
}
