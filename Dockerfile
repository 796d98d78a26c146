# syntax=docker/dockerfile:1
# The inventory graph server: `docker build -t do-inventory-graph .`, or `docker compose up`
# with compose.yaml (two replicas on PostgreSQL and Redis).
#
# Every build step is scripts/container-build.sh, which test/integration/container.test.ts
# runs the same way without a container engine (the stages, the health check, the command).
ARG NODE_VERSION=22
FROM node:${NODE_VERSION}-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

# Every dependency (TypeScript, the Prisma generator), the generated client, dist/.
FROM base AS build
COPY . .
RUN sh scripts/container-build.sh build

# Production dependencies only, from the lockfile (built alongside the build stage).
FROM base AS deps
COPY package.json package-lock.json ./
COPY scripts/container-build.sh scripts/
RUN sh scripts/container-build.sh deps

FROM base AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
RUN --mount=type=bind,from=build,source=/app,target=/mnt/build \
    --mount=type=bind,from=deps,source=/app,target=/mnt/deps \
    sh /mnt/build/scripts/container-build.sh assemble /mnt/build /mnt/deps
# The embedded database (used when DATABASE_URL is unset) lives in /app/data: the only place
# the server writes, owned by the unprivileged user the server runs as. Mount a volume there.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=12s --start-period=120s --retries=3 CMD ["node", "scripts/container-healthcheck.mjs"]
# node is PID 1 and handles SIGTERM and SIGINT itself (src/process.ts): `docker stop` shuts the
# server down cleanly, with no shell or npm in between.
CMD ["node", "--enable-source-maps", "dist/main.js"]
