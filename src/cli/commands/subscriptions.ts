import type { Command } from 'commander';
import { numberOrText, parseHeaders, parseRetryPolicy } from '../options.js';
import { safe } from '../output.js';
import type { Page, Subscription } from '../types.js';
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
        const page = await client.get<Page<Subscription>>('/v1/subscriptions', { environment: options.environment, limit: 100, cursor });
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
      const body: Record<string, unknown> = { url: options.url };
      if (options.eventType) body.event_types = options.eventType;
      if (options.method) body.method = options.method.toUpperCase();
      if (options.environment) body.environment = options.environment;
      if (options.header) body.headers = parseHeaders(options.header);
      if (options.retryPolicy !== undefined) body.retry_policy = parseRetryPolicy(options.retryPolicy);
      if (options.timeoutMs !== undefined) body.timeout_ms = numberOrText(options.timeoutMs);
      if (options.description !== undefined) body.description = options.description;
      if (options.signature !== undefined) body.signature = options.signature;
      const { client, out } = context(command, 'tenant');
      const created = await client.post<Subscription>('/v1/subscriptions', body);
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
