import type { Command } from 'commander';
import { defineCommand } from '../command-table.js';
import { fieldLines, printFields } from '../format.js';
import { parseJsonOption } from '../options.js';
import { safe, type Output } from '../output.js';
import { addSubscriptionOptions, subscriptionBody, type SubscriptionOptions } from '../subscription-options.js';
import type { RequestBody, Schemas } from '../../client/index.js';
import type { Subscription } from '../types.js';
import { context } from './context.js';

type Environment = Schemas['Environment'];
type StatsWindow = Schemas['SubscriptionStats']['window'];

/** Every field of a subscription, the secret (present only on create) aside. */
function printSubscription(out: Output, subscription: Subscription): void {
  for (const line of fieldLines(subscription, ['secret'])) out.line(line);
}

/** The id and the signing secret (or public key) a create answers once. */
function printCreated(out: Output, created: Subscription): void {
  out.line(`id:     ${safe(created.id)}`);
  if (created.public_key) {
    // ed25519: the public key is no secret, and GET shows it again.
    out.line(`public_key: ${safe(created.public_key)}`);
    return;
  }
  out.line(`secret: ${safe(created.secret ?? '')}`);
  out.warn('the signing secret is shown only on create (rotate it to get a new one)');
}

export function subscriptionCommands(program: Command): void {
  defineCommand(program, 'subscriptions list')
    .option('--environment <environment>', 'only this environment: sandbox or production')
    .action(async (options: { environment?: string }, command: Command) => {
      const { client, out } = context(command);
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

  addSubscriptionOptions(defineCommand(program, 'subscriptions create'), 'create').action(async (options: SubscriptionOptions, command: Command) => {
    const body = subscriptionBody(options) as RequestBody<'createSubscription'>;
    const { client, out } = context(command);
    const created = await client.ok((api) => api.POST('/v1/subscriptions', { body }));
    if (out.json) return out.printJson(created);
    printCreated(out, created);
  });

  defineCommand(program, 'subscriptions get')
    .argument('<id>', 'the subscription id (sub_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      const subscription = await client.ok((api) => api.GET('/v1/subscriptions/{id}', { params: { path: { id } } }));
      if (out.json) return out.printJson(subscription);
      printSubscription(out, subscription);
    });

  addSubscriptionOptions(defineCommand(program, 'subscriptions update').argument('<id>', 'the subscription id (sub_…)'), 'update').action(
    async (id: string, options: SubscriptionOptions, command: Command) => {
      const body = subscriptionBody(options) as RequestBody<'updateSubscription'>;
      const { client, out } = context(command);
      const updated = await client.ok((api) => api.PATCH('/v1/subscriptions/{id}', { params: { path: { id } }, body }));
      if (out.json) return out.printJson(updated);
      printSubscription(out, updated);
    },
  );

  defineCommand(program, 'subscriptions delete')
    .argument('<id>', 'the subscription id (sub_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      await client.ok((api) => api.DELETE('/v1/subscriptions/{id}', { params: { path: { id } } }));
      if (out.json) return out.printJson({ id, deleted: true });
      out.line(`deleted ${safe(id)}`);
    });

  defineCommand(program, 'subscriptions rotate-secret')
    .argument('<id>', 'the subscription id (sub_…)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client, out } = context(command);
      const rotated = await client.ok((api) => api.POST('/v1/subscriptions/{id}/rotate-secret', { params: { path: { id } } }));
      if (out.json) return out.printJson(rotated);
      if (rotated.public_key) out.line(`public_key: ${safe(rotated.public_key)}`);
      if (rotated.secret) out.line(`secret: ${safe(rotated.secret)}`);
      for (const previous of rotated.previous_secrets) out.line(`previous secret signs until ${safe(previous.expires_at)}`);
      if (rotated.warning) out.warn(rotated.warning);
      if (rotated.secret) out.warn('the new signing secret is shown only this once');
    });

  defineCommand(program, 'subscriptions test')
    .argument('<id>', 'the subscription id (sub_…)')
    .option(
      '--payload <json>',
      "the body the receiver gets, a JSON object (or @file); default: a short description of the test, or the type's example",
    )
    .option('--event-type <type>', 'hookrelay.test (the default) or a type of the event type catalog; the payload is checked against its schema')
    .action(async (id: string, options: { payload?: string; eventType?: string }, command: Command) => {
      const body: RequestBody<'sendTestEvent'> = {};
      if (options.eventType !== undefined) body.event_type = options.eventType;
      if (options.payload !== undefined) body.payload = parseJsonOption('--payload', options.payload) as typeof body.payload;
      const { client, out } = context(command);
      const sent = await client.ok((api) => api.POST('/v1/subscriptions/{id}/test', { params: { path: { id } }, body }));
      printFields(out, sent);
    });

  defineCommand(program, 'subscriptions stats')
    .argument('<id>', 'the subscription id (sub_…)')
    .option('--window <window>', '1h, 24h or 7d (default: 24h)')
    .action(async (id: string, options: { window?: string }, command: Command) => {
      const { client, out } = context(command);
      const window = options.window as StatsWindow | undefined;
      const stats = await client.ok((api) => api.GET('/v1/subscriptions/{id}/stats', { params: { path: { id }, query: { window } } }));
      if (out.json) return out.printJson(stats);
      // The time series is for charts: --json has it.
      for (const line of fieldLines(stats, ['buckets', 'bucket_ms'])) out.line(line);
    });

  defineCommand(program, 'subscriptions recover')
    .argument('<id>', 'the subscription id (sub_…)')
    .requiredOption('--since <time>', 'events accepted at or after this time, e.g. 2030-01-01T00:00:00Z (at most 14 days back)')
    .option('--until <time>', 'events accepted before this time (default: now)')
    .action(async (id: string, options: { since: string; until?: string }, command: Command) => {
      const body: RequestBody<'recoverSubscription'> = { since: options.since };
      if (options.until !== undefined) body.until = options.until;
      const { client, out } = context(command);
      const accepted = await client.ok((api) => api.POST('/v1/subscriptions/{id}/recover', { params: { path: { id } }, body }));
      printFields(out, accepted);
    });
}

export { printCreated };
