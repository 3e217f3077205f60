// The audit log's vocabulary: who can act, and every change it records as `object_type.verb`. The
// database's CHECK constraint on actor_type lists the same (migrations/1765000000000_producer-keys-audit.sql).
export const ACTOR_TYPES = ['admin_token', 'producer_key', 'tenant_key', 'portal_session'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const AUDIT_ACTIONS = [
  'tenant.create',
  'tenant.purge',
  'producer_key.create',
  'producer_key.revoke',
  'subscription.create',
  'subscription.update',
  'subscription.delete',
  'subscription.rotate_secret',
  'subscription.test',
  'subscription.recover',
  'delivery.redeliver',
  'event_type.put',
  'portal_session.create',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

type ObjectTypeOf<A> = A extends `${infer T}.${string}` ? T : never;
export type AuditObjectType = ObjectTypeOf<AuditAction>;
export const objectTypeOf = (action: AuditAction) => action.slice(0, action.indexOf('.')) as AuditObjectType;
export const AUDIT_OBJECT_TYPES = [...new Set(AUDIT_ACTIONS.map(objectTypeOf))] as [AuditObjectType, ...AuditObjectType[]];
