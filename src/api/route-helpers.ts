// Checks more than one route file makes, beyond what the zod schemas say.
import type { CursorCodec, CursorScope } from '../db/cursor.js';
import { forbiddenLiteralHost } from '../delivery/address-policy.js';
import { invalid, type ErrorDetail } from './errors.js';

/** With the SSRF guard on, a URL naming a private or loopback address literally is refused up front. */
export function checkTarget(url: string | undefined, allowPrivateTargets: boolean): void {
  if (!url || allowPrivateTargets) return;
  const range = forbiddenLiteralHost(url);
  if (range) throw invalid([{ path: 'url', message: `points at a ${range} address, which hookrelay does not deliver to` }]);
}

/** The seq a list's `cursor` query value stands for; 400 naming `cursor` for one this API did not issue to this tenant for this list. */
export function cursorParam(cursors: CursorCodec, scope: CursorScope, tenantId: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const seq = cursors.decode(scope, tenantId, text);
  if (seq === null) throw invalid([{ path: 'cursor', message: 'not a cursor returned by this API for this list' } satisfies ErrorDetail]);
  return seq;
}

/** The page as the API answers it: rows and the opaque cursor of the next page (null on the last). */
export function pageBody<T>(cursors: CursorCodec, scope: CursorScope, tenantId: string, page: { data: T[]; next: string | null }) {
  return { data: page.data, next_cursor: page.next === null ? null : cursors.encode(scope, tenantId, page.next) };
}
