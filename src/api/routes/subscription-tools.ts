// What a tenant does to one subscription beyond editing it: send it a test event, read its figures.
import { redeliveryWorkflowId } from '../../domain/workflow-ids.js';
import type { ApiDeps } from '../app.js';
import { tenantId } from '../auth.js';
import { ApiError, invalid, notFound, unavailable } from '../errors.js';
import type { Routes } from '../route.js';
import { ErrorBody, IdParam } from '../schemas/common.js';
import { STATS_BUCKETS, STATS_WINDOWS, StatsQuery, SubscriptionStats, TestEventAccepted, TestEventRequest } from '../schemas/subscription-tools.js';
import { getSubscription } from '../../db/subscriptions.js';
import { subscriptionStats } from '../../db/stats.js';
import { createTestEvent, deleteTestEvent } from '../../db/subscription-test-sends.js';
import { TEST_EVENT_TYPE } from '../../domain/event-type.js';
import { sourceText } from '../json-body.js';
import { audit } from '../audit.js';
import { listEventTypes } from '../../db/event-types.js';
import { exampleOf } from '../../domain/schema-example.js';

export function subscriptionToolRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool, temporal, config, logger } = deps;
  const tag = 'Subscriptions';

  /** The payload text of a test event of a catalog type sent without one: the type's example, when it is an object. */
  async function catalogExample(type: string): Promise<string> {
    const row = (await listEventTypes(pool)).find((r) => r.type === type);
    const example = row ? exampleOf(row.schema) : {};
    return JSON.stringify(typeof example === 'object' && example !== null && !Array.isArray(example) ? example : {});
  }

  /**
   * The event and its one delivery are written here, and the single-delivery workflow (the one a
   * redelivery runs) delivers it: no other subscription is ever asked, whatever its patterns.
   */
  routes.add(
    {
      method: 'post',
      path: '/v1/subscriptions/:id/test',
      operationId: 'sendTestEvent',
      tag,
      auth: 'tenant',
      params: IdParam,
      body: TestEventRequest,
      summary: `Send a test event (${TEST_EVENT_TYPE}, or a catalog type with a payload of the tenant's) to this subscription only`,
      responses: {
        202: { description: 'Accepted', schema: TestEventAccepted },
        409: {
          description: 'The subscription is disabled (`subscription_disabled`); enable it to send a test event. Nothing is sent',
          schema: ErrorBody,
        },
      },
    },
    async ({ params: { id }, body: input }, req, res) => {
      const tenant = tenantId(res);
      const type = input.event_type ?? TEST_EVENT_TYPE;
      if (type !== TEST_EVENT_TYPE && !(await deps.catalog.has(type))) {
        throw invalid([
          { path: 'event_type', message: `${type} is not in the event type catalog (GET /v1/event-types); ${TEST_EVENT_TYPE} always is` },
        ]);
      }
      const payload = input.payload !== undefined ? sourceText(req, ['payload']) : type === TEST_EVENT_TYPE ? undefined : await catalogExample(type);
      // Checked as ingest checks an event of its type, so a test shows what a real event would get.
      if (payload !== undefined) {
        const schemaFailures = await deps.catalog.check(type, payload, 'payload');
        if (schemaFailures.length) throw invalid(schemaFailures);
      }
      const created = await createTestEvent(pool, tenant, id, type, payload, (deliveryId) => redeliveryWorkflowId(tenant, deliveryId));
      if (!created) throw notFound('subscription');
      if (created === 'disabled') {
        throw new ApiError(409, 'subscription_disabled', `subscription ${id} is disabled; enable it to send a test event`);
      }
      try {
        await temporal.startRedelivery(
          {
            tenantId: tenant,
            eventId: created.eventId,
            deliveryId: created.deliveryId,
            environment: created.environment,
            type,
            ...(config.retryTimeScale !== 1 ? { timeScale: config.retryTimeScale } : {}),
          },
          { tenantId: tenant, environment: created.environment, type },
        );
      } catch (error) {
        logger.warn({ err: error, eventId: created.eventId }, 'test event not started');
        await deleteTestEvent(pool, tenant, created.eventId);
        throw unavailable('Temporal');
      }
      // Written once the workflow started: a test event that did not start was deleted, and changed nothing.
      await audit(pool, req, res, {
        tenantId: tenant,
        action: 'subscription.test',
        objectId: id,
        details: { event_id: created.eventId, delivery_id: created.deliveryId, event_type: type },
      });
      res.status(202).json({ event_id: created.eventId, delivery_id: created.deliveryId, workflow_id: created.workflowId });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/subscriptions/:id/stats',
      operationId: 'getSubscriptionStats',
      tag,
      auth: 'tenant',
      params: IdParam,
      query: StatsQuery,
      summary: 'Success rate per attempt and per delivery, p50/p99 duration, and attempts over time, for the last 1h, 24h or 7d',
      responses: { 200: { description: 'The figures', schema: SubscriptionStats } },
    },
    async ({ params: { id }, query: { window } }, _req, res) => {
      if (!(await getSubscription(pool, deps.keyring, tenantId(res), id))) throw notFound('subscription');
      res.json({ subscription_id: id, window, ...(await subscriptionStats(pool, id, STATS_WINDOWS[window], STATS_BUCKETS[window])) });
    },
  );
}
