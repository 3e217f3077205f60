import type { apiClient } from './api.js';
import type { BenchReceiver } from './receiver.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SustainedLoad {
  /** Events posted, with ids `${prefix}0` … `${prefix}${posted - 1}`. */
  posted: number;
  elapsedS: number;
}

/**
 * Closed loop: at most `window` events outstanding (accepted, not yet received); each receipt lets the
 * next one in, so the rate is what the whole system keeps up with, not how fast a backlog can grow.
 * A post that is not accepted is sent again with the same id.
 */
export async function sustainedLoad(
  api: ReturnType<typeof apiClient>,
  adminToken: string,
  tenantId: string,
  receiver: BenchReceiver,
  options: { prefix: string; seconds: number; type: string; window?: number },
): Promise<SustainedLoad> {
  const window = options.window ?? 64;
  let posted = 0;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const post = async () => {
    const id = `${options.prefix}${posted++}`;
    for (;;) {
      const res = await api.postEvent(adminToken, {
        id,
        tenant_id: tenantId,
        environment: 'production',
        type: options.type,
        payload: { id },
      });
      if (res.status === 202 || res.status === 200) return;
      await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: window }, post));
  while (performance.now() < end) {
    const room = window - (posted - receiver.count(options.prefix));
    if (room > 0) await Promise.all(Array.from({ length: room }, post));
    else await sleep(2);
  }
  return { posted, elapsedS: (performance.now() - start) / 1000 };
}

/**
 * Closed loop on one operation: `outstanding` calls of `op` in flight for `seconds`, each next call
 * started as one ends (`op` gets a running number); returns completions per second.
 */
export async function closedLoopRate(seconds: number, outstanding: number, op: (n: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let done = 0;
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: outstanding }, async () => {
      while (Date.now() < end) {
        await op(next++);
        done++;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}
