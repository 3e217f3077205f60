// The subscription fields as options, the same for `subscriptions create` and `update` (an update sends only
// the fields given). Values go to the API as given where it can check them, so its error names the field.
import { Option, type Command } from 'commander';
import { ENVIRONMENTS } from '../domain/environment.js';
import { HTTP_METHODS } from '../domain/http-method.js';
import { MAX_IN_FLIGHT_BOUNDS, ORDERINGS, RATE_LIMIT_PERIODS } from '../domain/flow-control.js';
import { RETRY_PRESETS } from '../domain/retry-policy.js';
import { SIGNATURE_SCHEMES } from '../domain/signature-scheme.js';
import { SUBSCRIPTION_DEFAULTS } from '../api/schemas/subscription.js';
import { enabledOption, numberOrText, parseMapOption, parseRateLimit, parseRetryPolicy } from './options.js';

export interface SubscriptionOptions {
  url?: string;
  description?: string | false;
  eventType?: string[];
  environment?: string;
  method?: string;
  header?: string[];
  fieldMap?: string[];
  retryPolicy?: string;
  timeoutMs?: string;
  enabled?: boolean;
  disabled?: boolean;
  rateLimit?: string | false;
  ordering?: string;
  maxInFlight?: string;
  signature?: string;
}

const list = (values: readonly string[]) => values.join(', ');

/** `(default: x)` on create, where the API fills in what is left out; nothing on update, which changes only what is given. */
const byDefault = (create: boolean, value: unknown) => (create ? ` (default: ${String(value)})` : '');

export function addSubscriptionOptions(command: Command, mode: 'create' | 'update'): Command {
  const create = mode === 'create';
  return command
    .addOption(new Option('--url <url>', 'where to deliver (http or https)').makeOptionMandatory(create))
    .option('--description <text>', 'a free-text description')
    .option('--no-description', create ? 'no description (the default)' : 'remove the description')
    .option(
      '--event-type <pattern...>',
      `event type patterns, e.g. "user.*" (repeatable)${byDefault(create, SUBSCRIPTION_DEFAULTS.event_types.join(' '))}`,
    )
    .option('--environment <environment>', `${list(ENVIRONMENTS)}${byDefault(create, SUBSCRIPTION_DEFAULTS.environment)}`)
    .option('--method <method>', `${list(HTTP_METHODS)}${byDefault(create, SUBSCRIPTION_DEFAULTS.method)}`)
    .option('--header <name=value...>', "headers sent with every delivery: repeatable name=value, or one JSON object ('{}' clears them)")
    .option('--field-map <from=to...>', "payload fields renamed on delivery: repeatable from=to, or one JSON object ('{}' clears it)")
    .option(
      '--retry-policy <preset|json>',
      `${list(RETRY_PRESETS)}, or a JSON policy object (or @file) with custom fields${byDefault(create, SUBSCRIPTION_DEFAULTS.retry_policy)}`,
    )
    .option('--timeout-ms <ms>', `per-attempt timeout in milliseconds${byDefault(create, SUBSCRIPTION_DEFAULTS.timeout_ms)}`)
    .option('--enabled', create ? 'deliver to it (the default)' : 'enable it')
    .option('--disabled', create ? 'create it disabled: nothing is delivered until it is enabled' : 'disable it (cancels its pending deliveries)')
    .option('--rate-limit <requests/period>', `at most this many attempts per period (${list(RATE_LIMIT_PERIODS)}), e.g. 100/1m, or a JSON object`)
    .option('--no-rate-limit', create ? 'no rate limit (the default)' : 'remove the rate limit')
    .option(
      '--ordering <ordering>',
      `${list(ORDERINGS)}: fifo delivers one at a time in acceptance order${byDefault(create, SUBSCRIPTION_DEFAULTS.ordering)}`,
    )
    .option(
      '--max-in-flight <n>',
      `attempts in flight at once, ${MAX_IN_FLIGHT_BOUNDS.min}-${MAX_IN_FLIGHT_BOUNDS.max}${byDefault(create, SUBSCRIPTION_DEFAULTS.max_in_flight)}`,
    )
    .option(
      '--signature <scheme>',
      `${list(SIGNATURE_SCHEMES)}${create ? byDefault(create, SUBSCRIPTION_DEFAULTS.signature) : ' (chosen at create; an update may only repeat it)'}`,
    );
}

/** The request body of the options given: each field only when its option was. */
export function subscriptionBody(options: SubscriptionOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.url !== undefined) body.url = options.url;
  if (options.description !== undefined) body.description = options.description === false ? null : options.description;
  if (options.eventType) body.event_types = options.eventType;
  if (options.environment !== undefined) body.environment = options.environment;
  if (options.method !== undefined) body.method = options.method.toUpperCase();
  if (options.header) body.headers = parseMapOption('--header', options.header);
  if (options.fieldMap) body.field_map = parseMapOption('--field-map', options.fieldMap);
  if (options.retryPolicy !== undefined) body.retry_policy = parseRetryPolicy(options.retryPolicy);
  if (options.timeoutMs !== undefined) body.timeout_ms = numberOrText(options.timeoutMs);
  const enabled = enabledOption(options);
  if (enabled !== undefined) body.enabled = enabled;
  if (options.rateLimit !== undefined) body.rate_limit = options.rateLimit === false ? null : parseRateLimit(options.rateLimit);
  if (options.ordering !== undefined) body.ordering = options.ordering;
  if (options.maxInFlight !== undefined) body.max_in_flight = numberOrText(options.maxInFlight);
  if (options.signature !== undefined) body.signature = options.signature;
  return body;
}
