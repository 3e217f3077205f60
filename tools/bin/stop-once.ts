/**
 * For the supervisors (`dev`, `dev:cluster`): `stopAll(code)` stops everything once, from a signal or from
 * a child that died, then exits with `code`. npm forwards the signal the process group already got, so a
 * second request within 2 s is the same one; a later one exits at once.
 */
export function stopOnce(stop: () => Promise<void>, say: (msg: string) => void): (code: number) => Promise<never> {
  let requestedAt = 0;
  const stopAll = async (code: number): Promise<never> => {
    if (requestedAt) {
      if (Date.now() - requestedAt > 2_000) process.exit(code);
      return new Promise<never>(() => {});
    }
    requestedAt = Date.now();
    say('stopping...');
    await stop();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  return stopAll;
}
