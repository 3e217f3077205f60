import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WAIT_REASONS } from './domain/flow-control.js';

export interface ApiMetrics {
  registry: Registry;
  eventsAccepted: Counter<'environment' | 'result'>;
  httpRequests: Histogram<'method' | 'route' | 'status'>;
}

export interface WorkerMetrics {
  registry: Registry;
  deliveries: Counter<'outcome'>;
  attempts: Counter<'status_class'>;
  acceptedToDelivered: Histogram;
  attemptsPerDelivery: Histogram;
  inFlight: Gauge;
  workflowsStarted: Counter;
  attemptRecordFailures: Counter<'outcome'>;
  gateRefusals: Counter<'reason'>;
}

const PROCESS_PREFIX = 'hookrelay_';

/**
 * prom-client's default metrics include three gauges named like counters (`nodejs_active_handles_total`,
 * `_requests_total`, `_resources_total`), which `promtool check metrics` refuses. Each is the sum of the
 * gauge of the same name without `_total` (by type), so a query loses nothing: `sum(…_active_handles)`.
 */
const GAUGES_NAMED_AS_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** A registry per process part (not prom-client's global one): several can live in one test process. */
function registry(withProcessMetrics: boolean): Registry {
  const r = new Registry();
  if (withProcessMetrics) {
    collectDefaultMetrics({ register: r, prefix: PROCESS_PREFIX });
    for (const name of GAUGES_NAMED_AS_COUNTERS) r.removeSingleMetric(PROCESS_PREFIX + name);
  }
  return r;
}

export function createApiMetrics(withProcessMetrics = true): ApiMetrics {
  const r = registry(withProcessMetrics);
  return {
    registry: r,
    eventsAccepted: new Counter({
      name: 'hookrelay_events_accepted_total',
      help: 'Events posted by the producer: result is accepted (committed in PostgreSQL; a relay starts its workflow) or duplicate',
      labelNames: ['environment', 'result'],
      registers: [r],
    }),
    httpRequests: new Histogram({
      name: 'hookrelay_http_request_duration_seconds',
      help: 'API request durations by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    }),
  };
}

export function createWorkerMetrics(withProcessMetrics = true): WorkerMetrics {
  const r = registry(withProcessMetrics);
  return {
    registry: r,
    deliveries: new Counter({
      name: 'hookrelay_deliveries_total',
      help: 'Deliveries that ended, by outcome (succeeded, failed, cancelled)',
      labelNames: ['outcome'],
      registers: [r],
    }),
    attempts: new Counter({
      name: 'hookrelay_attempts_total',
      help: 'HTTP attempts by status class (2xx, 3xx, 4xx, 5xx) or error class (timeout, connection_refused, dns, tls, ssrf_blocked, ...)',
      labelNames: ['status_class'],
      registers: [r],
    }),
    acceptedToDelivered: new Histogram({
      name: 'hookrelay_event_accepted_to_delivered_seconds',
      help: 'From the event accepted by the API to a successful delivery',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400],
      registers: [r],
    }),
    attemptsPerDelivery: new Histogram({
      name: 'hookrelay_attempts_per_delivery',
      help: 'Attempts a delivery took, observed when it ends',
      buckets: [1, 2, 3, 4, 5, 10, 20, 50, 100],
      registers: [r],
    }),
    inFlight: new Gauge({
      name: 'hookrelay_deliveries_in_flight',
      help: 'HTTP attempts running now in this worker',
      registers: [r],
    }),
    attemptRecordFailures: new Counter({
      name: 'hookrelay_attempt_record_failures_total',
      help: 'Attempts whose record the database refused: outcome is recorded_without_response (a value from the receiver was left out) or not_recorded (the delivery ended failed instead of sending again)',
      labelNames: ['outcome'],
      registers: [r],
    }),
    gateRefusals: new Counter({
      name: 'hookrelay_attempts_not_admitted_total',
      help: "Attempts that waited instead of going out (docs/isolation.md): reason is circuit_open, circuit_half_open (a probe is in flight), in_flight (the subscription's max_in_flight) or origin_in_flight",
      labelNames: ['reason'],
      registers: [r],
    }),
    workflowsStarted: new Counter({
      name: 'hookrelay_relay_workflows_started_total',
      help: "Event workflows this worker's relay started (accepted events handed to Temporal)",
      registers: [r],
    }),
  };
}

export function statusClass(statusCode: number | undefined, errorClass: string | undefined): string {
  return statusCode !== undefined ? `${Math.floor(statusCode / 100)}xx` : (errorClass ?? 'network');
}

/**
 * `hookrelay_deliveries_waiting{reason}`: pending deliveries waiting for a rate-limit slot or behind an
 * earlier delivery of a FIFO subscription, counted in PostgreSQL at each scrape (the waits live in
 * workflows on every worker, so no single process could count them). Registered once per registry.
 */
export function registerWaitingGauge(r: Registry, read: () => Promise<Array<{ reason: string; count: number }>>): void {
  const name = 'hookrelay_deliveries_waiting';
  if (r.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Pending deliveries that wait: reason="rate_limit" for a rate-limit slot, reason="fifo" behind an earlier delivery of a FIFO subscription, reason="circuit_open" for its circuit to close, reason="in_flight" for an in-flight slot',
    labelNames: ['reason'],
    registers: [r],
    async collect() {
      const counts = new Map<string, number>(WAIT_REASONS.map((reason) => [reason, 0]));
      for (const { reason, count } of await read().catch(() => [])) counts.set(reason, count);
      for (const [reason, count] of counts) this.set({ reason }, count);
    },
  });
}

/** `hookrelay_circuits{state}`: subscriptions whose circuit is open or half-open, counted in PostgreSQL at each scrape. */
export function registerCircuitGauge(r: Registry, read: () => Promise<Array<{ state: string; count: number }>>): void {
  const name = 'hookrelay_circuits';
  if (r.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Subscriptions whose circuit breaker is not closed: state="open" (attempts wait for the cool-down) or state="half_open" (one probe in flight)',
    labelNames: ['state'],
    registers: [r],
    async collect() {
      const counts = new Map<string, number>([
        ['open', 0],
        ['half_open', 0],
      ]);
      for (const { state, count } of await read().catch(() => [])) counts.set(state, count);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
}
