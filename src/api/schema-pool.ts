// The catalog's JSON Schemas are compiled and run in worker threads with a deadline, so that no schema and
// no payload can hold the API's event loop: a validation over its budget is not waited for, its thread is
// terminated (the only way to stop JavaScript that is running) and replaced, and the event is refused. RE2
// (schema-validation.ts) removes the regular expression blow-ups outright; the deadline bounds whatever else
// a schema can make slow (`uniqueItems`, `$ref` fan-out, a large `enum`), which no static check of the
// schema can rule out. A thread runs one request at a time, so a budget measures that request's own work,
// never time spent queued behind another; the threads start on the first schema, so an API whose catalog
// has none runs no thread at all.
import { availableParallelism } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { ErrorDetail } from './errors.js';
import type { CheckRequest, CompileRequest, JsonSchema, SchemaReply, SchemaRequest } from './schema-validation.js';

/** Validating one payload: the hostile cases take seconds, a reasonable schema well under a millisecond. */
export const VALIDATE_BUDGET_MS = 250;
/** Compiling a schema (at most 64 KiB) and, at the PUT, trying it on `{}`. */
export const COMPILE_BUDGET_MS = 2_000;
/** A thread's start: under tsx (development, tests) the thread compiles its TypeScript first. */
const START_BUDGET_MS = 30_000;
/**
 * Threads at most per API process: two, so one payload over its budget does not hold up every other, but
 * always a core fewer than the machine has, so validating threads never take the event loop's core.
 */
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism() - 1));
/** A payload whose validation allocates without end stops its thread, not the API. */
const THREAD_HEAP_MB = 128;

export type Outcome =
  | { kind: 'checked'; details: ErrorDetail[] }
  | { kind: 'compiled' }
  | { kind: 'uncompilable'; error: string }
  | { kind: 'over_budget'; phase: 'compile' | 'validate'; budgetMs: number }
  /** Validation threw, or its thread died under it (out of memory). */
  | { kind: 'failed'; error: string }
  /** Not run: an earlier request of its group went over its budget. */
  | { kind: 'skipped' };

/** Requests made together (the events of one batch): once one goes over its budget, the rest are not run. */
export interface Group {
  overBudget: boolean;
}

type Request = Omit<CompileRequest, 'id'> | Omit<CheckRequest, 'id'>;

interface Job {
  request: Request;
  group: Group | undefined;
  resolve: (outcome: Outcome) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  gone: boolean;
  startTimer: NodeJS.Timeout;
  /** The schema version of each type this thread has compiled. */
  known: Map<string, number>;
  running?: { id: number; job: Job; timer: NodeJS.Timeout; phase: 'compile' | 'validate' };
}

/**
 * A schema thread, in each way the API runs. Bundled (npm run build): this module is part of
 * dist/bin/api.js, and scripts/build.mjs writes the thread's entry beside it as dist/bin/schema-worker.js.
 * From source (tsx in development, vitest): the TypeScript entry, through tsx. Node 20 does not apply a
 * loader given in a worker's `execArgv` (`--import tsx`) to the worker's own modules, so the thread
 * registers tsx itself before it imports the entry.
 */
function startThread(options: WorkerOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./schema-worker.js', import.meta.url), { ...options, execArgv: [] });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('../bin/schema-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); });`, { ...options, eval: true, execArgv: [] });
}

export class SchemaPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private spawnScheduled = false;
  /** A thread was needed once: one is kept from then on (a type with a schema is likely to be posted again). */
  private used = false;

  constructor(private readonly options: { size?: number; validateBudgetMs?: number; compileBudgetMs?: number } = {}) {}

  /** Compiles `schema` and tries it on `{}` (the PUT's check that it is usable). */
  compile(schema: JsonSchema): Promise<Outcome> {
    return this.run({ op: 'compile', schema }, undefined);
  }

  /** Checks `payload` (JSON text) against the schema (`version` of `type`); the schema is sent to a thread that lacks it. */
  check(type: string, version: number, schema: JsonSchema, payload: string, prefix: string, group?: Group): Promise<Outcome> {
    return this.run({ op: 'check', type, version, schema, payload, prefix }, group);
  }

  private run(request: Request, group: Group | undefined): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, group, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      while (this.queue[0]?.group?.overBudget) this.queue.shift()!.resolve({ kind: 'skipped' });
      const idle = this.threads.find((t) => t.ready && !t.running);
      if (!idle || !this.queue.length) break;
      this.dispatch(idle, this.queue.shift()!);
    }
    // Starting a thread costs the event loop a few milliseconds: never inside the request that needs it.
    if (!this.spawnScheduled && this.wantsThread()) {
      this.spawnScheduled = true;
      setImmediate(() => {
        this.spawnScheduled = false;
        while (this.wantsThread()) this.spawn();
      });
    }
  }

  /** A thread for each request waiting beyond those starting, up to the size; and, once started, one kept. */
  private wantsThread(): boolean {
    if (this.threads.length >= (this.options.size ?? POOL_SIZE)) return false;
    const starting = this.threads.filter((t) => !t.ready).length;
    return this.queue.length > starting || (this.used && this.threads.length === 0);
  }

  private spawn(): void {
    this.used = true;
    const worker = startThread({ resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } });
    // An idle thread never keeps the process alive (shutdown, tests).
    worker.unref();
    const thread: Thread = {
      worker,
      ready: false,
      gone: false,
      known: new Map(),
      startTimer: setTimeout(() => this.lost(thread, new Error(`did not start within ${START_BUDGET_MS} ms`)), START_BUDGET_MS).unref(),
    };
    worker.on('message', (reply: SchemaReply) => this.receive(thread, reply));
    worker.on('error', (error) => this.lost(thread, error));
    worker.on('exit', (code) => this.lost(thread, new Error(`exited with code ${code}`)));
    this.threads.push(thread);
  }

  private dispatch(thread: Thread, job: Job): void {
    const id = this.nextId++;
    let request: SchemaRequest = { ...job.request, id };
    let phase: 'compile' | 'validate' = 'compile';
    if (request.op === 'check') {
      if (thread.known.get(request.type) === request.version) {
        // The thread has this version compiled: the schema need not be copied to it again.
        const { schema: _known, ...rest } = request;
        request = rest;
        phase = 'validate';
      }
    }
    const budgetMs = this.budget(phase);
    thread.running = { id, job, phase, timer: setTimeout(() => this.overBudget(thread, phase, budgetMs), budgetMs) };
    thread.worker.postMessage(request);
  }

  private budget(phase: 'compile' | 'validate'): number {
    return phase === 'compile' ? (this.options.compileBudgetMs ?? COMPILE_BUDGET_MS) : (this.options.validateBudgetMs ?? VALIDATE_BUDGET_MS);
  }

  private receive(thread: Thread, reply: SchemaReply): void {
    if (reply.kind === 'ready') {
      thread.ready = true;
      clearTimeout(thread.startTimer);
      this.pump();
      return;
    }
    const running = thread.running;
    if (!running || running.id !== reply.id) return;
    const { request } = running.job;
    if (reply.kind === 'compiled') {
      if (request.op === 'check') {
        if (reply.error !== undefined) thread.known.delete(request.type);
        else {
          thread.known.set(request.type, request.version);
          // Compiled: the payload's own validation gets its own budget from now.
          clearTimeout(running.timer);
          running.phase = 'validate';
          const budgetMs = this.budget('validate');
          running.timer = setTimeout(() => this.overBudget(thread, 'validate', budgetMs), budgetMs);
          return;
        }
      }
      this.finish(thread, reply.error === undefined ? { kind: 'compiled' } : { kind: 'uncompilable', error: reply.error });
    } else if (reply.kind === 'checked') {
      this.finish(thread, { kind: 'checked', details: reply.details });
    } else {
      this.finish(thread, { kind: 'failed', error: reply.error });
    }
  }

  private finish(thread: Thread, outcome: Outcome): void {
    const running = thread.running;
    if (!running) return;
    clearTimeout(running.timer);
    thread.running = undefined;
    if (running.job.group && (outcome.kind === 'over_budget' || outcome.kind === 'failed')) running.job.group.overBudget = true;
    running.job.resolve(outcome);
    this.pump();
  }

  private overBudget(thread: Thread, phase: 'compile' | 'validate', budgetMs: number): void {
    this.remove(thread);
    this.finish(thread, { kind: 'over_budget', phase, budgetMs });
  }

  /** The thread failed to start, crashed or exited: what it was running fails, and a new thread takes its place. */
  private lost(thread: Thread, error: Error): void {
    if (thread.gone) return;
    const started = thread.ready;
    this.remove(thread);
    if (thread.running) {
      this.finish(thread, { kind: 'failed', error: `the validating thread stopped: ${error.message}` });
    } else if (!started && !this.threads.some((t) => t.ready)) {
      // No thread can start (a broken deployment): the waiting requests fail loudly instead of waiting for ever.
      const failure = new Error(`the schema worker thread did not start: ${error.message}`);
      for (const job of this.queue.splice(0)) job.reject(failure);
    } else {
      // Lost while idle: replaced when a request needs it, not at once (a thread that keeps dying must not
      // make the pool start threads in a loop).
      if (started) this.used = false;
      this.pump();
    }
  }

  private remove(thread: Thread): void {
    if (thread.gone) return;
    thread.gone = true;
    clearTimeout(thread.startTimer);
    this.threads.splice(this.threads.indexOf(thread), 1);
    void thread.worker.terminate();
  }
}
