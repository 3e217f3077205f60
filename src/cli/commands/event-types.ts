import type { Command } from 'commander';
import { defineCommand } from '../command-table.js';
import { ApiError } from '../errors.js';
import { printFields } from '../format.js';
import { parseJsonOption } from '../options.js';
import { safe } from '../output.js';
import type { RequestBody } from '../../client/index.js';
import { context } from './context.js';

interface PutOptions {
  description: string;
  schema?: string;
  deprecated?: boolean;
}

export function eventTypeCommands(program: Command): void {
  defineCommand(program, 'event-types list').action(async (_options: unknown, command: Command) => {
    const { client, out } = context(command);
    const catalog = await client.ok((api) => api.GET('/v1/event-types'));
    if (out.json) return out.printJson(catalog.data);
    if (catalog.data.length === 0) return out.line('no event types');
    for (const t of catalog.data) {
      const flags = [`v${t.version}`, t.schema ? 'schema' : 'any payload', ...(t.deprecated ? [out.yellow('deprecated')] : [])];
      out.line([safe(t.type), flags.join(','), safe(t.description)].join('  '));
    }
  });

  defineCommand(program, 'event-types get')
    .argument('<type>', 'the event type, e.g. user.created')
    .action(async (type: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      // The API has no read of one type: the catalog is one small list.
      const catalog = await client.ok((api) => api.GET('/v1/event-types'));
      const found = catalog.data.find((t) => t.type === type);
      if (!found) throw new ApiError(404, 'not_found', `event type ${type} is not in the catalog`);
      printFields(out, found);
    });

  defineCommand(program, 'event-types put')
    .argument('<type>', 'the event type, e.g. user.created')
    .requiredOption('--description <text>', 'what the event means')
    .option('--schema <json>', 'a JSON Schema (draft 2020-12) every payload must match, as JSON or @file (default: any payload)')
    .option('--deprecated', 'flag it deprecated in the catalog (still accepted and delivered)')
    .action(async (type: string, options: PutOptions, command: Command) => {
      const body: RequestBody<'putEventType'> = { description: options.description };
      // A PUT replaces the type: without --schema it takes any payload.
      if (options.schema !== undefined) body.schema = parseJsonOption('--schema', options.schema) as RequestBody<'putEventType'>['schema'];
      if (options.deprecated) body.deprecated = true;
      const { client, out } = context(command);
      const put = await client.ok((api) => api.PUT('/v1/event-types/{type}', { params: { path: { type } }, body }));
      printFields(out, put);
    });
}
