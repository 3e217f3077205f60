import type { Command } from 'commander';
import { numberOrText, parseHeaders, parseRetryPolicy } from '../options.js';
import { safe } from '../output.js';
import type { RequestBody, Schemas } from '../../client/index.js';
import type { Subscription } from '../types.js';

type Environment = Schemas['Environment'];
import { context } from './context.js';

interface CreateOptions {
  url: string;
  eventType?: string[];
  method?: string;
  environment?: string;
  header?: string[];
  retryPolicy?: string;
  timeoutMs?: string;
  description?: string;
  signature?: string;
}

export function subscriptionCommands(program: Command): void {
  const subscriptions = program.command('subscriptions').description("manage the tenant's subscriptions (tenant API key)");

  subscriptions
    .command('list')
    .description('list every subscription, newest first (follows the pages)')
    .option('--environment <environment>', 'only this environment: sandbox or production')
    .action(async (options: { environment?: string }, command: Command) => {
      const { client, out } = context(command, 'tenant');
      const all: Subscription[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.ok((api) =>
          api.GET('/v1/subscriptions', { params: { query: { environment: options.environment as Environment | undefined, limit: 100, cursor } } }),
        );
        all.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      if (out.json) return out.printJson(all);
      if (all.length === 0) return out.line('no subscriptions');
      for (const s of all) {
        const state = s.enabled ? out.green('enabled') : out.red(`disabled${s.disabled_reason ? ` (${safe(s.disabled_reason)})` : ''}`);
        out.line([safe(s.id), s.environment, state, s.method, safe(s.url), safe(s.event_types.join(','))].join('  '));
      }
    });

  subscriptions
    .command('create')
    .description('create a subscription; prints its id and signing secret (or, for ed25519, its public key)')
    .requiredOption('--url <url>', 'where to deliver (http or https)')
    .option('--event-type <pattern...>', 'event type patterns, e.g. "user.*" (repeatable; default: *)')
    .option('--method <method>', 'POST or PUT (default: POST)')
    .option('--environment <environment>', 'sandbox or production (default: production)')
    .option('--header <name=value...>', 'headers sent with every delivery (repeatable)')
    .option('--retry-policy <preset|json>', 'default, three_retries, none, or a JSON policy object (or @file)')
    .option('--timeout-ms <ms>', 'per-attempt timeout, 1000-60000 (default: 10000)')
    .option('--description <text>', 'a free-text description')
    .option('--signature <scheme>', 'hmac-sha256 (a shared secret) or ed25519 (receivers verify with a public key); default: hmac-sha256')
    .action(async (options: CreateOptions, command: Command) => {
      // Each value as given (text where a number or a name is due): the API names every field it does not take.
      const given: Record<string, unknown> = { url: options.url };
      if (options.eventType) given.event_types = options.eventType;
      if (options.method) given.method = options.method.toUpperCase();
      if (options.environment) given.environment = options.environment;
      if (options.header) given.headers = parseHeaders(options.header);
      if (options.retryPolicy !== undefined) given.retry_policy = parseRetryPolicy(options.retryPolicy);
      if (options.timeoutMs !== undefined) given.timeout_ms = numberOrText(options.timeoutMs);
      if (options.description !== undefined) given.description = options.description;
      if (options.signature !== undefined) given.signature = options.signature;
      const body = given as RequestBody<'createSubscription'>;
      const { client, out } = context(command, 'tenant');
      const created = await client.ok((api) => api.POST('/v1/subscriptions', { body }));
      if (out.json) return out.printJson(created);
      out.line(`id:     ${safe(created.id)}`);
      if (created.public_key) {
        // ed25519: the public key is no secret, and GET shows it again.
        out.line(`public_key: ${safe(created.public_key)}`);
        return;
      }
      out.line(`secret: ${safe(created.secret ?? '')}`);
      out.warn('the signing secret is shown only on create (rotate it to get a new one)');
    });
}
