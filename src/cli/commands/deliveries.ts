import type { Command } from 'commander';
import { exitCodeOf, followDelivery } from '../follow.js';
import { context } from './context.js';

export function deliveryCommands(program: Command): void {
  const deliveries = program.command('deliveries').description('follow deliveries (tenant API key)');

  deliveries
    .command('follow')
    .description('print each attempt of a delivery as it happens until it ends; exit 0 if it succeeded, 1 if it failed or was cancelled')
    .argument('<delivery-id>', 'the delivery id (see GET /v1/deliveries?event_id=…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command, 'tenant');
      const delivery = await followDelivery(client, id, out);
      if (out.json) out.printJson(delivery);
      process.exitCode = exitCodeOf([delivery.status]);
    });
}
