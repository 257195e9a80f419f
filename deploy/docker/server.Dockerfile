# Vigil server image (also runs the workers, the audit receiver and the
# admission webhook: `vigil server`, `vigil k8s webhook`, `vigil admission webhook`).
# Build from the repository root:  docker build -f deploy/docker/server.Dockerfile -t vigil/server:0.1.0 .
# Multi-stage: compilers and dev dependencies stay in the build stage; the
# final image is node's slim Debian image with the compiled CLI and console,
# production dependencies, the rule files and the agent link's .proto, run as
# a non-root user. NODE_IMAGE is the base of both stages: any Debian bookworm
# image with Node.js 20 (node, npm) on the PATH (the end-to-end test,
# test/e2e/deploy/server-image.test.ts, builds one from a debootstrap root).
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# better-sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` (the build) needs the sources: install without scripts, then run
# the install scripts of the packages that have one.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild protobufjs
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY proto ./proto
COPY rules ./rules
# The build generates the console's API types from the server's OpenAPI document first.
COPY scripts/gen-api-client.ts ./scripts/
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/vigil
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/rules ./rules
COPY --from=build /src/proto ./proto
RUN groupadd --system --gid 10001 vigil && useradd --system --uid 10001 --gid vigil --home-dir /var/lib/vigil vigil \
 && mkdir -p /var/lib/vigil && chown vigil:vigil /var/lib/vigil
USER 10001:10001
EXPOSE 8080 8091 8443
ENTRYPOINT ["node", "/opt/vigil/dist/cli/main.js"]
CMD ["server", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/var/lib/vigil"]
