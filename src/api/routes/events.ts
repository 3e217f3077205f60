import type { ApiDeps } from '../app.js';
import { principal } from '../auth.js';
import { ApiError, invalid, isDependencyDown, notFound, unavailable } from '../errors.js';
import { IdParam } from '../schemas/common.js';
import type { Routes } from '../route.js';
import { Event, EventAccepted, EventCreate, EventQuery, PAYLOAD_LIMIT_BYTES } from '../schemas/event.js';
import { getEventWithDeliveries, ingestCheck, insertEvent } from '../../db/events.js';
import { newId } from '../../db/ids.js';

export function eventRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool, temporal, config, logger } = deps;
  const tag = 'Events';

  /**
   * Accepted means Temporal holds the workflow: the 202 is sent only after the start succeeded.
   * The event row is written here for immediate reads, and again (idempotently) by the workflow.
   */
  routes.add({
    method: 'post', path: '/v1/events', tag, auth: 'admin', body: EventCreate,
    summary: 'Post an event (the producer); 202 once Temporal has accepted its workflow',
    responses: {
      202: { description: 'Accepted', schema: EventAccepted },
      200: { description: 'Duplicate id: acknowledged, not delivered again', schema: EventAccepted },
      413: { description: 'Payload over 256 KiB' },
    },
  }, async ({ body: input }, _req, res) => {
    // Safe to serialise: the schema has bounded the payload's depth.
    if (Buffer.byteLength(JSON.stringify(input.payload)) > PAYLOAD_LIMIT_BYTES) {
      throw new ApiError(413, 'too_large', `payload is larger than ${PAYLOAD_LIMIT_BYTES / 1024} KiB`,
        [{ path: 'payload', message: `at most ${PAYLOAD_LIMIT_BYTES} bytes` }]);
    }
    const eventId = input.id ?? newId('evt');
    const known = await ingestCheck(pool, input.tenant_id, eventId);
    if (!known.tenant) throw invalid([{ path: 'tenant_id', message: 'no such tenant' }]);
    if (known.workflowId) {
      deps.metrics.eventsAccepted.inc({ environment: input.environment, result: 'duplicate' });
      res.status(200).json({ id: eventId, workflow_id: known.workflowId, duplicate: true });
      return;
    }
    let started;
    try {
      started = await temporal.start({
        tenantId: input.tenant_id,
        eventId,
        environment: input.environment,
        type: input.type,
        payload: input.payload,
        ...(config.retryTimeScale !== 1 ? { timeScale: config.retryTimeScale } : {}),
      });
    } catch (error) {
      logger.warn({ err: error, eventId }, 'Temporal refused or did not answer the workflow start');
      throw unavailable('Temporal');
    }
    if (started.status === 'duplicate') {
      deps.metrics.eventsAccepted.inc({ environment: input.environment, result: 'duplicate' });
      res.status(200).json({ id: eventId, workflow_id: started.workflowId, duplicate: true });
      return;
    }
    try {
      await insertEvent(pool, { ...input, tenantId: input.tenant_id, eventId, workflowId: started.workflowId });
    } catch (error) {
      // Temporal has the event; its workflow writes the row once the database answers.
      if (!isDependencyDown(error)) throw error;
      logger.warn({ err: error, eventId }, 'event accepted; row deferred to the workflow');
    }
    deps.metrics.eventsAccepted.inc({ environment: input.environment, result: 'accepted' });
    res.status(202).json({ id: eventId, workflow_id: started.workflowId });
  });

  routes.add({
    method: 'get', path: '/v1/events/:id', tag, auth: 'any', params: IdParam, query: EventQuery,
    summary: 'Read an event and its deliveries (the admin may name the tenant)',
    responses: { 200: { description: 'The event', schema: Event } },
  }, async ({ params: { id }, query }, _req, res) => {
    const who = principal(res);
    const tenant = who.kind === 'tenant' ? who.tenantId : query.tenant_id;
    const { event, ambiguous } = await getEventWithDeliveries(pool, id, tenant);
    if (ambiguous) throw invalid([{ path: 'tenant_id', message: 'several tenants have an event with this id; name the tenant' }]);
    if (!event) throw notFound('event');
    res.json(event);
  });
}
