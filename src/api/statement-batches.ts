// Group commit for requests that each need one row of a statement: while a few statements are in flight,
// the requests that arrive meanwhile wait and go together in the next one. Under load each request then
// costs a share of one round trip instead of its own; a lone request still goes at once. Each request is
// answered from a statement sent after it arrived, never from an earlier answer.

export interface StatementBatchOptions {
  /** Statements in flight at once; the requests that arrive meanwhile wait for the next one. */
  inFlight: number;
  /** Requests in one statement at most. */
  maxBatch: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve(result: Out): void;
  reject(error: unknown): void;
}

/**
 * `run` answers a batch of inputs in one statement, in input order. A statement that fails fails each of
 * its requests with the same error.
 */
export function statementBatches<In, Out>(run: (inputs: In[]) => Promise<Out[]>, options: StatementBatchOptions): (input: In) => Promise<Out> {
  const waiting: Waiting<In, Out>[] = [];
  let running = 0;

  const flush = (): void => {
    while (running < options.inFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      running++;
      run(batch.map((w) => w.input))
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          running--;
          flush();
        });
    }
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      flush();
    });
}
