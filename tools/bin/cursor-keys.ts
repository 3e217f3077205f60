import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';

/**
 * HOOKRELAY_CURSOR_KEYS when set; else a key generated once and kept in the data folder (as the admin
 * token is), so list cursors handed out by one `npm run dev` still page in the next.
 */
export function devCursorKeys(dataDir: string): string {
  if (process.env.HOOKRELAY_CURSOR_KEYS) return process.env.HOOKRELAY_CURSOR_KEYS;
  const file = path.join(dataDir, 'cursor-keys');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const keys = newCursorKeyEntry('dev1');
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
}
