# syntax=docker/dockerfile:1
# One image for every role. `docker run IMAGE` serves in embedded mode (SQLite in /data); with
# REDIS_URL set, ROLE=api|worker|all picks what the container runs (docker-compose.yml runs Redis,
# one api and two workers from it). The CLI is the entrypoint:
# `docker run -i --rm IMAGE scan --json - < message.eml`.

# 1. Build: dev dependencies, TypeScript → dist/ (npm ci runs the `prepare` build).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds its native module when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund

# 2. Production dependencies only (the native module is compiled here, then copied as is).
FROM build AS deps
RUN npm prune --omit=dev

# 3. Runtime: no compiler, no dev dependencies, no npm cache, not root.
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="ballotwatch" \
      org.opencontainers.image.description="Screens inbound email for election threats" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app
ENV NODE_ENV=production PORT=8080 ROLE=all BALLOTWATCH_DATA_DIR=/data
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root bin ./bin
COPY --chown=root:root models ./models
COPY --chown=root:root dashboard ./dashboard
# The evaluation set a retrain is measured on before the promotion gate (README "Model lifecycle").
COPY --chown=root:root fixtures/holdout ./fixtures/holdout
COPY --chown=root:root fixtures/holdout-blind ./fixtures/holdout-blind
COPY --chown=root:root fixtures/holdout-blind-2 ./fixtures/holdout-blind-2
COPY --chown=root:root package.json ./
# The code is root-owned and read-only to the service user; only /data is writable.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
# Liveness: the process answers. (/readyz also checks Redis and the model: use it for a load
# balancer, not for restarts, or a Redis outage restarts every container.) Every role serves it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM: stop intake, finish in-flight jobs, exit 0 (give it `stop_grace_period: 40s`).
STOPSIGNAL SIGTERM
# A bounded old-space keeps each process under 300 MB RSS (measured 195 MB for a worker at 256 MB).
ENTRYPOINT ["node", "--max-old-space-size=256", "bin/ballotwatch.js"]
CMD ["serve"]
