// `npm run reencrypt` (dist/bin/reencrypt.js in production): seals every stored secret under the newest
// key of HOOKRELAY_ENCRYPTION_KEYS, while the API and the workers run (docs/security.md, "Secrets at rest").
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { keyUse, resealSubscriptions } from '../db/sealed-subscriptions.js';
import { secretsAtStart } from '../secrets/at-start.js';

const config = loadConfig();
const pool = createPool(config.databaseUrl, 2);
try {
  // The same check as a start: every key id in use must be listed and open its values, else nothing is written.
  const keyring = await secretsAtStart(pool, config.encryptionKeys, 're-encryption');
  console.log(`sealing every stored secret under key "${keyring.currentId}"`);
  let done = 0;
  const { rows } = await resealSubscriptions(pool, keyring, {
    only: 'all',
    onBatch: (n) => {
      done += n;
      console.log(`  ${done} subscriptions re-sealed`);
    },
  });
  const left = (await keyUse(pool)).filter((use) => use.key_id !== keyring.currentId);
  console.log(`${rows} subscriptions re-sealed; ${left.length === 0 ? 'no value is sealed under another key' : 'still under other keys:'}`);
  // Values a process still running with an older key list sealed meanwhile: restart it with the new list, then run this again.
  for (const use of left) console.log(`  ${use.count} ${use.purpose} value(s) under "${use.key_id}"`);
  process.exitCode = left.length === 0 ? 0 : 3;
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await pool.end();
}
