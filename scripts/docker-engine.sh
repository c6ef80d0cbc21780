#!/usr/bin/env bash
# Ensure a usable Docker engine, Compose v2 (`docker compose`) and buildx (BuildKit builds).
#
#   scripts/docker-engine.sh                # engine + Compose v2 + buildx
#   scripts/docker-engine.sh --compose-v1   # also Compose v1 (`docker-compose` 1.29), for the e2e test
#
# On a user's machine or a hosted CI runner these usually work already and this only reports them.
# On our machines (shared/DESIGN.md) it installs Debian's docker.io + docker-compose (v1), starts
# dockerd in the background, and puts Debian trixie's Compose v2 and buildx binaries into the
# Docker CLI plugin dir. Idempotent; a second run takes about a second.
# Env: DOCKERD_LOG (default /var/log/dockerd.log); DOCKER_CONFIG: install the plugins into
# $DOCKER_CONFIG/cli-plugins (where the CLI looks first) unless they are already there.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}

can_apt() { [[ $(id -u) == 0 && -f /etc/debian_version ]] && have apt-get; }

install_debian_docker() {
  can_apt || die "no Docker engine here: install Docker Engine with the compose plugin (https://docs.docker.com/engine/install/), or on Debian/Ubuntu as root: apt-get install docker.io docker-compose"
  log "installing docker.io and docker-compose with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null
}

# overlay2 needs a kernel and backing filesystem that can mount overlayfs; else use vfs
# (slow and disk-hungry, but works everywhere). Probe on the filesystem of /var/lib/docker.
storage_driver() {
  local d ok=vfs
  mkdir -p /var/lib/docker
  d=$(mktemp -d /var/lib/docker/.overlay-probe.XXXXXX)
  mkdir "$d"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null; then
    umount "$d/merged" && ok=overlay2
  fi
  rm -rf "$d"
  echo "$ok"
}

start_dockerd() {
  if [[ -S /var/run/docker.sock && ! -w /var/run/docker.sock ]]; then
    die "cannot use /var/run/docker.sock as $(id -un): add yourself to the docker group (usermod -aG docker $(id -un)) and log in again"
  fi
  if pgrep -x dockerd >/dev/null; then
    log "dockerd is running but not answering yet; waiting"
  else
    [[ $(id -u) == 0 ]] || die "dockerd is not running and only root can start it here (sudo $0)"
    local args=(--storage-driver "$(storage_driver)")
    # Without a working nat table Docker cannot publish ports or NAT containers' traffic.
    iptables -t nat -L -n >/dev/null 2>&1 || die "iptables (nat table) does not work here; dockerd needs it for published ports"
    log "starting dockerd ${args[*]} (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    # setsid: the daemon must outlive this script and the shell that ran it.
    setsid -f dockerd "${args[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    docker_ok && return 0
    sleep 1
  done
  log "dockerd did not answer within 60 s; last lines of $DOCKERD_LOG:"
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  die "Docker engine failed to start"
}

# The Docker CLI plugin dir this script installs into: $DOCKER_CONFIG/cli-plugins when set (the
# CLI looks there first), else the system-wide one for root, else ~/.docker/cli-plugins.
plugin_dir() {
  if [[ -n ${DOCKER_CONFIG:-} ]]; then echo "$DOCKER_CONFIG/cli-plugins"
  elif [[ $(id -u) == 0 ]]; then echo /usr/local/lib/docker/cli-plugins
  else echo "$HOME/.docker/cli-plugins"
  fi
}

# True when $1 is a real Compose v2 binary (not the v1 shim below) and buildx sits beside it.
plugins_ok() {
  local dir=$1
  [[ -x $dir/docker-compose && -x $dir/docker-buildx ]] &&
    "$dir/docker-compose" version --short 2>/dev/null | grep -q '^v\?2\.' &&
    "$dir/docker-buildx" version >/dev/null 2>&1
}

# Compose v2 (the `docker compose` CLI plugin users run) and buildx (BuildKit builds), from
# Debian trixie's docker-compose 2.26 and docker-buildx 0.13 packages: they need glibc 2.34
# (bookworm has 2.36) and talk to bookworm's engine 20.10. Fetched with apt-get pointed at a
# private sources list and state dir, so the system's sources and package state stay untouched.
# Debian's docker-compose v1 stays installed as `docker-compose`.
install_compose_v2() {
  local dir=$1 tmp mirror a=()
  can_apt || die "Compose v2 is missing: install Docker's compose plugin (https://docs.docker.com/compose/install/linux/)"
  have dpkg-deb || die "dpkg-deb is needed to unpack Compose v2"
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $tmp is local
  trap "rm -rf '$tmp'" EXIT
  mirror=$(debian_mirror)
  log "fetching docker-compose (v2) and docker-buildx from Debian trixie ($mirror)"
  mkdir -p "$tmp/lists/partial" "$tmp/deb"
  echo "deb $mirror trixie main" >"$tmp/trixie.list"
  a=(-qq -o "Dir::Etc::SourceList=$tmp/trixie.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$tmp/lists" -o APT::Sandbox::User=root)
  apt-get "${a[@]}" --error-on=any update
  (cd "$tmp/deb" && apt-get "${a[@]}" download docker-compose docker-buildx)
  mkdir -p "$dir"
  local f
  for f in "$tmp"/deb/*.deb; do dpkg-deb -x "$f" "$tmp/x"; done
  for f in docker-compose docker-buildx; do
    install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/$f" "$dir/$f.tmp"
    mv "$dir/$f.tmp" "$dir/$f" # atomic: a `docker compose` running meanwhile keeps its binary
  done
  rm -rf "$tmp" && trap - EXIT
  plugins_ok "$dir" || die "the Compose v2 / buildx plugins in $dir do not run"
  log "installed in $dir: compose $("$dir/docker-compose" version --short), $("$dir/docker-buildx" version | cut -d' ' -f1,2)"
}

# Compose v1 (`docker-compose`), which the e2e test also runs: Debian's package.
ensure_compose_v1() {
  have docker-compose && docker-compose version --short 2>/dev/null | grep -q '^1\.' && return 0
  install_debian_docker
}

# `docker compose` is v2 and `docker buildx` answers (Docker's own packages, Docker Desktop, a
# previous run of this script).
v2_ok() {
  docker compose version --short 2>/dev/null | grep -qE '^v?2\.' && docker buildx version >/dev/null 2>&1
}

main() {
  local dir want_v1=0
  case "${1:-}" in
    "") ;;
    --compose-v1) want_v1=1 ;;
    *) die "usage: $0 [--compose-v1]" ;;
  esac
  have dockerd || docker_ok || install_debian_docker
  docker_ok || start_dockerd
  dir=$(plugin_dir)
  if [[ -n ${DOCKER_CONFIG:-} ]]; then
    plugins_ok "$dir" || install_compose_v2 "$dir"
  elif ! v2_ok; then
    install_compose_v2 "$dir"
  fi
  v2_ok || die "\`docker compose\` is still not Compose v2 (plugins in $dir; \`docker compose version\`: $(docker compose version 2>&1 | head -n 1))"
  ((want_v1 == 0)) || ensure_compose_v1
  log "engine: $(docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}} (API {{.Client.APIVersion}})')"
  log "storage driver: $(docker info --format '{{.Driver}}'), cgroup: $(docker info --format '{{.CgroupDriver}} v{{.CgroupVersion}}')"
  log "compose: $(docker compose version --short) (\`docker compose\`), buildx: $(docker buildx version | cut -d' ' -f2)"
  if have docker-compose; then log "compose v1: $(docker-compose version --short 2>/dev/null || echo '?') (\`docker-compose\`)"; fi
}

main "$@"
