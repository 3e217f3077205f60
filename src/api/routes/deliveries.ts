import { redeliveryWorkflowId } from '../../domain/workflow-ids.js';
import type { ApiDeps } from '../app.js';
import { tenantId } from '../auth.js';
import { notFound, unavailable } from '../errors.js';
import type { Routes } from '../route.js';
import { IdParam } from '../schemas/common.js';
import { Delivery, DeliveryListQuery, DeliveryPage, RedeliveryAccepted } from '../schemas/delivery.js';
import { cursorParam, pageBody } from '../route-helpers.js';
import { createRedelivery, deleteDelivery, getDeliveryWithAttempts, listDeliveries } from '../../db/delivery-log.js';
import { audit } from '../audit.js';

export function deliveryRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool, temporal, config, logger } = deps;
  const tag = 'Deliveries';

  routes.add(
    {
      method: 'get',
      path: '/v1/deliveries',
      operationId: 'listDeliveries',
      tag,
      auth: 'tenant',
      query: DeliveryListQuery,
      summary: 'List deliveries, newest first, filtered by event, subscription, status, status class, event type or creation time',
      responses: { 200: { description: 'A page', schema: DeliveryPage } },
    },
    async ({ query: { cursor, ...filter } }, _req, res) => {
      const tenant = tenantId(res);
      const after = cursorParam(deps.cursors, 'deliveries', tenant, cursor);
      res.json(pageBody(deps.cursors, 'deliveries', tenant, await listDeliveries(pool, tenant, { ...filter, after })));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/deliveries/:id',
      operationId: 'getDelivery',
      tag,
      auth: 'tenant',
      params: IdParam,
      summary: 'A delivery with its request (headers masked, body as sent), all its attempts and, while pending, why it waits',
      responses: { 200: { description: 'The delivery', schema: Delivery } },
    },
    async ({ params: { id } }, _req, res) => {
      const delivery = await getDeliveryWithAttempts(pool, tenantId(res), id, { keyring: deps.keyring, timeScale: config.retryTimeScale });
      if (!delivery) throw notFound('delivery');
      res.json(delivery);
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/v1/deliveries/:id/redeliver',
      operationId: 'redeliverDelivery',
      tag,
      auth: 'tenant',
      params: IdParam,
      summary: 'Deliver the same event to the same subscription again, as a new delivery',
      responses: { 202: { description: 'Accepted', schema: RedeliveryAccepted } },
    },
    async ({ params: { id } }, req, res) => {
      const tenant = tenantId(res);
      const created = await createRedelivery(pool, tenant, id, (newId) => redeliveryWorkflowId(tenant, newId));
      if (!created) throw notFound('delivery');
      try {
        await temporal.startRedelivery(
          {
            tenantId: tenant,
            eventId: created.event_id,
            deliveryId: created.id,
            environment: created.environment,
            type: created.type,
            ...(config.retryTimeScale !== 1 ? { timeScale: config.retryTimeScale } : {}),
          },
          { tenantId: tenant, environment: created.environment, type: created.type },
        );
      } catch (error) {
        // Nothing half-written: without its workflow the new delivery would stay pending for ever.
        logger.warn({ err: error, deliveryId: created.id }, 'redelivery not started');
        await deleteDelivery(pool, created.id);
        throw unavailable('Temporal');
      }
      // Written once the workflow started: a redelivery that did not start was deleted, and changed nothing.
      await audit(pool, req, res, {
        tenantId: tenant,
        action: 'delivery.redeliver',
        objectId: id,
        details: { delivery_id: created.id, event_id: created.event_id, subscription_id: created.subscription_id },
      });
      res.status(202).json({
        delivery: { id: created.id, event_id: created.event_id, subscription_id: created.subscription_id, status: 'pending' },
        workflow_id: created.workflow_id,
      });
    },
  );
}
