import { eventWorkflowId } from '../../domain/workflow-ids.js';
import type { ApiDeps } from '../app.js';
import { principal } from '../auth.js';
import { ApiError, invalid, notFound } from '../errors.js';
import { IdParam } from '../schemas/common.js';
import type { Routes } from '../route.js';
import { Event, EventAccepted, EventBatch, EventBatchAccepted, EventCreate, EventQuery, PAYLOAD_LIMIT_BYTES } from '../schemas/event.js';
import { getEventWithDeliveries } from '../../db/events.js';
import { newId } from '../../db/ids.js';
import { jsonWithRawMembers, sourceText } from '../json-body.js';
import { inChildSpan, inEventSpans, inRequestSpan } from '../../telemetry/request-span.js';
import { EVENT_COUNT_ATTR, eventAttributes } from '../../telemetry/attributes.js';

/** The payload's JSON text exactly as posted, which is stored and delivered; 413 over the limit. */
function checkedPayload(text: string, path: string): string {
  if (Buffer.byteLength(text) > PAYLOAD_LIMIT_BYTES) {
    throw new ApiError(413, 'too_large', `payload is larger than ${PAYLOAD_LIMIT_BYTES / 1024} KiB`, [
      { path, message: `at most ${PAYLOAD_LIMIT_BYTES} bytes` },
    ]);
  }
  return text;
}

export function eventRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool } = deps;
  const tag = 'Events';
  const backlog = deps.backlog;

  /** Nothing is written while the backlog of unstarted events is over INGEST_BACKLOG_LIMIT. */
  async function refuseOverBacklog(): Promise<void> {
    const waiting = await backlog.over();
    if (waiting !== undefined) {
      throw new ApiError(503, 'backlog_full', `${waiting} accepted events are waiting for their workflows to start; try again shortly`, undefined, 5);
    }
  }

  /**
   * Accepted means committed in PostgreSQL: the 202 is sent once the event row is stored, and a relay in
   * the workers starts its workflow right after (see src/relay). Temporal being down does not refuse events.
   */
  routes.add(
    {
      method: 'post',
      path: '/v1/events',
      operationId: 'postEvent',
      tag,
      auth: 'admin',
      body: EventCreate,
      summary: 'Post an event (the producer); 202 once it is durably stored',
      responses: {
        202: { description: 'Accepted: stored, its workflow starts right after', schema: EventAccepted },
        200: { description: 'Duplicate id: acknowledged, not delivered again', schema: EventAccepted },
        413: { description: 'A body over the size limit, or a `payload` over 256 KiB (named in `details`)' },
      },
    },
    async ({ body: input }, req, res) =>
      inRequestSpan(deps.tracer, req, res, '/v1/events', async (traceparent) => {
        const payload = checkedPayload(sourceText(req, ['payload']), 'payload');
        const schemaFailures = await deps.catalog.check(input.type, payload, 'payload');
        if (schemaFailures.length) throw invalid(schemaFailures);
        await refuseOverBacklog();
        const eventId = input.id ?? newId('evt');
        const workflowId = eventWorkflowId(input.tenant_id, eventId);
        const event = { tenantId: input.tenant_id, eventId, environment: input.environment, type: input.type, payload, workflowId };
        const result = await inChildSpan(deps.tracer, 'accept', eventAttributes(event), () =>
          deps.accepts.accept(traceparent ? { ...event, traceparent } : event),
        );
        if (result === 'unknown_tenant') throw invalid([{ path: 'tenant_id', message: 'no such tenant' }]);
        if (result === 'accepted') deps.relay.wake();
        deps.metrics.eventsAccepted.inc({ environment: input.environment, result });
        if (result === 'duplicate') res.status(200).json({ id: eventId, workflow_id: workflowId, duplicate: true });
        else res.status(202).json({ id: eventId, workflow_id: workflowId });
      }),
  );

  routes.add(
    {
      method: 'post',
      path: '/v1/events/batch',
      operationId: 'postEventBatch',
      tag,
      auth: 'admin',
      body: EventBatch,
      summary: 'Post 1-500 events at once, validated all or nothing; 202 once all are durably stored',
      responses: {
        202: { description: 'Accepted, in input order; `duplicate` per event', schema: EventBatchAccepted },
        413: { description: 'A body over the size limit, or a payload over 256 KiB (named in `details`: `events.<i>.payload`)' },
      },
    },
    async ({ body: { events } }, req, res) =>
      // One request, one trace: the batch's events share its span (and the producer's traceparent) as parent,
      // but for an event with a traceparent of its own, which starts its own trace (linked to the request's).
      inRequestSpan(deps.tracer, req, res, '/v1/events/batch', async (shared) =>
        inEventSpans(
          deps.tracer,
          events.map((e) => e.traceparent),
          shared,
          async (traceparents) => {
            const rows = events.map((input, i) => {
              const eventId = input.id ?? newId('evt');
              const traceparent = traceparents[i];
              return {
                tenantId: input.tenant_id,
                eventId,
                environment: input.environment,
                type: input.type,
                payload: checkedPayload(sourceText(req, ['events', i, 'payload']), `events.${i}.payload`),
                workflowId: eventWorkflowId(input.tenant_id, eventId),
                ...(traceparent ? { traceparent } : {}),
              };
            });
            const schemaFailures = await deps.catalog.checkAll(
              rows.map((row, i) => ({ type: row.type, payload: row.payload, prefix: `events.${i}.payload` })),
            );
            if (schemaFailures.length) throw invalid(schemaFailures);
            await refuseOverBacklog();
            const { unknownTenants, inserted } = await inChildSpan(deps.tracer, 'accept', { [EVENT_COUNT_ATTR]: rows.length }, () =>
              deps.batches.accept(rows),
            );
            if (unknownTenants.length) {
              const unknown = new Set(unknownTenants);
              throw invalid(
                events.flatMap((e, i) => (unknown.has(e.tenant_id) ? [{ path: `events.${i}.tenant_id`, message: 'no such tenant' }] : [])),
              );
            }
            if (inserted.some(Boolean)) deps.relay.wake();
            rows.forEach((row, i) =>
              deps.metrics.eventsAccepted.inc({ environment: row.environment, result: inserted[i] ? 'accepted' : 'duplicate' }),
            );
            res.status(202).json({ data: rows.map((row, i) => ({ id: row.eventId, workflow_id: row.workflowId, duplicate: !inserted[i] })) });
          },
        ),
      ),
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/events/:id',
      operationId: 'getEvent',
      tag,
      auth: 'any',
      params: IdParam,
      query: EventQuery,
      summary: 'Read an event and its deliveries (the admin may name the tenant)',
      responses: { 200: { description: 'The event', schema: Event } },
    },
    async ({ params: { id }, query }, _req, res) => {
      const who = principal(res);
      const tenant = who.kind === 'tenant' ? who.tenantId : query.tenant_id;
      const { event, ambiguous } = await getEventWithDeliveries(pool, id, tenant);
      if (ambiguous) throw invalid([{ path: 'tenant_id', message: 'several tenants have an event with this id; name the tenant' }]);
      if (!event) throw notFound('event');
      res.type('application/json').send(jsonWithRawMembers(event, { payload: event.payload }));
    },
  );
}
