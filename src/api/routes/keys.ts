// Producer keys: POST/GET /v1/keys, DELETE /v1/keys/:id (scope keys:manage; see src/api/route-scopes.ts).
import type { ApiDeps } from '../app.js';
import { ApiError, notFound } from '../errors.js';
import type { Routes } from '../route.js';
import { actorOf, audited } from '../audit.js';
import { cursorParam, pageBody } from '../route-helpers.js';
import { ProducerKeyCreate, ProducerKeyCreated, ProducerKeyListQuery, ProducerKeyPage, ProducerKeyParam } from '../schemas/key.js';
import { insertProducerKey, listProducerKeys, liveKeyManagerExists, revokeProducerKey, type ProducerKeyRow } from '../../db/producer-keys.js';
import { notifyKeyRevoked } from '../key-cache.js';

const view = (row: ProducerKeyRow) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  expires_at: row.expires_at?.toISOString() ?? null,
  last_used_at: row.last_used_at?.toISOString() ?? null,
  created_by: row.created_by,
  created_at: row.created_at.toISOString(),
  revoked_at: row.revoked_at?.toISOString() ?? null,
});

/** Producer keys are not a tenant's: their cursors are bound to this name instead of a tenant id. */
const KEYS_CURSOR_OWNER = '*producer';

export function keyRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool } = deps;
  const tag = 'Producer keys';

  routes.add(
    {
      method: 'post',
      path: '/v1/keys',
      operationId: 'createProducerKey',
      tag,
      auth: 'admin',
      body: ProducerKeyCreate,
      summary: 'Create a producer key with scopes; the key is returned once',
      responses: { 201: { description: 'Created', schema: ProducerKeyCreated } },
    },
    async ({ body }, req, res) => {
      const createdBy = actorOf(res).id;
      const { row, key } = await audited(
        pool,
        req,
        res,
        (tx) => insertProducerKey(tx, { name: body.name, scopes: body.scopes, expiresAt: body.expires_at ?? null, createdBy }),
        ({ row }) => ({
          tenantId: null,
          action: 'producer_key.create',
          objectId: row.id,
          details: { name: row.name, scopes: row.scopes, expires_at: row.expires_at?.toISOString() ?? null },
        }),
      );
      res.status(201).json({ ...view(row), key });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/keys',
      operationId: 'listProducerKeys',
      tag,
      auth: 'admin',
      query: ProducerKeyListQuery,
      summary: 'List the producer keys, newest first, revoked ones included (never the keys themselves)',
      responses: { 200: { description: 'A page', schema: ProducerKeyPage } },
    },
    async ({ query }, _req, res) => {
      const after = cursorParam(deps.cursors, 'keys', KEYS_CURSOR_OWNER, query.cursor);
      const page = await listProducerKeys(pool, { limit: query.limit, after });
      res.json(pageBody(deps.cursors, 'keys', KEYS_CURSOR_OWNER, { data: page.data.map(view), next: page.next }));
    },
  );

  /**
   * Revoked at once: the NOTIFY sent in the revocation's transaction reaches every API process at its
   * commit and each forgets the key (an API process that cannot be sure it hears them remembers no key and
   * looks each one up), this one before it answers. With ADMIN_TOKEN_DISABLED, the last live key holding keys:manage cannot be revoked (409):
   * nothing could manage keys after it.
   */
  routes.add(
    {
      method: 'delete',
      path: '/v1/keys/:id',
      operationId: 'revokeProducerKey',
      tag,
      auth: 'admin',
      params: ProducerKeyParam,
      summary: 'Revoke a producer key: from this answer on, every API process refuses it (401)',
      responses: {
        204: { description: 'Revoked (or already revoked)' },
        409: { description: 'It is the last live key with keys:manage while ADMIN_TOKEN is disabled' },
      },
    },
    async ({ params: { id } }, req, res) => {
      const outcome = await audited(
        pool,
        req,
        res,
        async (tx) => {
          const revoked = await revokeProducerKey(tx, id);
          if (revoked === 'revoked' && deps.config.adminTokenDisabled && !(await liveKeyManagerExists(tx))) {
            throw new ApiError(
              409,
              'last_key_manager',
              'this is the last live key with keys:manage and ADMIN_TOKEN is disabled; create another first',
            );
          }
          if (revoked) await notifyKeyRevoked(tx, id);
          return revoked;
        },
        (revoked) => (revoked === 'revoked' ? { tenantId: null, action: 'producer_key.revoke', objectId: id } : undefined),
      );
      if (!outcome) throw notFound('producer key');
      await deps.keyCache.revoked(id);
      res.status(204).end();
    },
  );
}
