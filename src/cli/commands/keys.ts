import type { Command } from 'commander';
import { safe } from '../output.js';
import type { RequestBody } from '../../client/index.js';
import type { ProducerKey } from '../types.js';
import { context } from './context.js';

interface CreateOptions {
  scope: string[];
  expiresAt?: string;
}

/** What a key's line says of it: revoked, expired or active (with when it expires). */
function state(key: ProducerKey, now = Date.now()): string {
  if (key.revoked_at) return `revoked ${key.revoked_at}`;
  if (key.expires_at && Date.parse(key.expires_at) <= now) return `expired ${key.expires_at}`;
  return key.expires_at ? `active until ${key.expires_at}` : 'active';
}

export function keyCommands(program: Command): void {
  const keys = program.command('keys').description("manage the producer's API keys (a credential with the keys:manage scope)");

  keys
    .command('create')
    .description('create a producer key; prints its id and the key, which is shown only once')
    .argument('<name>', 'what the key is for')
    .requiredOption('--scope <scope...>', 'events:write, tenants:manage, catalog:manage, portal:create or keys:manage (repeatable)')
    .option('--expires-at <time>', 'when it stops working, e.g. 2030-01-01T00:00:00Z (default: never)')
    .action(async (name: string, options: CreateOptions, command: Command) => {
      // Passed on as given: the API names a scope it does not know.
      const body: RequestBody<'createProducerKey'> = { name, scopes: options.scope as RequestBody<'createProducerKey'>['scopes'] };
      if (options.expiresAt !== undefined) body.expires_at = options.expiresAt;
      const { client, out } = context(command, 'admin');
      const created = await client.ok((api) => api.POST('/v1/keys', { body }));
      if (out.json) return out.printJson(created);
      out.line(`id:     ${safe(created.id)}`);
      out.line(`key:    ${safe(created.key)}`);
      out.line(`scopes: ${created.scopes.join(' ')}`);
      out.warn('the key is shown only this once; store it now (only its hash is kept)');
    });

  keys
    .command('list')
    .description('list every producer key, newest first, revoked ones included (follows the pages; never the keys themselves)')
    .action(async (_options: unknown, command: Command) => {
      const { client, out } = context(command, 'admin');
      const all: ProducerKey[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.ok((api) => api.GET('/v1/keys', { params: { query: { limit: 100, cursor } } }));
        all.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      if (out.json) return out.printJson(all);
      if (all.length === 0) return out.line('no producer keys');
      for (const k of all) {
        const line = [safe(k.id), safe(k.prefix), safe(k.name), k.scopes.join(','), state(k), `last used ${k.last_used_at ?? 'never'}`];
        out.line(line.join('  '));
      }
    });

  keys
    .command('revoke')
    .description('revoke a producer key: every API process refuses it from now on')
    .argument('<id>', 'the key id (prk_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command, 'admin');
      await client.ok((api) => api.DELETE('/v1/keys/{id}', { params: { path: { id } } }));
      if (out.json) return out.printJson({ id, revoked: true });
      out.line(`revoked ${safe(id)}`);
    });
}
