# Vigil node agent image: the CLI plus bpftrace (the eBPF sensor runs it as a
# child process). Runs as root inside the DaemonSet's narrowed capability set
# (deploy/base/agent/agent.yaml): loading eBPF programs needs it.
# Build from the repository root:  docker build -f deploy/docker/agent.Dockerfile -t vigil/agent:0.1.0 .
# NODE_IMAGE: any Debian bookworm image with Node.js 20 (node, npm) on the PATH.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` (the build) needs the sources: install without scripts, then run
# the install scripts of the packages that have one.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 esbuild protobufjs
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY proto ./proto
COPY rules ./rules
# The agent has no console: only the server's build.
RUN npm run build:server && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# bpftrace only; no compilers or package caches in the final image. perl (perl-base, essential in every
# Debian image) makes the process_madvise call that gives bpftrace's LLVM pages back (docs/agent.md).
RUN apt-get update && apt-get install -y --no-install-recommends bpftrace && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/vigil
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/rules ./rules
COPY --from=build /src/proto ./proto
# Node options for a small idle footprint (bench/agent-bench.ts runs the agent with the same ones, read
# from this line): 2 MiB young-generation semi-spaces instead of up to 16 MiB, and one V8 platform worker
# thread instead of four (each holds a malloc arena and a stack); about 20 MiB less RSS when idle.
# --expose-gc: after the exec scanner read a large new executable whole (up to 64 MiB), the agent collects
# at once (at most every 10 s) instead of holding the dead buffer until V8's next major collection.
ENTRYPOINT ["node", "--max-semi-space-size=2", "--v8-pool-size=1", "--expose-gc", "/opt/vigil/dist/cli/main.js"]
CMD ["agent"]
