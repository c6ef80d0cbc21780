#!/usr/bin/env bash
# Ensure a usable Docker engine and the `docker compose` (v2 syntax) command.
#
# On a user's machine or a hosted CI runner both already work and this only reports them.
# On our machines (shared/DESIGN.md) it installs Debian's docker.io + docker-compose (v1),
# starts dockerd in the background, and adds a CLI plugin shim so `docker compose ARGS`
# runs `docker-compose ARGS`: tests then type the same command users type.
# Env: DOCKERD_LOG (default /var/log/dockerd.log).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}

compose_ok() { docker compose version >/dev/null 2>&1; }

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

# Docker CLI plugin protocol: `docker-compose docker-cli-plugin-metadata` must print JSON
# metadata; otherwise it is called as `docker-compose compose ARGS...`.
install_compose_shim() {
  have docker-compose || install_debian_docker
  local dir=/usr/local/lib/docker/cli-plugins version
  [[ $(id -u) == 0 ]] || dir=$HOME/.docker/cli-plugins
  version=$(docker-compose version --short)
  log "installing $dir/docker-compose: \`docker compose\` -> docker-compose $version"
  mkdir -p "$dir"
  cat >"$dir/docker-compose.tmp" <<EOF
#!/bin/sh
# Docker CLI plugin shim written by socket-lab scripts/docker-engine.sh:
# \`docker compose ARGS\` runs Compose v1 \`docker-compose ARGS\`.
if [ "\${1:-}" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"socket-lab","Version":"$version","ShortDescription":"Docker Compose (v1 docker-compose behind v2 syntax)"}'
  exit 0
fi
shift # the plugin's own name, "compose"
exec docker-compose "\$@"
EOF
  chmod 0755 "$dir/docker-compose.tmp"
  mv "$dir/docker-compose.tmp" "$dir/docker-compose"
  compose_ok || die "\`docker compose version\` still fails after installing the shim in $dir"
}

main() {
  if docker_ok && compose_ok; then
    log "already usable, nothing to do"
  else
    have dockerd || docker_ok || install_debian_docker
    docker_ok || start_dockerd
    compose_ok || install_compose_shim
  fi
  log "engine: $(docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}} (API {{.Client.APIVersion}})')"
  log "storage driver: $(docker info --format '{{.Driver}}'), cgroup: $(docker info --format '{{.CgroupDriver}} v{{.CgroupVersion}}')"
  log "compose: $(docker compose version | head -n 1)"
}

main "$@"
