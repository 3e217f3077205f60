import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';
import { newEncryptionKeyEntry } from '../../src/secrets/encryption-keys.js';

/** The variable when set; else a value generated once and kept in the data folder under `file`. */
function keptInDataDir(dataDir: string, variable: string, file: string, generate: () => string): string {
  const set = process.env[variable];
  if (set) return set;
  const where = path.join(dataDir, file);
  if (existsSync(where)) return readFileSync(where, 'utf8').trim();
  const value = generate();
  writeFileSync(where, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * The credentials a development stack needs, each from its variable or kept in the data folder, so they
 * survive restarts: `npm run dev` and `npm run dev:cluster` print the same admin token, list cursors
 * handed out by one run still page in the next, and the secrets stored by one run open in the next.
 * Losing `encryption-keys` loses those secrets: the processes then refuse to start (delete .data to start
 * afresh).
 */
export function devCredentials(dataDir: string) {
  return {
    ADMIN_TOKEN: keptInDataDir(dataDir, 'ADMIN_TOKEN', 'admin-token', () => `adm_${randomBytes(24).toString('base64url')}`),
    HOOKRELAY_CURSOR_KEYS: keptInDataDir(dataDir, 'HOOKRELAY_CURSOR_KEYS', 'cursor-keys', () => newCursorKeyEntry('dev1')),
    HOOKRELAY_ENCRYPTION_KEYS: keptInDataDir(dataDir, 'HOOKRELAY_ENCRYPTION_KEYS', 'encryption-keys', () => newEncryptionKeyEntry('dev1')),
  };
}
