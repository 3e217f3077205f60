/** Runs `stop` once on SIGINT or SIGTERM, then exits; a signal repeated after 2 s exits at once. */
export function onShutdown(stop: () => Promise<void>, log: (msg: string) => void = console.error): void {
  let firstSignalAt = 0;
  const handler = (signal: NodeJS.Signals) => {
    // The same signal often arrives twice (process group and npm's forward); only a later one forces the exit.
    if (firstSignalAt) {
      if (Date.now() - firstSignalAt > 2_000) process.exit(130);
      return;
    }
    firstSignalAt = Date.now();
    log(`${signal} received, shutting down`);
    stop().then(
      () => process.exit(0),
      (error) => {
        log(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
