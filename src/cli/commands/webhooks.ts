import type { Command } from 'commander';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { SUBSCRIPTION_DEFAULTS } from '../../api/schemas/subscription.js';
import { HTTP_METHODS } from '../../domain/http-method.js';
import { defineCommand } from '../command-table.js';
import { fieldLines } from '../format.js';
import { parseMapOption } from '../options.js';
import type { operations, RequestBody, Schemas } from '../../client/index.js';
import { CATEGORIES } from '../../domain/webhook-categories.js';
import { context } from './context.js';
import { printCreated } from './subscriptions.js';

type Category = operations['putCategoryWebhook']['parameters']['path']['category'];

export function webhookCommands(program: Command): void {
  defineCommand(program, 'webhooks put')
    .argument('<category>', `the category: ${CATEGORIES.join(', ')}`)
    .requiredOption('--url <url>', 'where to deliver (http or https)')
    .option('--method <method>', `${HTTP_METHODS.join(' or ')} (default: ${SUBSCRIPTION_DEFAULTS.method})`)
    .option('--header <name=value...>', 'headers sent with every delivery: repeatable name=value, or one JSON object')
    .option('--environment <environment>', `${ENVIRONMENTS.join(' or ')} (default: ${SUBSCRIPTION_DEFAULTS.environment})`)
    .action(async (category: string, options: { url: string; method?: string; header?: string[]; environment?: string }, command: Command) => {
      const body: Record<string, unknown> = { url: options.url };
      if (options.method !== undefined) body.method = options.method.toUpperCase();
      if (options.header) body.headers = parseMapOption('--header', options.header);
      const { client, out } = context(command);
      const subscription = await client.ok((api) =>
        api.PUT('/v1/webhooks/{category}', {
          params: { path: { category: category as Category }, query: { environment: options.environment as Schemas['Environment'] | undefined } },
          body: body as RequestBody<'putCategoryWebhook'>,
        }),
      );
      if (out.json) return out.printJson(subscription);
      if (subscription.secret !== undefined || subscription.public_key) printCreated(out, subscription);
      else for (const line of fieldLines(subscription, ['secret'])) out.line(line);
    });
}
