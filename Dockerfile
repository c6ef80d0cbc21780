# socket-lab image: the TCP echo + UDP chat server and the clients, one image for every lab container.
#
#   docker compose build                      # what users run (see docker-compose.yml)
#   docker build -t socket-lab:local .        # the same image by hand
#
# The base image is a build argument so machines that cannot reach a registry can pass a locally
# made one (scripts/base-image.sh: Debian bookworm from debootstrap plus Node 24, so `apt-get`
# works here as in the official image); everyone else gets the official one. Plain Dockerfile
# syntax only: it builds with the classic builder (Compose v1) and with BuildKit (v2) alike.
ARG NODE_BASE_IMAGE=node:24-bookworm-slim

# Production dependencies only. --ignore-scripts: no install script is needed at run time, and the
# package's own `prepare` script (tsc) must not run here.
FROM ${NODE_BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Compile. Dependencies first so that editing src/ reuses the cached `npm ci` layer.
FROM ${NODE_BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# The lab's network tools: tcpdump for the capture containers, iptables and iproute2 (tc) for the
# router, with node and the same build so that `socket-lab router` runs here. Its own image
# (compose builds it as ${LAB_TOOLS_IMAGE}); the runtime image below stays without them. A stage
# before `runtime`, so that a plain `docker build` still makes the runtime image.
FROM ${NODE_BASE_IMAGE} AS tools
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    tcpdump iptables iproute2 libcap2-bin \
  && apt-get clean && rm -rf /var/lib/apt/lists/* \
  # The capture containers run tcpdump as the unprivileged `node` user, which must write into the
  # node-owned logs volume; this file capability (bounded by the container's cap_add: NET_RAW,
  # NET_ADMIN) is what lets it open the capture socket without being root.
  && setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)" \
  && mkdir -p /logs && chown node:node /logs
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["router"]

FROM ${NODE_BASE_IMAGE} AS runtime
# A student's own programs run in this image (docs/own-programs.md): Debian's Python 3, the
# course's language, and strace, through which `socket-lab own` sees every socket call they make.
# `python3`, not `python3-minimal`: the minimal one lacks json, queue, socketserver and asyncio,
# modules a student's echo server or chat may well import. Before the lab's own files, so that
# editing src/ reuses this layer. Sizes before and after: docs/own-programs.md.
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 strace \
  # apt-get clean: the official image does it by itself (docker-clean), a debootstrap base does not
  && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# Python prints at once, not when its buffer fills: a student's "client connected" line shows
# (and is logged with its time) when it happens, as in their own terminal.
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# /logs is where compose mounts the `logs` volume; a fresh named volume takes this directory's
# owner, so the non-root user can write its JSON log there.
RUN mkdir -p /logs && chown node:node /logs \
  # A student's own program runs as `student` (uid 1001), not as `node` like the lab: `socket-lab
  # own` starts as root in the own containers and only the program drops to this user
  # (LAB_OWN_USER, setpriv under strace), so the program cannot signal, ptrace or write into strace, the
  # runner or the lab's logs (node's, not writable by others). docs/own-programs.md.
  && useradd --uid 1001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin student
ENV LAB_OWN_USER=student
USER node
# Exec form: node itself gets the signals (compose adds `init: true` to reap and forward them).
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["server"]
STOPSIGNAL SIGTERM
EXPOSE 7007/tcp 7008/udp
