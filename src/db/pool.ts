import pg from 'pg';

export type Pool = pg.Pool;
export type Queryable = Pick<pg.Pool, 'query'>;

// BIGINT (attempt ids) as numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** PostgreSQL's class 22 (data exception): a value refused as it is, so the same values would be refused again. */
export const isDataException = (error: unknown): boolean => /^22[0-9A-Z]{3}$/.test(String((error as { code?: unknown }).code ?? ''));

export function createPool(connectionString: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}
