import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';
import type { Pool } from './db/pool.js';
import { createActivities } from './activities/index.js';
import { makeLifecycleActivities } from './activities/lifecycle.js';
import { ensureRetentionSchedule } from './temporal/retention-schedule.js';
import { createDeliveryAgent } from './delivery/http-agent.js';
import { createWorkerMetrics, registerCircuitGauge, registerWaitingGauge, type WorkerMetrics } from './metrics.js';
import { circuitCounts } from './db/isolation.js';
import { waitingDeliveries } from './db/rate-limit.js';
import { TRACING_WORKFLOW_INTERCEPTORS, WORKFLOW_BUNDLE_FILES, WORKFLOWS_PATH } from './temporal/workflows-path.js';
import type { Tracing } from './telemetry/tracing.js';
import { temporalTracing } from './telemetry/temporal.js';
import { inRelayStartSpan } from './telemetry/relay-span.js';
import { builtFile } from './build-output.js';
import { Client } from '@temporalio/client';
import { pino, type Logger } from 'pino';
import { EventRelay } from './relay/event-relay.js';
import { startAuditRetention } from './audit-retention.js';
import { temporalConnectionOptions } from './temporal/connection-options.js';
import { startEventWorkflow, wakeLane } from './temporal/workflow-starts.js';
import { secretsAtStart } from './secrets/at-start.js';

// Temporal's answer to an event workflow's start, at most; the relay retries a start that took longer.
const RELAY_START_DEADLINE_MS = 10_000;

export interface WorkerHandle {
  worker: Worker;
  connection: NativeConnection;
  /** Settles when the worker has stopped (after shutdown, or on a fatal error). */
  done: Promise<void>;
  metrics: WorkerMetrics;
  /** Drains: no new tasks, activities in flight finish, then the connection and agent close. */
  shutdown(): Promise<void>;
}

/**
 * The workflow code: a bundle given by the caller (the tests make one per run), else the one `npm run build`
 * wrote (the built worker), else the sources, bundled by the SDK's webpack inside this process (tsx). With
 * tracing on it is the traced code: the bundle with Temporal's OpenTelemetry workflow interceptors (a given
 * bundle must be one), or the sources bundled with them.
 */
function workflowCode(
  given: WorkerOptions['workflowBundle'],
  traced: boolean,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  if (given) return { workflowBundle: given };
  const codePath = builtFile(traced ? WORKFLOW_BUNDLE_FILES.traced : WORKFLOW_BUNDLE_FILES.plain);
  if (codePath) return { workflowBundle: { codePath } };
  return { workflowsPath: WORKFLOWS_PATH, ...(traced ? { interceptors: { workflowModules: [TRACING_WORKFLOW_INTERCEPTORS] } } : {}) };
}

/** Creates the worker and starts polling. */
export async function createWorker(
  config: Config,
  pool: Pool,
  extra: Pick<WorkerOptions, 'workflowBundle'> & { clock?: () => Date; metrics?: WorkerMetrics; logger?: Logger; tracing?: Tracing } = {},
): Promise<WorkerHandle> {
  // Before anything polls: a missing or wrong HOOKRELAY_ENCRYPTION_KEYS stops the worker here, naming it.
  const keyring = await secretsAtStart(pool, config.encryptionKeys, 'worker', extra.logger);
  const metrics = extra.metrics ?? createWorkerMetrics(false);
  registerWaitingGauge(metrics.registry, () => waitingDeliveries(pool));
  registerCircuitGauge(metrics.registry, () => circuitCounts(pool));
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporalAddress, config.temporalSecurity));
  const agent = createDeliveryAgent({
    allowPrivateTargets: config.allowPrivateTargets,
    connectionsPerOrigin: config.maxConnectionsPerOrigin,
  });
  const tracing = extra.tracing;
  const traced = tracing ? await temporalTracing(tracing) : undefined;
  const client = new Client({
    connection,
    namespace: config.temporalNamespace,
    ...(traced ? { interceptors: { workflow: traced.clientInterceptors } } : {}),
  });
  const code = workflowCode(extra.workflowBundle, tracing !== undefined);
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    ...code,
    // Tracing off: no interceptor and no sink at all, so nothing is spent on it.
    ...(traced ? { interceptors: { ...code.interceptors, activity: traced.activityInterceptors }, sinks: traced.sinks } : {}),
    activities: {
      ...createActivities({
        pool,
        agent,
        clock: extra.clock,
        allowPrivateTargets: config.allowPrivateTargets,
        autoDisableAfterMs: config.autoDisableAfterMs,
        notificationWindowMs: config.notificationWindowMs,
        metrics,
        ...(extra.logger ? { logger: extra.logger } : {}),
        isolation: {
          originMaxInFlight: config.originMaxInFlight,
          slowStartInFlight: config.slowStartInFlight,
          circuit: {
            failureThreshold: config.circuitFailureThreshold,
            cooldownMs: Math.max(1, config.circuitCooldownMs * config.retryTimeScale),
            maxCooldownMs: Math.max(1, config.circuitMaxCooldownMs * config.retryTimeScale),
          },
          inlineAttemptLimitMs: config.inlineAttemptLimitMs,
          fanOutSlice: config.fanOutSlice,
        },
        keyring,
        ...(tracing ? { tracer: tracing.tracer } : {}),
        wakeLane: (lane, timeScale, taskQueue) => wakeLane(client, taskQueue, lane, timeScale),
        // Activities run only once the worker runs, after the relay below exists.
        onDispatched: () => relay.dispatched(),
      }),
      ...makeLifecycleActivities(pool),
    },
    maxConcurrentActivityTaskExecutions: config.workerMaxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.workerMaxConcurrentWorkflowTasks,
    maxConcurrentLocalActivityExecutions: config.workerMaxConcurrentActivities,
    // Most events finish in their first workflow task, which always comes from the normal (non-sticky)
    // queue, so most polls go there (the SDK's default ratio sends 80% to the sticky queue).
    maxConcurrentWorkflowTaskPolls: Math.min(config.workflowTaskPollers, config.workerMaxConcurrentWorkflowTasks),
    nonStickyToStickyPollRatio: config.nonStickyPollRatio,
    // Bounded, not the SDK's default (sized from the V8 heap limit, thousands on a large machine): every
    // workflow waiting in the cache (a FIFO lane's queue, a retry backlog) holds its state in memory, so a
    // backlog would raise the worker's memory with it. The default is 1.5 times the workflow tasks in
    // flight: a cache much smaller than those thrashes under a retry backlog. An evicted workflow is
    // replayed from its (short) history when it next has work.
    maxCachedWorkflows: config.maxCachedWorkflows,
    shutdownGraceTime: '30s',
  });
  // The relay lives where the workflow tasks run: started through this worker's own connection, an
  // event's first workflow task comes back in the start's answer (eager start).
  const relay = new EventRelay(
    {
      pool,
      databaseUrl: config.databaseUrl,
      // A start that Temporal does not answer within the deadline is retried by the relay (same id, so never twice).
      startWorkflow: (event) =>
        inRelayStartSpan(tracing?.tracer, event, () =>
          client.withDeadline(Date.now() + RELAY_START_DEADLINE_MS, () =>
            startEventWorkflow(
              client,
              config.taskQueue,
              {
                workflowId: event.workflow_id,
                tenantId: event.tenant_id,
                eventId: event.id,
                environment: event.environment,
                type: event.type,
                timeScale: config.retryTimeScale,
              },
              config.relayEagerStart,
            ),
          ),
        ),
      logger: extra.logger ?? pino({ level: 'silent' }),
      onStarted: (count) => metrics.workflowsStarted.inc(count),
    },
    { listen: config.relayListen, sweepIntervalMs: config.relaySweepIntervalMs, starting: config.relayStarting },
  );
  await ensureRetentionSchedule(connection, config);
  const done = worker.run();
  relay.start();
  const auditRetention = startAuditRetention({
    db: pool,
    retentionMs: config.auditRetentionMs,
    intervalMs: config.retentionIntervalMs,
    ...(extra.logger ? { logger: extra.logger } : {}),
  });
  let stopped: Promise<void> | undefined;
  return {
    worker,
    connection,
    done,
    metrics,
    shutdown() {
      stopped ??= (async () => {
        await relay.stop();
        await auditRetention.stop();
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done.catch(() => {});
        await agent.close();
        await connection.close();
      })();
      return stopped;
    },
  };
}
