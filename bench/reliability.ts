// `npm run reliability [-- --quick]`: no accepted event is lost under faults. While events are sent,
// the worker is SIGKILLed and restarted, then the Temporal dev server is stopped and restarted on the
// same SQLite file; then the receiver is down for a while and comes back. Every accepted event must
// arrive at least once. Exits non-zero on any loss; prints the duplicates.
import { startBenchStack } from './lib/stack.js';
import { startBenchReceiver, type BenchReceiver } from './lib/receiver.js';
import { apiClient } from './lib/api.js';

const quick = process.argv.includes('--quick');
const P = quick
  ? { events: 400, ratePerS: 50, downEvents: 100, downS: 10, waitS: 180, temporalDownS: 15 }
  : { events: 2000, ratePerS: 100, downEvents: 500, downS: 30, waitS: 600, temporalDownS: 60 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (msg: string) => console.error(`[reliability] ${new Date().toISOString().slice(11, 19)} ${msg}`);

type Api = ReturnType<typeof apiClient>;

/** Posts each event once at `ratePerS`; counts the answers that were not 202. */
async function sendOnceAtRate(api: Api, adminToken: string, tenantId: string, ids: string[], ratePerS: number) {
  const refused: string[] = [];
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = start + (i * 1000) / ratePerS - Date.now();
    if (wait > 0) await sleep(wait);
    const id = ids[i]!;
    inFlight.push(api.call('POST', '/v1/events', adminToken, { id, tenant_id: tenantId, environment: 'production', type: 'reliability.test', payload: { id } })
      .then((res) => { if (res.status !== 202) refused.push(`${id}: ${res.status}`); }, (error) => { refused.push(`${id}: ${error}`); }));
  }
  await Promise.all(inFlight);
  return refused;
}

/** A producer's duty: an event not acknowledged (503, connection refused) is sent again, with the same id. */
async function sendUntilAccepted(api: Api, adminToken: string, tenantId: string, id: string): Promise<{ retries: number }> {
  for (let retries = 0; ; retries++) {
    try {
      const res = await api.call('POST', '/v1/events', adminToken, { id, tenant_id: tenantId, environment: 'production', type: 'reliability.test', payload: { id } });
      if (res.status === 202 || res.status === 200) return { retries };
    } catch { /* the API itself unreachable: same as a 503 */ }
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(retries, 4)));
  }
}

async function sendAtRate(api: Api, adminToken: string, tenantId: string, ids: string[], ratePerS: number, onProgress?: (sent: number) => Promise<void>) {
  let retries = 0;
  const inFlight: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < ids.length; i++) {
    const wait = start + (i * 1000) / ratePerS - Date.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(sendUntilAccepted(api, adminToken, tenantId, ids[i]!).then((r) => { retries += r.retries; }));
    if (onProgress) await onProgress(i + 1);
  }
  await Promise.all(inFlight);
  return { retries };
}

function tally(receiver: BenchReceiver, ids: string[]) {
  const lost = ids.filter((id) => !receiver.receipts.has(id));
  const duplicates = ids.reduce((n, id) => n + Math.max(0, (receiver.receipts.get(id)?.length ?? 0) - 1), 0);
  return { lost, duplicates };
}

async function main() {
  const receiver = await startBenchReceiver();
  // Attempt warnings while the receiver is down are expected here; only errors are worth printing.
  const stack = await startBenchStack({ log: say, env: { LOG_LEVEL: 'error' } });
  const api = apiClient(stack.apiUrl);
  let failed = false;
  try {
    const t = await api.tenant(stack.adminToken, 'reliability');
    await api.subscribe(t.api_key, {
      url: `${receiver.url}/reliability`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 2, maximum_interval: '5s', max_duration: '1h' },
    });

    const run = Date.now().toString(36);
    const faultIds = Array.from({ length: P.events }, (_, i) => `rel-${run}-${i}`);
    say(`phase 1: ${P.events} events at ${P.ratePerS}/s; SIGKILL the worker at 1/3, restart Temporal at 2/3`);
    const faults = sendAtRate(api, stack.adminToken, t.id, faultIds, P.ratePerS, async (sent) => {
      if (sent === Math.floor(P.events / 3)) {
        say('SIGKILL worker');
        await stack.killWorker('SIGKILL');
        await sleep(2_000);
        say('worker restarting');
        await stack.startWorker();
      }
      if (sent === Math.floor((2 * P.events) / 3)) {
        say('stopping the Temporal dev server');
        await stack.restartTemporal(3_000);
        say('Temporal dev server back (same SQLite file)');
      }
    });
    const phase1 = await faults;
    say(`phase 1 sent; ${phase1.retries} producer retries; waiting for deliveries`);
    await receiver.waitFor(faultIds, P.waitS * 1000);
    const r1 = tally(receiver, faultIds);
    say(`phase 1: ${P.events} accepted, ${P.events - r1.lost.length} delivered, ${r1.lost.length} lost, ${r1.duplicates} duplicates`);

    const downIds = Array.from({ length: P.downEvents }, (_, i) => `down-${run}-${i}`);
    say(`phase 2: receiver down for ${P.downS} s while ${P.downEvents} events are sent`);
    await receiver.down();
    const downAt = Date.now();
    await sendAtRate(api, stack.adminToken, t.id, downIds, P.ratePerS);
    await sleep(Math.max(0, P.downS * 1000 - (Date.now() - downAt)));
    await receiver.up();
    say('receiver back');
    await receiver.waitFor(downIds, P.waitS * 1000);
    const r2 = tally(receiver, downIds);
    say(`phase 2: ${P.downEvents} accepted, ${P.downEvents - r2.lost.length} delivered, ${r2.lost.length} lost, ${r2.duplicates} duplicates`);

    // Phase 3: accept needs only PostgreSQL; with Temporal gone every post still answers 202 at once.
    const heldIds = Array.from({ length: P.temporalDownS * P.ratePerS }, (_, i) => `held-${run}-${i}`);
    say(`phase 3: Temporal stopped for ${P.temporalDownS} s while ${heldIds.length} events are posted at ${P.ratePerS}/s, each once`);
    const temporalBack = stack.restartTemporal(P.temporalDownS * 1000);
    await sleep(500);
    const refused = await sendOnceAtRate(api, stack.adminToken, t.id, heldIds, P.ratePerS);
    await temporalBack;
    say(`Temporal back; ${heldIds.length - refused.length} of ${heldIds.length} posts answered 202`);
    await receiver.waitFor(heldIds, P.waitS * 1000);
    const r3 = tally(receiver, heldIds);
    say(`phase 3: ${heldIds.length} posted, ${refused.length} not 202, ${heldIds.length - r3.lost.length} delivered, ${r3.lost.length} lost, ${r3.duplicates} duplicates`);

    const lost = r1.lost.length + r2.lost.length + r3.lost.length;
    const accepted = P.events + P.downEvents + heldIds.length;
    console.log(`reliability${quick ? ' (quick)' : ''}: ${accepted} accepted, ${lost} lost, ${r1.duplicates + r2.duplicates + r3.duplicates} duplicates, ${refused.length} posts not answered 202 while Temporal was down`);
    if (lost > 0 || refused.length > 0) {
      failed = true;
      console.log(`lost: ${[...r1.lost, ...r2.lost, ...r3.lost].slice(0, 20).join(', ')}${lost > 20 ? ', …' : ''}`);
      if (refused.length) console.log(`not 202: ${refused.slice(0, 10).join(', ')}`);
    }
  } finally {
    await api.close();
    receiver.stop();
    await stack.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
