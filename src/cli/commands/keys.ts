import type { Command } from 'commander';
import { SCOPES } from '../../domain/scopes.js';
import { defineCommand } from '../command-table.js';
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
  defineCommand(program, 'keys create')
    .argument('<name>', 'what the key is for')
    .requiredOption('--scope <scope...>', `${SCOPES.join(', ')} (repeatable)`)
    .option('--expires-at <time>', 'when it stops working, e.g. 2030-01-01T00:00:00Z (default: never)')
    .action(async (name: string, options: CreateOptions, command: Command) => {
      // Passed on as given: the API names a scope it does not know.
      const body: RequestBody<'createProducerKey'> = { name, scopes: options.scope as RequestBody<'createProducerKey'>['scopes'] };
      if (options.expiresAt !== undefined) body.expires_at = options.expiresAt;
      const { client, out } = context(command);
      const created = await client.ok((api) => api.POST('/v1/keys', { body }));
      if (out.json) return out.printJson(created);
      out.line(`id:     ${safe(created.id)}`);
      out.line(`key:    ${safe(created.key)}`);
      out.line(`scopes: ${created.scopes.join(' ')}`);
      out.warn('the key is shown only this once; store it now (only its hash is kept)');
    });

  defineCommand(program, 'keys list').action(async (_options: unknown, command: Command) => {
    const { client, out } = context(command);
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

  defineCommand(program, 'keys revoke')
    .argument('<id>', 'the key id (prk_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      await client.ok((api) => api.DELETE('/v1/keys/{id}', { params: { path: { id } } }));
      if (out.json) return out.printJson({ id, revoked: true });
      out.line(`revoked ${safe(id)}`);
    });
}
