# syntax=docker/dockerfile:1
# One image for the three services, the worker and the API; docker-compose.yml picks the entry command.

FROM node:24.22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# The saga engine is an npm workspace: its manifest is part of the install.
COPY package.json package-lock.json ./
COPY packages/saga/package.json packages/saga/
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run db:generate && bash scripts/build

FROM node:24.22-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/saga/package.json packages/saga/
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24.22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# node_modules/@sagaflow/saga links here: the engine's own build, as an installed package.
COPY --from=build /app/packages/saga/package.json ./packages/saga/package.json
COPY --from=build /app/packages/saga/dist ./packages/saga/dist
COPY package.json ./
USER node
# Overridden per container in docker-compose.yml (services, worker, api).
CMD ["node", "dist/api/main.js"]
