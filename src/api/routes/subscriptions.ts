import type { ApiDeps } from '../app.js';
import { tenantId } from '../auth.js';
import { invalid, notFound } from '../errors.js';
import type { Routes } from '../route.js';
import { IdParam } from '../schemas/common.js';
import {
  RotatedSecret,
  Subscription,
  SubscriptionCreate,
  SubscriptionListQuery,
  SubscriptionPage,
  SubscriptionPatch,
} from '../schemas/subscription.js';
import { CATEGORY_EVENT_TYPES, type Category } from '../schemas/webhook.js';
import { checkTarget, cursorParam, pageBody } from '../route-helpers.js';
import { deleteSubscription, getSubscription, insertSubscription, listSubscriptions, updateSubscription } from '../../db/subscriptions.js';
import { rotateSecret, signatureScheme } from '../../db/subscription-secrets.js';
import { cancelPendingDeliveries } from '../../db/delivery-log.js';
import { workflowsWaitingForSlots } from '../../db/rate-limit.js';
import { rateLimitChangedSignal } from '../../workflows/signals.js';
import { generateSigningKey } from '../../delivery/signature.js';
import type { SignatureScheme } from '../../domain/signature-scheme.js';
import { sealSecret } from '../../secrets/subscription-fields.js';
import { audited } from '../audit.js';

/** A replaced secret keeps signing beside the newer ones this long after the rotation that replaced it. */
export const SECRET_ROTATION_GRACE_MS = 24 * 3_600_000;
/**
 * At most this many replaced secrets sign beside the current one: each adds a signature to every request.
 * A rotation beyond it stops the oldest before its grace ends, and its answer says so.
 */
export const MAX_PREVIOUS_SECRETS = 3;

/**
 * Marks the subscription's pending deliveries cancelled, then tells their workflows so they stop
 * now rather than at their next attempt. A workflow that cannot be told stops at that next attempt.
 */
async function cancelDeliveriesOf(deps: ApiDeps, subscriptionId: string, reason: string): Promise<void> {
  const pending = await cancelPendingDeliveries(deps.pool, subscriptionId, reason);
  const results = await Promise.allSettled(pending.map((d) => deps.temporal.cancelDelivery(d.workflow_id, d.id)));
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed) deps.logger.warn({ subscriptionId, failed }, 'some workflows were not told of the cancellation; they stop at their next attempt');
}

/**
 * A changed or removed rate limit applies to the deliveries already waiting for a slot: their workflows
 * are told, and each takes a new slot under the new limit. One not told takes it when its timer fires.
 */
async function wakeWaitingForSlots(deps: ApiDeps, subscriptionId: string): Promise<void> {
  const workflows = await workflowsWaitingForSlots(deps.pool, subscriptionId);
  const results = await Promise.allSettled(
    workflows.map((workflowId) => deps.temporal.client.workflow.getHandle(workflowId).signal(rateLimitChangedSignal, subscriptionId)),
  );
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed)
    deps.logger.warn(
      { subscriptionId, failed },
      'some workflows waiting for a rate-limit slot were not told of the new limit; they apply it when their slot comes',
    );
}

/**
 * A category webhook (PUT /v1/webhooks/:category) receives its category's event types and no others:
 * changing them would leave a "users" webhook that no longer gets user events. Refused, naming the field.
 */
async function keepCategoryEventTypes(deps: ApiDeps, tenant: string, id: string, eventTypes: string[]): Promise<void> {
  const current = await getSubscription(deps.pool, deps.keyring, tenant, id);
  if (!current?.category) return;
  const fixed: readonly string[] = CATEGORY_EVENT_TYPES[current.category as Category];
  if (eventTypes.length !== fixed.length || eventTypes.some((type, i) => type !== fixed[i])) {
    throw invalid([
      {
        path: 'event_types',
        message: `a ${current.category} webhook receives ${fixed.join(', ')}; create a separate subscription for other event types`,
      },
    ]);
  }
}

/**
 * The signature scheme is chosen at create: a PATCH may repeat it (a client sending the whole object) but
 * not change it, since every receiver verifying the current scheme would fail at once. Refused, naming the field.
 */
async function keepSignatureScheme(deps: ApiDeps, tenant: string, id: string, wanted: SignatureScheme): Promise<void> {
  const current = await signatureScheme(deps.pool, tenant, id);
  if (current === undefined) throw notFound('subscription');
  if (current !== wanted) {
    throw invalid([
      {
        path: 'signature',
        message: `is ${current} and cannot change; create a new subscription signed with ${wanted} and delete this one once its receiver verifies it`,
      },
    ]);
  }
}

export function subscriptionRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool } = deps;
  const tag = 'Subscriptions';

  routes.add(
    {
      method: 'post',
      path: '/v1/subscriptions',
      operationId: 'createSubscription',
      tag,
      auth: 'tenant',
      body: SubscriptionCreate,
      summary: 'Create a subscription; the answer carries its signing secret (or, for ed25519, its public key)',
      responses: { 201: { description: 'Created', schema: Subscription } },
    },
    async ({ body: input }, req, res) => {
      checkTarget(input.url, deps.config.allowPrivateTargets);
      const key = generateSigningKey(input.signature);
      const created = await audited(
        pool,
        req,
        res,
        (tx) => insertSubscription(tx, deps.keyring, tenantId(res), input, key),
        (made) => ({ tenantId: tenantId(res), action: 'subscription.create', objectId: made.id, details: { environment: made.environment } }),
      );
      // The HMAC secret is shown this once; an ed25519 subscription shows its public key (already in `created`).
      res.status(201).json({ ...created, ...key.shown });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/subscriptions',
      operationId: 'listSubscriptions',
      tag,
      auth: 'tenant',
      query: SubscriptionListQuery,
      summary: "List the tenant's subscriptions, newest first",
      responses: { 200: { description: 'A page', schema: SubscriptionPage } },
    },
    async ({ query }, _req, res) => {
      const tenant = tenantId(res);
      const after = cursorParam(deps.cursors, 'subscriptions', tenant, query.cursor);
      const page = await listSubscriptions(pool, deps.keyring, tenant, { environment: query.environment, limit: query.limit, after });
      res.json(pageBody(deps.cursors, 'subscriptions', tenant, page));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/subscriptions/:id',
      operationId: 'getSubscription',
      tag,
      auth: 'tenant',
      params: IdParam,
      summary: 'Read a subscription',
      responses: { 200: { description: 'The subscription', schema: Subscription } },
    },
    async ({ params: { id } }, _req, res) => {
      const found = await getSubscription(pool, deps.keyring, tenantId(res), id);
      if (!found) throw notFound('subscription');
      res.json(found);
    },
  );

  routes.add(
    {
      method: 'patch',
      path: '/v1/subscriptions/:id',
      operationId: 'updateSubscription',
      tag,
      auth: 'tenant',
      params: IdParam,
      body: SubscriptionPatch,
      summary: 'Change some fields of a subscription; disabling it cancels its pending deliveries',
      responses: {
        200: { description: 'The updated subscription', schema: Subscription },
        409: { description: 'A category webhook moved into an environment where the tenant already has one of its category' },
      },
    },
    async ({ params: { id }, body: patch }, req, res) => {
      checkTarget(patch.url, deps.config.allowPrivateTargets);
      const tenant = tenantId(res);
      if (patch.event_types) await keepCategoryEventTypes(deps, tenant, id, patch.event_types);
      if (patch.signature !== undefined) await keepSignatureScheme(deps, tenant, id, patch.signature);
      const updated = await audited(
        pool,
        req,
        res,
        (tx) => updateSubscription(tx, deps.keyring, tenant, id, patch),
        // The names of the fields sent, never their values (a URL or a header may carry a token).
        (done) => done && { tenantId: tenant, action: 'subscription.update', objectId: id, details: { fields: Object.keys(patch).sort() } },
      );
      if (!updated) throw notFound('subscription');
      if (patch.enabled === false) await cancelDeliveriesOf(deps, id, 'the subscription was disabled');
      if (patch.rate_limit !== undefined) await wakeWaitingForSlots(deps, id);
      res.json(updated);
    },
  );

  routes.add(
    {
      method: 'delete',
      path: '/v1/subscriptions/:id',
      operationId: 'deleteSubscription',
      tag,
      auth: 'tenant',
      params: IdParam,
      summary: 'Delete a subscription; its pending deliveries are cancelled',
      responses: { 204: { description: 'Deleted' } },
    },
    async ({ params: { id } }, req, res) => {
      const deleted = await audited(
        pool,
        req,
        res,
        (tx) => deleteSubscription(tx, tenantId(res), id),
        (found) => (found ? { tenantId: tenantId(res), action: 'subscription.delete', objectId: id } : undefined),
      );
      if (!deleted) throw notFound('subscription');
      await cancelDeliveriesOf(deps, id, 'the subscription was deleted');
      res.status(204).end();
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/v1/subscriptions/:id/rotate-secret',
      operationId: 'rotateSubscriptionSecret',
      tag,
      auth: 'tenant',
      params: IdParam,
      summary:
        'A new signing secret (or ed25519 key pair); each replaced one keeps signing beside it for 24 h from its own replacement, at most 3 at once',
      responses: { 200: { description: 'The new secret, and the replaced secrets still signing', schema: RotatedSecret } },
    },
    async ({ params: { id } }, req, res) => {
      // A new key of the subscription's own scheme (which never changes): a secret, or an ed25519 key pair.
      const scheme = await signatureScheme(pool, tenantId(res), id);
      if (!scheme) throw notFound('subscription');
      const key = generateSigningKey(scheme);
      const rotation = await audited(
        pool,
        req,
        res,
        (tx) =>
          rotateSecret(tx, tenantId(res), id, sealSecret(deps.keyring, key.secret), key.publicKey, SECRET_ROTATION_GRACE_MS, MAX_PREVIOUS_SECRETS),
        (done) =>
          done && {
            tenantId: tenantId(res),
            action: 'subscription.rotate_secret',
            objectId: id,
            details: { scheme, previous_still_signing: done.previous_secrets.length },
          },
      );
      if (!rotation) throw notFound('subscription');
      const body: RotatedSecret = { ...key.shown, ...rotation };
      const dropped = rotation.dropped_previous_secrets;
      if (dropped.length > 0) {
        const [what, verb, them] = dropped.length === 1 ? ['secret', 'signs', 'it'] : ['secrets', 'sign', 'one of them'];
        body.warning =
          `the previous ${what} that would have signed until ${dropped.map((d) => d.expires_at).join(', ')} no longer ${verb}` +
          ` (at most ${MAX_PREVIOUS_SECRETS} previous secrets sign at once); a receiver still holding ${them} now fails verification`;
      }
      res.json(body);
    },
  );
}
