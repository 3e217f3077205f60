// A real local HTTP receiver that records every request and answers by a script.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Responder = (
  req: Received,
  countForPath: number,
) =>
  { status: number; headers?: Record<string, string>; body?: string } | Promise<{ status: number; headers?: Record<string, string>; body?: string }>;

export interface Receiver {
  url: string;
  received: Received[];
  on(path: string, responder: Responder): void;
  forPath(path: string): Received[];
  /** Resolves once `count` requests reached `path`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const responders = new Map<string, Responder>();
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer());
    const answer = async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const entry: Received = { method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      const count = received.filter((r) => r.path === path).length;
      const responder = responders.get(path);
      const answer = responder ? await responder(entry, count) : { status: 204 };
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      for (const wake of waiters.splice(0)) wake();
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const forPath = (path: string) => received.filter((r) => r.path === path);
  return {
    url,
    received,
    on: (path, responder) => void responders.set(path, responder),
    forPath,
    async waitFor(path, count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (forPath(path).length < count) {
        if (Date.now() > deadline) throw new Error(`${path}: ${forPath(path).length} of ${count} requests after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return forPath(path);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
