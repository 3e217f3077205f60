// `npm run reliability [-- --quick] [-- --engine cluster]`: no accepted event is lost under faults.
// Every accepted event must arrive at least once; exits non-zero on any loss; prints the duplicates.
//
// --engine dev (default): one worker and one API on the Temporal dev server. While events are sent, the
// worker is SIGKILLed and restarted, then the dev server is stopped and restarted on the same SQLite file.
//
// --engine cluster: the production topology of `npm run dev:cluster` (Temporal server on PostgreSQL, two
// workers, two APIs; events posted across both APIs) on a PostgreSQL instance of its own, since it is
// restarted: RELIABILITY_PG_CLUSTER (default 15/reliability, made with pg_createcluster if missing) on
// RELIABILITY_PG_PORT (5434). While events are sent: SIGKILL the Temporal server and start it again;
// stop PostgreSQL for 5 s and start it again; SIGKILL one worker, which stays down until the events in
// flight at that moment were delivered by the other one (the takeover time is printed), then restarts.
// Nothing is restarted by hand otherwise: a hookrelay process that exits by itself fails the run.
//
// Both then take the receiver down for a while and bring it back, take Temporal down while events are
// posted, and last SIGKILL a worker while attempts to a receiver that never answers are in flight or
// waiting at the gate (bench/reliability-black-hole.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { newCursorKeyEntry } from '../src/cursor-keys.js';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startBenchStack } from './lib/stack.js';
import { startBenchReceiver, type BenchReceiver } from './lib/receiver.js';
import { apiClient } from './lib/api.js';
import { freePort } from '../tools/ports.js';
import { newEncryptionKeyEntry } from '../src/secrets/encryption-keys.js';
import { freeClusterPorts } from '../tools/temporal/cluster-server.js';
import { startClusterStack, type ClusterStack } from '../tools/temporal/cluster-stack.js';
import { blackHolePhase } from './reliability-black-hole.js';
import { scrapeCounter } from './lib/metrics.js';

const quick = process.argv.includes('--quick');
const engineArg = process.argv.indexOf('--engine');
const engine = engineArg >= 0 ? process.argv[engineArg + 1] : 'dev';
if (engine !== 'dev' && engine !== 'cluster') throw new Error(`--engine dev|cluster, got ${engine}`);
const P = quick
  ? {
      events: 400,
      ratePerS: 50,
      downEvents: 100,
      downS: 10,
      waitS: 180,
      temporalDownS: 15,
      heldRatePerS: 50,
      blackHoleEvents: 40,
      blackHoleWaitS: 120,
    }
  : {
      events: 2000,
      ratePerS: 100,
      downEvents: 500,
      downS: 30,
      waitS: 600,
      temporalDownS: 60,
      heldRatePerS: 100,
      blackHoleEvents: 200,
      blackHoleWaitS: 240,
    };
// The cluster's faults take longer (a takeover waits out timeouts): a lower rate keeps events arriving
// through all three of them (80 s of sending quick, 100 s full).
if (engine === 'cluster') P.ratePerS = quick ? 5 : 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const say = (msg: string) => console.error(`[reliability] ${new Date().toISOString().slice(11, 19)} ${msg}`);

type Api = ReturnType<typeof apiClient>;

/** Posts each event once at `ratePerS`, round robin over the APIs; returns the answers that were not 202. */
async function sendOnceAtRate(apis: Api[], adminToken: string, tenantId: string, ids: string[], ratePerS: number) {
  const refused: string[] = [];
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = start + (i * 1000) / ratePerS - Date.now();
    if (wait > 0) await sleep(wait);
    const id = ids[i]!;
    inFlight.push(
      apis[i % apis.length]!.postEvent(adminToken, {
        id,
        tenant_id: tenantId,
        environment: 'production',
        type: 'reliability.test',
        payload: { id },
      }).then(
        (res) => {
          if (res.status !== 202) refused.push(`${id}: ${res.status}`);
        },
        (error) => {
          refused.push(`${id}: ${error}`);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return refused;
}

/** A producer's duty: an event not acknowledged (503, connection refused) is sent again, with the same id. */
async function sendUntilAccepted(api: Api, adminToken: string, tenantId: string, id: string): Promise<{ retries: number }> {
  for (let retries = 0; ; retries++) {
    try {
      const res = await api.postEvent(adminToken, {
        id,
        tenant_id: tenantId,
        environment: 'production',
        type: 'reliability.test',
        payload: { id },
      });
      if (res.status === 202 || res.status === 200) return { retries };
    } catch {
      /* the API itself unreachable: same as a 503 */
    }
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(retries, 4)));
  }
}

/** Sends at a steady rate, round-robin over the APIs; `onProgress` must not block (faults run beside). */
async function sendAtRate(apis: Api[], adminToken: string, tenantId: string, ids: string[], ratePerS: number, onProgress?: (sent: number) => void) {
  let retries = 0;
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = start + (i * 1000) / ratePerS - Date.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      sendUntilAccepted(apis[i % apis.length]!, adminToken, tenantId, ids[i]!).then((r) => {
        retries += r.retries;
      }),
    );
    onProgress?.(i + 1);
  }
  await Promise.all(inFlight);
  return { retries };
}

function tally(receiver: BenchReceiver, ids: string[]) {
  const lost = ids.filter((id) => !receiver.receipts.has(id));
  const duplicates = ids.reduce((n, id) => n + Math.max(0, (receiver.receipts.get(id)?.length ?? 0) - 1), 0);
  return { lost, duplicates };
}

interface Fault {
  at: number;
  name: string;
  run(ctx: { pending(): string[]; receiver: BenchReceiver }): Promise<void>;
}

/** What the run is done against: the API URLs, the faults to inject, and how to stop it. */
interface Target {
  apiUrls: string[];
  adminToken: string;
  databaseUrl: string;
  temporalAddress(): string;
  /** SIGKILLs one worker (the only one, or worker-1 of two); `restartWorker` starts it again. */
  killWorker(): Promise<void>;
  restartWorker(): Promise<void>;
  faults: Fault[];
  /** Takes Temporal away for `downMs` (nothing else), then brings it back. */
  stopTemporalFor(downMs: number): Promise<void>;
  /** Marks the end of a phase (the cluster counts log lines per phase). */
  checkpoint?(label: string): void;
  /** Lines for the summary (per-worker counters, log volume); a non-empty `problems` fails the run. */
  report(): Promise<{ lines: string[]; problems: string[] }>;
  stop(): Promise<void>;
}

async function devTarget(): Promise<Target> {
  // Attempt warnings while the receiver is down are expected here; only errors are worth printing.
  const stack = await startBenchStack({ log: say, env: { LOG_LEVEL: 'error' } });
  return {
    apiUrls: [stack.apiUrl],
    adminToken: stack.adminToken,
    databaseUrl: stack.env.DATABASE_URL!,
    temporalAddress: () => stack.temporalAddress(),
    killWorker: () => stack.killWorker('SIGKILL'),
    restartWorker: () => stack.startWorker(),
    faults: [
      {
        at: 1 / 3,
        name: 'SIGKILL the worker, restart it 2 s later',
        async run() {
          await stack.killWorker('SIGKILL');
          await sleep(2_000);
          await stack.startWorker();
        },
      },
      { at: 2 / 3, name: 'stop the Temporal dev server, start it 3 s later (same SQLite file)', run: () => stack.restartTemporal(3_000) },
    ],
    stopTemporalFor: (downMs) => stack.restartTemporal(downMs),
    report: async () => ({ lines: [], problems: [] }),
    stop: () => stack.stop(),
  };
}

/** The PostgreSQL instance this run may restart: made (trust auth on loopback) and started when needed. */
function ownPostgres(): { url: string; restart(downMs: number): Promise<void> } {
  const [version, name] = (process.env.RELIABILITY_PG_CLUSTER ?? '15/reliability').split('/') as [string, string];
  const port = Number(process.env.RELIABILITY_PG_PORT ?? 5434);
  const clusters = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  const line = clusters
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === version && f[1] === name);
  if (!line) {
    say(`creating PostgreSQL ${version}/${name} on port ${port} for this run (pg_createcluster)`);
    execFileSync(
      'pg_createcluster',
      [version, name, '--port', String(port), '-o', 'max_connections=200', '--', '--auth-host=trust', '--auth-local=trust'],
      { stdio: 'pipe' },
    );
  } else if (Number(line[2]) !== port) {
    throw new Error(`PostgreSQL ${version}/${name} listens on ${line[2]}, not RELIABILITY_PG_PORT=${port}`);
  }
  if (!line || line[3] !== 'online') execFileSync('pg_ctlcluster', [version, name, 'start'], { stdio: 'pipe' });
  const ctl = (action: string) => execFileSync('pg_ctlcluster', [version, name, action], { stdio: 'pipe' });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(downMs) {
      ctl('stop');
      await sleep(downMs);
      ctl('start');
    },
  };
}

async function clusterTarget(): Promise<Target> {
  const postgres = ownPostgres();
  const run = `${Date.now().toString(36)}`;
  const dbUrl = new URL(postgres.url);
  dbUrl.pathname = `/hookrelay_rel_${run}`;
  const adminToken = `rel_${randomBytes(16).toString('hex')}`;
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-reliability-'));
  const apiPorts = [await freePort(), await freePort()];
  const workerPorts = [await freePort(), await freePort()];
  const unexpectedExits: string[] = [];
  const logLines = new Map<string, number>();
  const checkpoints: string[] = [];
  const lineCounts = () => [...logLines].map(([n, c]) => `${n} ${c}`).join(', ') || 'none';
  const errorSamples: string[] = [];
  const stack: ClusterStack = await startClusterStack({
    postgresUrl: postgres.url,
    databaseUrl: dbUrl.toString(),
    temporalDatabase: `temporal_rel_${run}`,
    temporalVisibilityDatabase: `temporal_rel_${run}_visibility`,
    ports: await freeClusterPorts(),
    apiPorts,
    workerMetricsPorts: workerPorts,
    env: {
      ...process.env,
      ADMIN_TOKEN: adminToken,
      HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('rel'),
      HOOKRELAY_ENCRYPTION_KEYS: newEncryptionKeyEntry('reliability'),
      HOST: '127.0.0.1',
      ALLOW_PRIVATE_TARGETS: 'true',
      // Warnings count here: reconnect noise is part of what is checked (bounded, not a flood).
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '10',
    },
    temporalEnv: { LOG_LEVEL: 'error' },
    logDir,
    log: say,
    onOutput: (name, line) => {
      logLines.set(name, (logLines.get(name) ?? 0) + 1);
      if (/"level":(50|60)/.test(line) && errorSamples.length < 5) errorSamples.push(`${name}: ${line.slice(0, 300)}`);
    },
    onUnexpectedExit: (name, code) => {
      unexpectedExits.push(`${name} (${code})`);
      say(`${name} exited by itself (${code})`);
    },
  });
  say(`cluster up: APIs ${apiPorts.join(', ')}, workers' metrics ${workerPorts.join(', ')}, Temporal ${stack.temporal.address}, logs ${logDir}`);
  const attempts = (i: number) => scrapeCounter(workerPorts[i]!, 'hookrelay_attempts_total');
  let worker1BeforeKill: number | undefined;
  let takeover = '';
  // The server and PostgreSQL first, so both hit while events are still arriving; the worker last, since
  // its takeover wait can outlast the sending.
  const faults: Fault[] = [
    {
      at: 0.2,
      name: 'SIGKILL the Temporal server, start it again 3 s later',
      async run() {
        await stack.temporal.kill('SIGKILL');
        await sleep(3_000);
        await stack.temporal.start();
      },
    },
    { at: 0.4, name: "stop PostgreSQL (hookrelay's and Temporal's databases) for 5 s, start it again", run: () => postgres.restart(5_000) },
    {
      at: 0.6,
      name: 'SIGKILL worker-1 with deliveries in flight (the receiver slowed to 3 s an answer); it stays down until worker-2 delivered them',
      async run({ pending, receiver }) {
        // A fast receiver leaves next to nothing in flight to take over: slow it down first.
        receiver.slow(3_000);
        await sleep(4_000);
        worker1BeforeKill = await attempts(0);
        const inFlight = pending();
        const killedAt = Date.now();
        await stack.workers[0]!.kill('SIGKILL');
        receiver.slow(0);
        // The first attempt runs in the workflow task of the worker that took it: its workflow task times
        // out (10 s), a regular activity's attempt after its start-to-close timeout (1 min).
        const deadline = killedAt + 90_000;
        let left = inFlight;
        while (left.length > 0 && Date.now() < deadline) {
          await sleep(250);
          const still = new Set(pending());
          left = left.filter((id) => still.has(id));
        }
        takeover = `${inFlight.length} events in flight when worker-1 was killed: ${inFlight.length - left.length} delivered by worker-2 alone in ${((Date.now() - killedAt) / 1000).toFixed(1)} s${left.length ? ` (${left.length} not yet)` : ''}`;
        say(takeover);
        await stack.workers[0]!.start();
        say('worker-1 restarted');
      },
    },
  ];
  return {
    apiUrls: apiPorts.map((port) => `http://127.0.0.1:${port}`),
    adminToken,
    databaseUrl: stack.databaseUrl,
    temporalAddress: () => stack.temporal.address,
    killWorker: () => stack.workers[0]!.kill('SIGKILL'),
    restartWorker: () => stack.workers[0]!.start(),
    faults,
    async stopTemporalFor(downMs) {
      await stack.temporal.kill('SIGTERM');
      await sleep(downMs);
      await stack.temporal.start();
    },
    checkpoint(label) {
      checkpoints.push(`log lines (warn and up) per process by the end of ${label}: ${lineCounts()}`);
    },
    async report() {
      const [w1, w2] = [await attempts(0), await attempts(1)];
      const lines = [
        `attempts by worker: worker-1 ${worker1BeforeKill ?? '?'} before its SIGKILL + ${w1 ?? '?'} after its restart, worker-2 ${w2 ?? '?'}`,
        takeover,
        ...checkpoints,
        `log lines (warn and up) per process in all: ${lineCounts()}`,
        ...errorSamples.map((l) => `  sample: ${l}`),
      ];
      const problems = unexpectedExits.map((e) => `exited by itself (needed a restart by hand): ${e}`);
      if (!w2 || !((worker1BeforeKill ?? 0) + (w1 ?? 0))) problems.push('a worker carried no deliveries');
      return { lines, problems };
    },
    async stop() {
      await stack.stop();
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      for (const db of [`hookrelay_rel_${run}`, `temporal_rel_${run}`, `temporal_rel_${run}_visibility`]) {
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
      await admin.end();
      if (!process.env.RELIABILITY_KEEP_LOGS) rmSync(logDir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const receiver = await startBenchReceiver();
  const target = engine === 'cluster' ? await clusterTarget() : await devTarget();
  const apis = target.apiUrls.map((url) => apiClient(url));
  const api = apis[0]!;
  let failed = false;
  try {
    const t = await api.tenant(target.adminToken, 'reliability');
    await api.subscribe(t.api_key, {
      url: `${receiver.url}/reliability`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 2, maximum_interval: '5s', max_duration: '1h' },
    });

    const run = Date.now().toString(36);
    const faultIds = Array.from({ length: P.events }, (_, i) => `rel-${run}-${i}`);
    let sent = 0;
    const pending = () => faultIds.slice(0, sent).filter((id) => !receiver.receipts.has(id));
    say(
      `phase 1 (${engine}): ${P.events} events at ${P.ratePerS}/s over ${apis.length} API(s); faults: ${target.faults.map((f) => `${Math.round(f.at * 100)}%: ${f.name}`).join('; ')}`,
    );
    // Faults run one after the other beside the sending, each starting at its share of events sent.
    let faultChain = Promise.resolve();
    const queued = new Set<Fault>();
    const faulted = sendAtRate(apis, target.adminToken, t.id, faultIds, P.ratePerS, (n) => {
      sent = n;
      for (const fault of target.faults) {
        if (!queued.has(fault) && n >= Math.floor(fault.at * P.events)) {
          queued.add(fault);
          faultChain = faultChain.then(async () => {
            say(`fault: ${fault.name}`);
            const started = Date.now();
            await fault.run({ pending, receiver });
            say(`fault done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fault.name}`);
          });
        }
      }
    });
    const phase1 = await faulted;
    await faultChain;
    say(`phase 1 sent; ${phase1.retries} producer retries; waiting for deliveries`);
    await receiver.waitFor(faultIds, P.waitS * 1000);
    const r1 = tally(receiver, faultIds);
    say(`phase 1: ${P.events} accepted, ${P.events - r1.lost.length} delivered, ${r1.lost.length} lost, ${r1.duplicates} duplicates`);
    target.checkpoint?.('phase 1 (faults)');

    const downIds = Array.from({ length: P.downEvents }, (_, i) => `down-${run}-${i}`);
    say(`phase 2: receiver down for ${P.downS} s while ${P.downEvents} events are sent`);
    await receiver.down();
    const downAt = Date.now();
    await sendAtRate(apis, target.adminToken, t.id, downIds, P.ratePerS);
    await sleep(Math.max(0, P.downS * 1000 - (Date.now() - downAt)));
    await receiver.up();
    say('receiver back');
    await receiver.waitFor(downIds, P.waitS * 1000);
    const r2 = tally(receiver, downIds);
    say(`phase 2: ${P.downEvents} accepted, ${P.downEvents - r2.lost.length} delivered, ${r2.lost.length} lost, ${r2.duplicates} duplicates`);

    // Phase 3: accepting needs only PostgreSQL; with Temporal gone every post still answers 202 at once,
    // and every event is delivered once it is back.
    const heldIds = Array.from({ length: P.temporalDownS * P.heldRatePerS }, (_, i) => `held-${run}-${i}`);
    say(`phase 3: Temporal down for ${P.temporalDownS} s while ${heldIds.length} events are posted at ${P.heldRatePerS}/s, each once`);
    const temporalBack = target.stopTemporalFor(P.temporalDownS * 1000);
    await sleep(1_000);
    const refused = await sendOnceAtRate(apis, target.adminToken, t.id, heldIds, P.heldRatePerS);
    await temporalBack;
    say(`Temporal back; ${heldIds.length - refused.length} of ${heldIds.length} posts answered 202`);
    await receiver.waitFor(heldIds, P.waitS * 1000);
    const r3 = tally(receiver, heldIds);
    say(
      `phase 3: ${heldIds.length} posted, ${refused.length} not 202, ${heldIds.length - r3.lost.length} delivered, ${r3.lost.length} lost, ${r3.duplicates} duplicates`,
    );
    target.checkpoint?.('phase 3 (Temporal down)');

    // Phase 4: a receiver that never answers, beside a healthy one, and a worker SIGKILLed meanwhile. On the
    // cluster only with --black-hole: it has not been run there yet (docs/reliability.md).
    const blackHole = engine !== 'cluster' || process.argv.includes('--black-hole');
    if (blackHole)
      say(
        `phase 4: ${P.blackHoleEvents} events to a healthy subscription and to a black hole; a worker SIGKILLed with attempts to it in flight and waiting`,
      );
    const r4 = !blackHole
      ? { accepted: 0, lost: 0, duplicates: 0, lines: [] as string[], problems: [] as string[] }
      : await blackHolePhase(
          {
            apis,
            adminToken: target.adminToken,
            databaseUrl: target.databaseUrl,
            temporalAddress: target.temporalAddress(),
            killWorker: () => target.killWorker(),
            restartWorker: () => target.restartWorker(),
          },
          receiver,
          run,
          { events: P.blackHoleEvents, ratePerS: 20, waitS: P.blackHoleWaitS },
          say,
        );
    if (blackHole)
      say(`phase 4: ${r4.accepted} accepted, ${r4.accepted - r4.lost} healthy deliveries received, ${r4.lost} lost, ${r4.duplicates} duplicates`);
    target.checkpoint?.('phase 4 (black hole)');

    const lost = r1.lost.length + r2.lost.length + r3.lost.length + r4.lost;
    const accepted = P.events + P.downEvents + heldIds.length + r4.accepted;
    const { lines, problems } = await target.report();
    for (const line of [...r4.lines, ...lines]) if (line) console.log(line);
    problems.push(...r4.problems);
    console.log(
      `reliability${quick ? ' (quick)' : ''} on ${engine}: ${accepted} accepted, ${lost} lost, ${r1.duplicates + r2.duplicates + r3.duplicates + r4.duplicates} duplicates, ${phase1.retries} producer retries, ${refused.length} posts not answered 202 while Temporal was down, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    if (lost > 0) {
      failed = true;
      console.log(`lost: ${[...r1.lost, ...r2.lost, ...r3.lost].slice(0, 20).join(', ')}${lost > 20 ? ', …' : ''}`);
    }
    if (refused.length > 0) {
      failed = true;
      console.log(`not 202 while Temporal was down: ${refused.slice(0, 10).join(', ')}`);
    }
    for (const problem of problems) {
      failed = true;
      console.log(`problem: ${problem}`);
    }
  } finally {
    await Promise.all(apis.map((a) => a.close()));
    receiver.stop();
    await target.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
