import type { ApiDeps } from '../app.js';
import { tenantId } from '../auth.js';
import type { Routes } from '../route.js';
import { Subscription, SUBSCRIPTION_DEFAULTS, type SubscriptionCreate } from '../schemas/subscription.js';
import { CATEGORY_EVENT_TYPES, CategoryParam, CategoryQuery, CategoryWebhook } from '../schemas/webhook.js';
import { checkTarget } from '../route-helpers.js';
import { upsertCategorySubscription } from '../../db/subscriptions.js';
import { generateSigningKey } from '../../delivery/signature.js';
import { audited } from '../audit.js';

export function webhookRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'put',
      path: '/v1/webhooks/:category',
      operationId: 'putCategoryWebhook',
      tag: 'Subscriptions',
      auth: 'tenant',
      params: CategoryParam,
      query: CategoryQuery,
      body: CategoryWebhook,
      summary: "Set the tenant's one category webhook for users, accounts or endpoints in an environment",
      responses: {
        201: { description: 'Created; carries the signing secret', schema: Subscription },
        200: { description: "Replaced url, method and headers (and the category's event types)", schema: Subscription },
      },
    },
    async ({ params: { category }, query: { environment }, body }, req, res) => {
      checkTarget(body.url, deps.config.allowPrivateTargets);
      const input: SubscriptionCreate = {
        ...SUBSCRIPTION_DEFAULTS,
        ...body,
        environment,
        event_types: [...CATEGORY_EVENT_TYPES[category]],
        field_map: {},
        description: `${category} webhook`,
      };
      const key = generateSigningKey(input.signature);
      const { subscription, created } = await audited(
        deps.pool,
        req,
        res,
        (tx) => upsertCategorySubscription(tx, deps.keyring, tenantId(res), category, input, key),
        (done) => ({
          tenantId: tenantId(res),
          action: done.created ? 'subscription.create' : 'subscription.update',
          objectId: done.subscription.id,
          details: { category, environment },
        }),
      );
      res.status(created ? 201 : 200).json(created ? { ...subscription, ...key.shown } : subscription);
    },
  );
}
