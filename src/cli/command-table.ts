// Every CLI command: its name, the API operations it calls, the credential it uses and its one-line help.
// The one place each command is named: the command modules define themselves from it (defineCommand), and
// a unit test checks it against the OpenAPI document and the routes' credentials. TypeScript refuses a
// table that leaves an operation of the generated client without a command or a reason.
import type { Command } from 'commander';
import type { operations } from '../client/index.js';
import type { TokenKind } from './options.js';

export type OperationId = keyof operations;

interface CommandSpec {
  operations: readonly OperationId[];
  /** Operations it calls only when the token is a tenant's API key (the rest of the credential kind may not). */
  withTenantKey?: readonly OperationId[];
  /** Which token the command takes from the environment, and which routes it may call with it. */
  credential: TokenKind;
  summary: string;
}

export const GROUPS = {
  tenants: 'manage tenants (admin token or a producer key)',
  keys: "manage the producer's API keys (a credential with the keys:manage scope)",
  audit: 'read the audit log (a producer credential with keys:manage: every entry; a tenant API key: its own)',
  subscriptions: "manage the tenant's subscriptions (tenant API key)",
  webhooks: "set the tenant's category webhooks (tenant API key)",
  events: 'post, read and follow events',
  deliveries: "read, redeliver and follow the tenant's deliveries (tenant API key)",
  'event-types': 'the event type catalog (read: any credential; put: a producer credential with catalog:manage)',
} as const;
type Group = keyof typeof GROUPS;

export const COMMANDS = {
  'tenants create': { operations: ['createTenant'], credential: 'admin', summary: 'create a tenant; prints its id and its API key (shown once)' },
  'tenants delete': {
    operations: ['deleteTenant'],
    credential: 'admin',
    summary: 'purge a tenant: its key stops working at once, then a workflow deletes all its data',
  },
  'tenants portal-link': {
    operations: ['createPortalSession'],
    credential: 'admin',
    summary: 'a single-use link that opens the tenant portal as this tenant; prints the URL and when it expires',
  },
  'keys create': { operations: ['createProducerKey'], credential: 'admin', summary: 'create a producer key; prints its id and the key (shown once)' },
  'keys list': {
    operations: ['listProducerKeys'],
    credential: 'admin',
    summary: 'list every producer key, newest first, revoked ones included (follows the pages; never the keys themselves)',
  },
  'keys revoke': {
    operations: ['revokeProducerKey'],
    credential: 'admin',
    summary: 'revoke a producer key: every API process refuses it from now on',
  },
  'audit list': {
    operations: ['listAuditEntries'],
    credential: 'either',
    summary: 'audit entries, newest first, one page (--limit, --cursor)',
  },
  'subscriptions list': {
    operations: ['listSubscriptions'],
    credential: 'tenant',
    summary: 'list every subscription, newest first (follows the pages)',
  },
  'subscriptions create': {
    operations: ['createSubscription'],
    credential: 'tenant',
    summary: 'create a subscription; prints its id and signing secret (or, for ed25519, its public key)',
  },
  'subscriptions get': { operations: ['getSubscription'], credential: 'tenant', summary: 'print a subscription, every field' },
  'subscriptions update': {
    operations: ['updateSubscription'],
    credential: 'tenant',
    summary: 'change the fields given and nothing else; disabling cancels its pending deliveries',
  },
  'subscriptions delete': {
    operations: ['deleteSubscription'],
    credential: 'tenant',
    summary: 'delete a subscription; its pending deliveries are cancelled',
  },
  'subscriptions rotate-secret': {
    operations: ['rotateSubscriptionSecret'],
    credential: 'tenant',
    summary: 'a new signing secret (or ed25519 key pair); replaced ones keep signing for 24 h',
  },
  'subscriptions test': {
    operations: ['sendTestEvent'],
    credential: 'tenant',
    summary: 'send a hookrelay.test event to this subscription only; prints the delivery id',
  },
  'subscriptions stats': {
    operations: ['getSubscriptionStats'],
    credential: 'tenant',
    summary: 'attempts, successes, failures and p50/p99 duration over 1h, 24h or 7d',
  },
  'subscriptions recover': {
    operations: ['recoverSubscription'],
    credential: 'tenant',
    summary: 'redeliver every failed delivery whose event was accepted in [--since, --until), as one workflow',
  },
  'webhooks put': {
    operations: ['putCategoryWebhook'],
    credential: 'tenant',
    summary: "set the tenant's one webhook of a category (users, accounts, endpoints) in an environment",
  },
  'events send': {
    operations: ['postEvent'],
    credential: 'admin',
    summary: 'post an event for a tenant; prints its id and workflow id, or "duplicate"',
  },
  'events send-batch': {
    operations: ['postEventBatch'],
    credential: 'admin',
    summary: 'post 1-500 events from a JSON file (an array, or {"events": [...]}), all or nothing',
  },
  'events get': { operations: ['getEvent'], credential: 'either', summary: 'print an event and its deliveries' },
  'events follow': {
    operations: ['getEvent'],
    withTenantKey: ['getDelivery'],
    credential: 'either',
    summary:
      'follow every delivery of an event until none is pending; exit 0 if all succeeded, else 1 (a tenant API key shows each ' +
      "attempt; a producer credential, which may not read the delivery log, each delivery's count and last result)",
  },
  'deliveries list': {
    operations: ['listDeliveries'],
    credential: 'tenant',
    summary: 'deliveries, newest first, filtered by event, subscription, status, type or environment; one page (--limit, --cursor)',
  },
  'deliveries get': { operations: ['getDelivery'], credential: 'tenant', summary: 'print a delivery with every attempt' },
  'deliveries redeliver': {
    operations: ['redeliverDelivery'],
    credential: 'tenant',
    summary: 'deliver the same event to the same subscription again, as a new delivery; prints its id',
  },
  'deliveries follow': {
    operations: ['getDelivery'],
    credential: 'tenant',
    summary: 'print each attempt of a delivery as it happens until it ends; exit 0 if it succeeded, 1 if it failed or was cancelled',
  },
  'event-types list': { operations: ['listEventTypes'], credential: 'either', summary: 'list the event type catalog' },
  'event-types get': { operations: ['listEventTypes'], credential: 'either', summary: 'print one event type of the catalog, its schema included' },
  'event-types put': {
    operations: ['putEventType'],
    credential: 'admin',
    summary: 'create or replace an event type; a --schema is checked against every payload at ingest',
  },
} as const satisfies Record<`${Group} ${string}`, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** The operations no command calls, and why: none is a tenant's or the producer's work with hookrelay. */
export const NOT_COMMANDS = {
  getLiveness: 'a probe for orchestrators (no credential)',
  getReadiness: 'a probe for orchestrators and load balancers (no credential)',
  getMetrics: 'read by Prometheus',
  getOpenApiDocument: 'read by generators and the tests (this CLI is built on it)',
  getApiReference: 'a page for a browser',
} as const satisfies Partial<Record<OperationId, string>>;

type TenantKeyExtras = { [K in CommandName]: (typeof COMMANDS)[K] extends { withTenantKey: readonly (infer O)[] } ? O : never }[CommandName];
type Covered = (typeof COMMANDS)[CommandName]['operations'][number] | TenantKeyExtras | keyof typeof NOT_COMMANDS;
/** Fails to compile while an operation of the generated client has neither a command nor a reason. */
export type EveryOperationCovered = [Exclude<OperationId, Covered>] extends [never] ? true : { uncovered: Exclude<OperationId, Covered> };
const covered: EveryOperationCovered = true;
void covered;

/** `subscriptions get` under its group, with the table's help; the group is made on first use. */
export function defineCommand(program: Command, name: CommandName): Command {
  const [group, leaf] = name.split(' ') as [Group, string];
  const parent = program.commands.find((c) => c.name() === group) ?? program.command(group).description(GROUPS[group]);
  return parent.command(leaf).description(COMMANDS[name].summary);
}

/** The table's entry of a command made by defineCommand. */
export function commandName(command: Command): CommandName {
  const name = `${command.parent?.name() ?? ''} ${command.name()}`;
  if (!Object.hasOwn(COMMANDS, name)) throw new Error(`${name} is not in src/cli/command-table.ts`);
  return name as CommandName;
}
