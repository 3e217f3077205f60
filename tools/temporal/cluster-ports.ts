// The ports the Temporal server listens on: its usual layout from a chosen frontend port (`npm run dev:cluster`),
// or ports picked free for a server that runs beside others (tests, benchmarks).
import net from 'node:net';

/** Every port the server listens on; each service has a gRPC and a membership port. */
export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** Temporal's default layout (7233, 7243, 6933, 7234, ...) moved to start at `frontend`. */
export function portsFrom(frontend: number): ClusterPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    history: frontend + 1,
    historyMembership: frontend - 299,
    matching: frontend + 2,
    matchingMembership: frontend - 298,
    worker: frontend + 6,
    workerMembership: frontend - 294,
  };
}

/** The server config template's port variables. */
export function portsEnv(ports: ClusterPorts): Record<string, string> {
  return {
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

/** A port nobody listens on, below the ephemeral range: Temporal stores membership ports as SMALLINT. */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

/** Nine ports nobody listens on, for a server beside others (tests). */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const keys: Array<keyof ClusterPorts> = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ];
  const ports = {} as ClusterPorts;
  const taken = new Set<number>();
  for (const key of keys) ports[key] = await freeLowPort(taken);
  return ports;
}
