# One image for every hookrelay process; the command picks which:
#   API (default)  node dist/bin/api.js
#   worker         node --max-semi-space-size=4 --max-old-space-size=192 dist/bin/worker.js  (README, Performance)
#   migrations     node dist/bin/migrate.js
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lockfile changes.
# The processes run the JavaScript that `npm run build` (esbuild) makes of src/bin; tsx stays a regular
# dependency for the worker's short-lived workflow-bundling child, so dev dependencies can stay out.
# SCARF_ANALYTICS=false: swagger-ui's install script would otherwise phone home during the build.
COPY package.json package-lock.json ./
RUN SCARF_ANALYTICS=false npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY tsconfig.json ./
COPY migrations ./migrations
COPY src ./src
COPY scripts/build.mjs ./scripts/build.mjs
RUN node scripts/build.mjs

# The code stays root-owned and read-only to the process; tsx keeps its cache in /tmp.
USER node

# API port; a worker serves /metrics and /healthz on WORKER_METRICS_PORT instead.
EXPOSE 3000 9464
CMD ["node", "dist/bin/api.js"]
