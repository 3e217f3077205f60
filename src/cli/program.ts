// The `hookrelay` program: its global options and every command (src/cli/command-table.ts names them).
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { deliveryCommands } from './commands/deliveries.js';
import { eventCommands } from './commands/events.js';
import { subscriptionCommands } from './commands/subscriptions.js';
import { tenantCommands } from './commands/tenants.js';
import { keyCommands } from './commands/keys.js';
import { auditCommands } from './commands/audit.js';
import { webhookCommands } from './commands/webhooks.js';
import { eventTypeCommands } from './commands/event-types.js';
import { DEFAULT_API } from './options.js';

export function createProgram(): Command {
  const program = new Command('hookrelay')
    .description('command-line client of the hookrelay API')
    .version(VERSION)
    // Defaults are resolved at run time and never displayed: a token must not appear in --help.
    .option('--api <url>', `API base URL (default: $HOOKRELAY_API or ${DEFAULT_API})`)
    .option(
      '--token <token>',
      'a tenant API key, a producer key or the admin token (default: producer commands $ADMIN_TOKEN, else $HOOKRELAY_TOKEN; ' +
        'tenant commands $HOOKRELAY_TOKEN; commands for either $HOOKRELAY_TOKEN, else $ADMIN_TOKEN)',
    )
    .option('--json', 'print the raw JSON answers')
    .showHelpAfterError('(run with --help for usage)');
  tenantCommands(program);
  keyCommands(program);
  auditCommands(program);
  subscriptionCommands(program);
  webhookCommands(program);
  eventCommands(program);
  deliveryCommands(program);
  eventTypeCommands(program);
  return program;
}
