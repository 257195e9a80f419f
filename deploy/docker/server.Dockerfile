# Vigil server image (also runs the workers, the audit receiver and the
# admission webhook: `vigil server`, `vigil k8s webhook`, `vigil admission webhook`).
# Build from the repository root:  docker build -f deploy/docker/server.Dockerfile -t vigil/server:0.1.0 .
# Multi-stage: compilers and dev dependencies stay in the build stage; the
# final image is node's slim Debian image with the compiled CLI, production
# dependencies and the rule files, run as a non-root user.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# better-sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts=false
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY rules ./rules
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/vigil
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/rules ./rules
RUN groupadd --system --gid 10001 vigil && useradd --system --uid 10001 --gid vigil --home-dir /var/lib/vigil vigil \
 && mkdir -p /var/lib/vigil && chown vigil:vigil /var/lib/vigil
USER 10001:10001
EXPOSE 8080 8091 8443
ENTRYPOINT ["node", "/opt/vigil/dist/cli/main.js"]
CMD ["server", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/var/lib/vigil"]
