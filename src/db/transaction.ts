import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it
 * throws (the error is rethrown). For a change and its audit entry, which commit together or not at all.
 */
export async function inTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
