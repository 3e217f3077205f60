/**
 * How production starts a worker, in both of its V8 isolates (the main one and the workflow thread): a
 * young generation of 4 MB a semi-space instead of 16, and an old generation of at most 192 MB, near which
 * V8 collects early instead of letting it grow to about three times what is live. The bench measures the
 * worker with them (docs/performance.md). The Dockerfile, docker-compose.yml and `npm run start:worker`
 * repeat them literally (a command line cannot import them); test/unit/one-home.test.ts keeps them equal.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=192'] as const;
