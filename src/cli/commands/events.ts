import type { Command } from 'commander';
import { exitCodeOf, followEvent } from '../follow.js';
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

export function eventCommands(program: Command): void {
  const events = program.command('events').description('post and follow events');

  events
    .command('send')
    .description('post an event for a tenant (admin token); prints its id and workflow id, or "duplicate"')
    .requiredOption('--tenant <id>', 'the tenant the event belongs to')
    .requiredOption('--type <type>', 'dotted lowercase event type, e.g. user.created')
    .option('--payload <json>', 'the payload, a JSON object (or @file)', '{}')
    .option('--environment <environment>', 'sandbox or production', 'production')
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
      const { client, out } = context(command, 'admin');
      const accepted = await client.ok((api) => api.POST('/v1/events', { body }));
      if (out.json) return out.printJson(accepted);
      if (accepted.duplicate) {
        out.line(`duplicate: event ${safe(accepted.id)} was accepted before (workflow ${safe(accepted.workflow_id)}); nothing is delivered twice`);
        return;
      }
      out.line(`id:          ${safe(accepted.id)}`);
      out.line(`workflow_id: ${safe(accepted.workflow_id)}`);
    });

  events
    .command('follow')
    .description(
      'follow every delivery of an event until none is pending; exit 0 if all succeeded, else 1 ' +
        "(tenant API key from $HOOKRELAY_TOKEN: each attempt; admin token from $ADMIN_TOKEN: each delivery's count and last result)",
    )
    .argument('<event-id>', 'the event id')
    .option('--tenant <id>', "the event's tenant (with the admin token, when several tenants have this event id)")
    .action(async (id: string, options: { tenant?: string }, command: Command) => {
      const { client, out } = context(command, 'either');
      const event = await followEvent(client, id, options.tenant, out);
      if (out.json) out.printJson(event);
      process.exitCode = exitCodeOf(event.deliveries.map((d) => d.status));
    });
}
