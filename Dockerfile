# One image for every hookrelay process; the command picks which:
#   API (default)  node --import tsx src/bin/api.ts
#   worker         node --import tsx src/bin/worker.ts
#   migrations     node --import tsx src/bin/migrate.ts
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lockfile changes.
# tsx is a regular dependency (the app runs its TypeScript as is), so dev dependencies can stay out.
# SCARF_ANALYTICS=false: swagger-ui's install script would otherwise phone home during the build.
COPY package.json package-lock.json ./
RUN SCARF_ANALYTICS=false npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY tsconfig.json ./
COPY migrations ./migrations
COPY src ./src

# The code stays root-owned and read-only to the process; tsx keeps its cache in /tmp.
USER node

# API port; a worker serves /metrics and /healthz on WORKER_METRICS_PORT instead.
EXPOSE 3000 9464
CMD ["node", "--import", "tsx", "src/bin/api.ts"]
