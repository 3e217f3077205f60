// What the routes write to the audit log: who (from the request's credential), from where (the client
// address as Express sees it, and the user agent, bounded), and the change itself, in its transaction.
import type { Request, Response } from 'express';
import type { PoolClient } from 'pg';
import type { Pool } from '../db/pool.js';
import { recordAudit, type Actor, type AuditEntry } from '../db/audit.js';
import { inTransaction } from '../db/transaction.js';
import { principal } from './auth.js';

/** The actor id of ADMIN_TOKEN, which has no key id. */
export const ADMIN_TOKEN_ACTOR = 'admin-token';
const USER_AGENT_MAX = 256;
const IP_MAX = 64;

export function actorOf(res: Response): Actor {
  const who = principal(res);
  if (who.kind === 'admin') return who.keyId ? { type: 'producer_key', id: who.keyId } : { type: 'admin_token', id: ADMIN_TOKEN_ACTOR };
  if (who.portal) return { type: 'portal_session', id: who.portal.sessionId };
  return { type: 'tenant_key', id: who.keyId ?? who.tenantId };
}

/** The change as the audit log records it; the request supplies who and from where. */
export type Change = Pick<AuditEntry, 'tenantId' | 'action' | 'objectId' | 'details'>;

function entryOf(req: Request, res: Response, change: Change): AuditEntry {
  const agent = req.get('user-agent');
  return {
    ...change,
    actor: actorOf(res),
    // req.ip: the socket's peer, or what X-Forwarded-For says when Express's `trust proxy` is set.
    ip: req.ip ? req.ip.slice(0, IP_MAX) : null,
    userAgent: agent ? agent.slice(0, USER_AGENT_MAX) : null,
  };
}

/**
 * Runs `change` in a transaction and writes its audit entry in the same one, so a change is never
 * committed without its entry (nor an entry without its change). `describe` returns undefined when
 * nothing changed (a 404): then nothing is written.
 */
export function audited<T>(
  pool: Pool,
  req: Request,
  res: Response,
  change: (tx: PoolClient) => Promise<T>,
  describe: (result: T) => Change | undefined,
): Promise<T> {
  return inTransaction(pool, async (tx) => {
    const result = await change(tx);
    const entry = describe(result);
    if (entry) await recordAudit(tx, entryOf(req, res, entry));
    return result;
  });
}

/**
 * The entry of a change that is not one transaction (a row, then a workflow start that may undo it):
 * written once the change is done.
 */
export async function audit(pool: Pool, req: Request, res: Response, change: Change): Promise<void> {
  await recordAudit(pool, entryOf(req, res, change));
}
