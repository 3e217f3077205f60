/** Keyset pagination, newest first: rows created while a client pages appear only above its cursor, so none is skipped or repeated. */
export interface Cursor { createdAt: string; id: string }

export function encodeCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(text: string | undefined): Cursor | undefined | null {
  if (!text) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string'
      && !Number.isNaN(Date.parse(value[0]))) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch { /* fall through */ }
  return null;
}

/** Fetches limit+1 rows; the extra one only tells whether there is a next page. */
export function pageOf<T extends { created_at: Date; id: string }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { rows: kept, nextCursor: more ? encodeCursor(kept[kept.length - 1]!) : null };
}
