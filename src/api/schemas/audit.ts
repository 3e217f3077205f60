import { z } from '../zod.js';
import { PageQuery, instant, page, text } from './common.js';
import { ACTOR_TYPES, AUDIT_ACTIONS, AUDIT_OBJECT_TYPES } from '../../domain/audit.js';

export const AuditQuery = PageQuery.extend({
  tenant_id: text().min(1).max(128).optional().openapi({ description: "One tenant's entries (a tenant sees only its own whatever this says)." }),
  actor_id: text().min(1).max(128).optional().openapi({ description: 'A producer key id, `admin-token`, a tenant key id or a portal session id.' }),
  action: z.enum(AUDIT_ACTIONS).optional(),
  object_type: z.enum(AUDIT_OBJECT_TYPES).optional(),
  object_id: text().min(1).max(128).optional(),
  since: instant().optional().openapi({ description: 'Entries at or after this time.' }),
  until: instant().optional().openapi({ description: 'Entries before this time.' }),
})
  // Runs even when a field failed its own check: look before use.
  .superRefine((query, ctx) => {
    if (query.since instanceof Date && query.until instanceof Date && query.until.getTime() <= query.since.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
    }
  });

export const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z
      .object({
        type: z.enum([...ACTOR_TYPES, 'producer']),
        id: z.string().nullable(),
      })
      .openapi({ description: 'Who: to a tenant, a change made by the producer shows as `producer` without key id, address or user agent.' }),
    tenant_id: z.string().nullable().openapi({ description: 'The tenant whose object changed; null for keys and the event catalog.' }),
    action: z.enum(AUDIT_ACTIONS),
    object: z.object({ type: z.enum(AUDIT_OBJECT_TYPES), id: z.string() }),
    details: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Names and counts that say more (fields changed, scopes); never a secret or a payload.' }),
    ip: z.string().nullable().openapi({ description: 'The client address as the API saw it.' }),
    user_agent: z.string().nullable().openapi({ description: 'The first 256 characters of the User-Agent header.' }),
  })
  .openapi('AuditEntry');

export const AuditPage = page(AuditEntry, 'AuditPage');
