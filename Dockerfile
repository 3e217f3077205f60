# One image for every hookrelay process; the command picks which:
#   API (default)  node dist/bin/api.js
#   worker         node --max-semi-space-size=4 --max-old-space-size=192 dist/bin/worker.js  (src/worker-node-flags.ts)
#   migrations     node dist/bin/migrate.js

# Build stage: `npm run build` needs the dev dependencies (esbuild; preact and htm for the portal). It
# writes dist/: the processes as JavaScript, the workflow bundle and the portal's browser code, so the
# image runs no bundler or TypeScript loader at start.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# --ignore-scripts: no dependency's install script is needed and one is telemetry (docs/operations.md,
# "Install scripts"); this npm predates package.json's allowScripts, which says the same.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts/build.mjs ./scripts/build.mjs
RUN node scripts/build.mjs

FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lockfile changes; no dev dependencies.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# The built code only: src/ stays in the build stage (the source maps carry the sources).
COPY migrations ./migrations
COPY --from=build /app/dist ./dist

# The code stays root-owned and read-only to the process.
USER node

# API port; a worker serves /metrics and /healthz on WORKER_METRICS_PORT instead.
EXPOSE 3000 9464
CMD ["node", "dist/bin/api.js"]
