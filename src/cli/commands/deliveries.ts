import type { Command } from 'commander';
import { DELIVERY_STATUSES } from '../../domain/delivery-status.js';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { defineCommand } from '../command-table.js';
import { exitCodeOf, followDelivery } from '../follow.js';
import { attemptLine, fieldLines, finalLine } from '../format.js';
import { safe } from '../output.js';
import { addPageOptions, pageQuery, printNextPage, type PageOptions } from '../pages.js';
import type { operations } from '../../client/index.js';
import { context } from './context.js';

type DeliveryQuery = NonNullable<operations['listDeliveries']['parameters']['query']>;

interface ListOptions extends PageOptions {
  event?: string;
  subscription?: string;
  status?: string;
  eventType?: string;
  environment?: string;
}

export function deliveryCommands(program: Command): void {
  addPageOptions(defineCommand(program, 'deliveries list'))
    .option('--event <id>', "one event's deliveries")
    .option('--subscription <id>', "one subscription's deliveries")
    .option('--status <status>', DELIVERY_STATUSES.join(', '))
    .option('--event-type <type>', 'one event type')
    .option('--environment <environment>', ENVIRONMENTS.join(' or '))
    .action(async (options: ListOptions, command: Command) => {
      // Values as given: the API names one it does not take.
      const query = {
        ...pageQuery(options),
        event_id: options.event,
        subscription_id: options.subscription,
        status: options.status,
        event_type: options.eventType,
        environment: options.environment,
      } as DeliveryQuery;
      const { client, out } = context(command);
      const page = await client.ok((api) => api.GET('/v1/deliveries', { params: { query } }));
      if (out.json) return out.printJson(page);
      if (page.data.length === 0) out.line('no deliveries');
      for (const d of page.data) {
        out.line([safe(d.id), safe(d.event_id), safe(d.event_type), `→ ${safe(d.subscription_id)}`, finalLine(out, d)].join('  '));
      }
      printNextPage(out, page.next_cursor);
    });

  defineCommand(program, 'deliveries get')
    .argument('<delivery-id>', 'the delivery id (dlv_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      const delivery = await client.ok((api) => api.GET('/v1/deliveries/{id}', { params: { path: { id } } }));
      if (out.json) return out.printJson(delivery);
      for (const line of fieldLines(delivery, ['attempts'])) out.line(line);
      for (const attempt of delivery.attempts) out.line(attemptLine(out, attempt));
    });

  defineCommand(program, 'deliveries redeliver')
    .argument('<delivery-id>', 'the delivery id (dlv_…)')
    .option('--follow', 'then follow the new delivery to its end (exit 0 if it succeeded, 1 if not)')
    .action(async (id: string, options: { follow?: boolean }, command: Command) => {
      const { client, out } = context(command);
      const accepted = await client.ok((api) => api.POST('/v1/deliveries/{id}/redeliver', { params: { path: { id } } }));
      if (!options.follow) {
        if (out.json) return out.printJson(accepted);
        out.line(`id:          ${safe(accepted.delivery.id)}`);
        out.line(`workflow_id: ${safe(accepted.workflow_id)}`);
        return;
      }
      const delivery = await followDelivery(client, accepted.delivery.id, out);
      if (out.json) out.printJson(delivery);
      process.exitCode = exitCodeOf([delivery.status]);
    });

  defineCommand(program, 'deliveries follow')
    .argument('<delivery-id>', 'the delivery id (see deliveries list --event …)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      const delivery = await followDelivery(client, id, out);
      if (out.json) out.printJson(delivery);
      process.exitCode = exitCodeOf([delivery.status]);
    });
}
