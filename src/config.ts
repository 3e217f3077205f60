import { accessSync, constants as fsConstants } from 'node:fs';
import { z } from 'zod';
import { durationMs, parseDuration, DURATION_PATTERN } from './domain/duration.js';
import { parseEncryptionKeys } from './secrets/encryption-keys.js';
import { parseKeyring } from './cursor-keys.js';
import { LOG_FORMATS } from './log-format.js';

/** A path the process can read now: a missing or unreadable certificate fails at start, not at the first connection. */
const readableFile = z
  .string()
  .min(1)
  .superRefine((file, ctx) => {
    try {
      accessSync(file, fsConstants.R_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not readable';
      ctx.addIssue({ code: 'custom', message: `${reason}: ${file}` });
    }
  });

/** An empty variable (`TEMPORAL_TLS_CERT=` in an env file) counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => ['true', '1', 'yes'].includes(value));

/** Every environment variable hookrelay reads; docs/operations.md's configuration table and .env.example list the same (test/unit/docs.test.ts). */
export const ENV_VARIABLES = {
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/hookrelay'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  // true: the API refuses ADMIN_TOKEN (and runs without one); producer keys with scopes are the credentials (docs/security.md).
  ADMIN_TOKEN_DISABLED: bool.default(false),
  // The keys list cursors are signed with: `id:secret[,id:secret…]`, the first signs, every one is accepted (src/cursor-keys.ts).
  HOOKRELAY_CURSOR_KEYS: unsetIfEmpty(
    z.string().transform((text, ctx) => {
      const keyring = parseKeyring(text);
      if ('problem' in keyring) {
        ctx.addIssue({ code: 'custom', message: keyring.problem });
        return z.NEVER;
      }
      return keyring;
    }),
  ),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('hookrelay'),
  // A secured Temporal (Temporal Cloud, a cluster with mTLS): see src/temporal/connection-options.ts.
  TEMPORAL_TLS: unsetIfEmpty(bool),
  TEMPORAL_TLS_CERT: unsetIfEmpty(readableFile),
  TEMPORAL_TLS_KEY: unsetIfEmpty(readableFile),
  TEMPORAL_TLS_CA: unsetIfEmpty(readableFile),
  TEMPORAL_TLS_SERVER_NAME: unsetIfEmpty(z.string()),
  TEMPORAL_API_KEY: unsetIfEmpty(z.string()),
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  AUTO_DISABLE_AFTER: z.string().regex(DURATION_PATTERN).default('5d'),
  NOTIFICATION_WINDOW: z.string().regex(DURATION_PATTERN).default('1h'),
  RETRY_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Unset: chosen by whether stdout is a terminal (src/log-format.ts).
  LOG_FORMAT: unsetIfEmpty(z.enum(LOG_FORMATS)),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(200),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(100),
  WORKER_WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).default(40),
  WORKER_NON_STICKY_POLL_RATIO: z.coerce.number().min(0.1).max(1).default(0.75),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(150),
  WORKER_MAX_CONNECTIONS_PER_ORIGIN: z.coerce.number().int().min(1).default(64),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_CORE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  INGEST_BACKLOG_LIMIT: z.coerce.number().int().min(1).default(100_000),
  // Isolation between receivers (docs/isolation.md).
  ORIGIN_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(200),
  SLOW_START_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(4),
  CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  CIRCUIT_COOLDOWN: z.string().regex(DURATION_PATTERN).default('30s'),
  CIRCUIT_MAX_COOLDOWN: z.string().regex(DURATION_PATTERN).default('10m'),
  INLINE_ATTEMPT_LIMIT: z.string().regex(DURATION_PATTERN).default('2s'),
  FAN_OUT_SLICE: z.coerce.number().int().min(1).max(1000).default(500),
  RELAY_EAGER_START: bool.default(true),
  RELAY_LISTEN: bool.default(true),
  RELAY_SWEEP_INTERVAL: z.string().regex(DURATION_PATTERN).default('2s'),
  RELAY_MAX_STARTING: z.coerce.number().int().min(1).max(100_000).default(32),
  RELAY_TENANT_MAX_STARTING: z.coerce.number().int().min(1).max(100_000).default(16),
  RELAY_CONTENDED_TENANT_MAX_STARTING: z.coerce.number().int().min(1).max(100_000).default(1),
  // Events (with their deliveries and attempts) older than this are deleted by the hookrelay-retention schedule.
  RETENTION: z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as 30d or 72h')
    .refine((v) => (durationMs(v) ?? Infinity) >= 60_000, 'at least 1m')
    .default('30d'),
  // Audit log entries older than this are deleted by the workers, every RETENTION_INTERVAL (src/audit-retention.ts).
  AUDIT_RETENTION: z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as 365d')
    .refine((v) => (durationMs(v) ?? Infinity) >= 60_000, 'at least 1m')
    .default('365d'),
  RETENTION_INTERVAL: z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as 1h')
    .refine((v) => (durationMs(v) ?? Infinity) >= 1_000, 'at least 1s')
    .default('1h'),
  // CSP frame-ancestors sources that may embed the tenant portal (e.g. "https://dashboard.example.com"); default none.
  PORTAL_FRAME_ANCESTORS: z
    .string()
    .regex(/^[\w\s.:/*'-]*$/, 'space-separated CSP sources')
    .default("'none'"),
  // The API's public origin, for the portal links it hands out; default: the origin the request came to.
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // The AES-256-GCM keys that seal stored secrets: `id:base64key[,id:base64key…]`, newest first; the first
  // seals, every one opens (src/secrets/encryption-keys.ts). Required by the API and the worker.
  HOOKRELAY_ENCRYPTION_KEYS: unsetIfEmpty(
    z.string().transform((text, ctx) => {
      const parsed = parseEncryptionKeys(text);
      if ('problems' in parsed) {
        for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return parsed.keys;
    }),
  ),
  // OpenTelemetry traces over OTLP (docs/observability.md): the standard variables, read here so that a
  // wrong value stops the process at start. No endpoint (or OTEL_SDK_DISABLED=true): no SDK, no interceptors.
  OTEL_EXPORTER_OTLP_ENDPOINT: unsetIfEmpty(z.url({ protocol: /^https?$/ })),
  OTEL_EXPORTER_OTLP_PROTOCOL: unsetIfEmpty(z.enum(['http/protobuf', 'http/json', 'grpc'])),
  OTEL_SERVICE_NAME: unsetIfEmpty(z.string()),
  OTEL_TRACES_SAMPLER: unsetIfEmpty(
    z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']),
  ),
  OTEL_TRACES_SAMPLER_ARG: unsetIfEmpty(z.coerce.number().min(0).max(1)),
  OTEL_SDK_DISABLED: unsetIfEmpty(bool),
};

const EnvSchema = z.object(ENV_VARIABLES).superRefine((e, ctx) => {
  // A certificate without its key (or the reverse) is a half-done mTLS set-up, never a choice.
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    const missing = e.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its private key)',
    });
  }
  if (e.TEMPORAL_TLS === false && (e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_API_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS'], message: 'false, but TLS files or an API key are set' });
  }
});

/** How to reach Temporal securely; empty for a plain local server. */
export interface TemporalSecurity {
  /** Files read at each connection, so a renewed certificate is picked up by the next one. */
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string } | boolean;
  apiKey?: string;
}

/** The configuration as the code uses it: named for what it is, durations in ms. Its type is the mapping's (below). */
export type Config = ReturnType<typeof fromEnvironment>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return fromEnvironment(parsed.data);
}

function fromEnvironment(e: z.infer<typeof EnvSchema>) {
  return {
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    /** Undefined when unset or when ADMIN_TOKEN_DISABLED turns it off: then no request is the admin token. */
    adminToken: e.ADMIN_TOKEN_DISABLED ? undefined : e.ADMIN_TOKEN,
    adminTokenDisabled: e.ADMIN_TOKEN_DISABLED,
    cursorKeys: e.HOOKRELAY_CURSOR_KEYS,
    host: e.HOST,
    port: e.PORT,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    temporalSecurity: temporalSecurity(e),
    allowPrivateTargets: e.ALLOW_PRIVATE_TARGETS,
    autoDisableAfterMs: parseDuration(e.AUTO_DISABLE_AFTER),
    notificationWindowMs: parseDuration(e.NOTIFICATION_WINDOW),
    retryTimeScale: e.RETRY_TIME_SCALE,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    workerMaxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    workerMaxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConnectionsPerOrigin: e.WORKER_MAX_CONNECTIONS_PER_ORIGIN,
    workflowTaskPollers: e.WORKER_WORKFLOW_TASK_POLLERS,
    nonStickyPollRatio: e.WORKER_NON_STICKY_POLL_RATIO,
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    workerCoreMetricsPort: e.WORKER_CORE_METRICS_PORT,
    /** Above this many accepted events waiting for their workflow start, the API answers 503. */
    ingestBacklogLimit: e.INGEST_BACKLOG_LIMIT,
    /** Attempts in flight to one origin (scheme://host:port) across subscriptions and workers. */
    originMaxInFlight: e.ORIGIN_MAX_IN_FLIGHT,
    /** Attempts in flight to a receiver that has not answered yet; each answer allows one more, up to max_in_flight. */
    slowStartInFlight: e.SLOW_START_IN_FLIGHT,
    /** Consecutive failures as if down that open a subscription's circuit. */
    circuitFailureThreshold: e.CIRCUIT_FAILURE_THRESHOLD,
    circuitCooldownMs: parseDuration(e.CIRCUIT_COOLDOWN),
    circuitMaxCooldownMs: parseDuration(e.CIRCUIT_MAX_COOLDOWN),
    /** The longest an event's first workflow task waits for its first attempts; slower ones go on outside it. */
    inlineAttemptLimitMs: parseDuration(e.INLINE_ATTEMPT_LIMIT),
    /** The most deliveries one workflow makes; a larger fan-out gets a child workflow per slice of this many. */
    fanOutSlice: e.FAN_OUT_SLICE,
    /** The relay starts workflows eagerly through the worker's own connection. */
    relayEagerStart: e.RELAY_EAGER_START,
    /** Woken by PostgreSQL's NOTIFY; off (sweep only) where NOTIFY is not delivered, as with the embedded PGlite. */
    relayListen: e.RELAY_LISTEN,
    relaySweepIntervalMs: parseDuration(e.RELAY_SWEEP_INTERVAL),
    /** Events started that have not been dispatched yet, at most, in all and of one tenant (docs/isolation.md). */
    relayStarting: { total: e.RELAY_MAX_STARTING, perTenant: e.RELAY_TENANT_MAX_STARTING, contendedPerTenant: e.RELAY_CONTENDED_TENANT_MAX_STARTING },
    portalFrameAncestors: e.PORTAL_FRAME_ANCESTORS.trim() || "'none'",
    retentionMs: parseDuration(e.RETENTION),
    retentionIntervalMs: parseDuration(e.RETENTION_INTERVAL),
    auditRetentionMs: parseDuration(e.AUDIT_RETENTION),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    /** Newest first; undefined when unset (the API and the worker refuse to start without them). */
    encryptionKeys: e.HOOKRELAY_ENCRYPTION_KEYS,
    tracing: tracingSettings(e),
  };
}

/** Where traces go and which are kept; undefined when tracing is off (no endpoint, or the SDK disabled). */
export interface TracingSettings {
  /** The OTLP base URL (`/v1/traces` is added for the HTTP protocols). */
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json' | 'grpc';
  /** OTEL_SERVICE_NAME; each process has its own default (hookrelay-api, hookrelay-worker). */
  serviceName?: string;
  /** The OpenTelemetry spec's default: a producer's sampled flag decides, else every trace is kept. */
  sampler: NonNullable<z.infer<typeof EnvSchema>['OTEL_TRACES_SAMPLER']>;
  samplerArg?: number;
}

function tracingSettings(e: z.infer<typeof EnvSchema>): TracingSettings | undefined {
  if (!e.OTEL_EXPORTER_OTLP_ENDPOINT || e.OTEL_SDK_DISABLED) return undefined;
  return {
    endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    // The OpenTelemetry spec's default protocol.
    protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    ...(e.OTEL_SERVICE_NAME ? { serviceName: e.OTEL_SERVICE_NAME } : {}),
    sampler: e.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    ...(e.OTEL_TRACES_SAMPLER_ARG !== undefined ? { samplerArg: e.OTEL_TRACES_SAMPLER_ARG } : {}),
  };
}

function temporalSecurity(e: z.infer<typeof EnvSchema>): TemporalSecurity {
  const files = {
    ...(e.TEMPORAL_TLS_CERT ? { certPath: e.TEMPORAL_TLS_CERT } : {}),
    ...(e.TEMPORAL_TLS_KEY ? { keyPath: e.TEMPORAL_TLS_KEY } : {}),
    ...(e.TEMPORAL_TLS_CA ? { caPath: e.TEMPORAL_TLS_CA } : {}),
    ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
  const tls = Object.keys(files).length > 0 ? files : e.TEMPORAL_TLS;
  return {
    ...(tls !== undefined ? { tls } : {}),
    ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
  };
}
