import type { Command } from 'commander';
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS } from '../../domain/environment.js';
import { defineCommand } from '../command-table.js';
import { exitCodeOf, followEvent } from '../follow.js';
import { fieldLines, finalLine } from '../format.js';
import { CliError } from '../errors.js';
import { parseJsonOption } from '../options.js';
import { safe } from '../output.js';
import type { RequestBody } from '../../client/index.js';
import { context } from './context.js';

interface SendOptions {
  tenant: string;
  type: string;
  payload?: string;
  environment?: string;
  id?: string;
}

type Batch = RequestBody<'postEventBatch'>;

/** A batch file: an array of events, or the request body itself (`{"events": [...]}`). */
function batchBody(file: string): Batch {
  const parsed = parseJsonOption('--file', file.startsWith('@') ? file : `@${file}`);
  if (Array.isArray(parsed)) return { events: parsed as Batch['events'] };
  if (typeof parsed === 'object' && parsed !== null) return parsed as Batch;
  throw new CliError('--file: expected a JSON array of events or an object {"events": [...]}');
}

export function eventCommands(program: Command): void {
  defineCommand(program, 'events send')
    .requiredOption('--tenant <id>', 'the tenant the event belongs to')
    .requiredOption('--type <type>', 'dotted lowercase event type, e.g. user.created')
    .option('--payload <json>', 'the payload, a JSON object (or @file)', '{}')
    .option('--environment <environment>', ENVIRONMENTS.join(' or '), DEFAULT_ENVIRONMENT)
    .option('--id <id>', 'the event id, an idempotency key (generated when absent)')
    .action(async (options: SendOptions, command: Command) => {
      // Passed on as given: the API names a value it does not take (an unknown environment, a payload that is not an object).
      const body: RequestBody<'postEvent'> = {
        tenant_id: options.tenant,
        environment: options.environment as RequestBody<'postEvent'>['environment'],
        type: options.type,
        payload: parseJsonOption('--payload', options.payload ?? '{}') as RequestBody<'postEvent'>['payload'],
      };
      if (options.id !== undefined) body.id = options.id;
      const { client, out } = context(command);
      const accepted = await client.ok((api) => api.POST('/v1/events', { body }));
      if (out.json) return out.printJson(accepted);
      if (accepted.duplicate) {
        out.line(`duplicate: event ${safe(accepted.id)} was accepted before (workflow ${safe(accepted.workflow_id)}); nothing is delivered twice`);
        return;
      }
      out.line(`id:          ${safe(accepted.id)}`);
      out.line(`workflow_id: ${safe(accepted.workflow_id)}`);
    });

  defineCommand(program, 'events send-batch')
    .requiredOption('--file <path>', 'a JSON file: an array of events ({tenant_id, environment, type, payload, id?}) or {"events": [...]}')
    .action(async (options: { file: string }, command: Command) => {
      const body = batchBody(options.file);
      const { client, out } = context(command);
      const accepted = await client.ok((api) => api.POST('/v1/events/batch', { body }));
      if (out.json) return out.printJson(accepted);
      for (const event of accepted.data) {
        out.line(`${safe(event.id)}  ${event.duplicate ? 'duplicate' : 'accepted'}  ${safe(event.workflow_id)}`);
      }
    });

  defineCommand(program, 'events get')
    .argument('<event-id>', 'the event id')
    .option('--tenant <id>', "the event's tenant (with a producer credential, when several tenants have this event id)")
    .action(async (id: string, options: { tenant?: string }, command: Command) => {
      const { client, out } = context(command);
      const event = await client.ok((api) => api.GET('/v1/events/{id}', { params: { path: { id }, query: { tenant_id: options.tenant } } }));
      if (out.json) return out.printJson(event);
      for (const line of fieldLines(event, ['deliveries'])) out.line(line);
      if (event.deliveries.length === 0) out.line('deliveries:   none');
      for (const d of event.deliveries) out.line(`delivery ${safe(d.id)} → subscription ${safe(d.subscription_id)}: ${finalLine(out, d)}`);
    });

  defineCommand(program, 'events follow')
    .argument('<event-id>', 'the event id')
    .option('--tenant <id>', "the event's tenant (with a producer credential, when several tenants have this event id)")
    .action(async (id: string, options: { tenant?: string }, command: Command) => {
      const { client, out, tenantKey } = context(command);
      const event = await followEvent(client, id, options.tenant, out, { readsDeliveryLog: tenantKey });
      if (out.json) out.printJson(event);
      process.exitCode = exitCodeOf(event.deliveries.map((d) => d.status));
    });
}
