import net from 'node:net';

export interface BlackHole {
  url: string;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections open now (each one waiting for an answer that never comes). */
  open(): number;
  /** Requests begun so far (a request line seen on a connection). */
  requests(): number;
  /** Stops accepting and resets every open connection (the waiting attempts fail at once). */
  stop(): Promise<void>;
}

/**
 * A receiver that accepts connections, reads what it is sent and never answers: every attempt to it waits
 * for its subscription's timeout. Cheap enough to run in the bench's own process.
 */
export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let requests = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      // One count per request line (keep-alive connections carry several requests, one after the other).
      for (const m of chunk.toString('latin1').matchAll(/(?:^|\r\n)(?:POST|PUT|PATCH|GET) \//g)) if (m) requests++;
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    requests: () => requests,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
  };
}
