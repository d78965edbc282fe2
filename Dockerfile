# One image for every role: `docker run IMAGE` serves (embedded mode, SQLite in /data); with
# REDIS_URL set, ROLE=api|worker|all picks what the container runs. The CLI is the entrypoint:
# `docker run -i IMAGE scan --json - < message.eml`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds its native module when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=8080 BALLOTWATCH_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY models ./models
COPY package.json ./
RUN mkdir -p /data && chown node /data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A bounded old-space keeps each process under 300 MB RSS (measured 195 MB for a worker at 200 MB).
ENTRYPOINT ["node", "--max-old-space-size=256", "bin/ballotwatch.js"]
CMD ["serve"]
