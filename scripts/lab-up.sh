#!/usr/bin/env bash
# Start the lab in the background, with a check first and a plain answer when Docker refuses:
#
#   scripts/lab-up.sh                      # = scripts/preflight.sh && docker compose up -d
#   scripts/lab-up.sh --build              # extra arguments go to `docker compose up -d`
#   scripts/lab-up.sh --profile mistake    # options before `up` go to `docker compose` itself
#
# `docker compose up` alone works just as well; use this when it fails and the message does not
# say what to change. A busy port or an overlapping subnet is then reported with the .env
# setting to change (LAB_TCP_PUBLISH, LAB_UDP_PUBLISH, LAB_VM_SUBNET, ...).
# Env: LAB_SKIP_PREFLIGHT=1 skips the check (the failure is still explained afterwards).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/.."

global=() # options of `docker compose` itself (--profile X, -p NAME, ...)
while [[ $# -gt 0 && ($1 == --profile || $1 == -p || $1 == --project-name) ]]; do
  [[ $# -ge 2 ]] || die "$1 needs a value"
  global+=("$1" "$2")
  shift 2
done

if [[ ${LAB_SKIP_PREFLIGHT:-0} != 1 ]]; then
  "$HERE/preflight.sh"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
docker compose ${global[@]+"${global[@]}"} up -d "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
if [[ $status != 0 ]]; then
  log "docker compose up failed (exit $status); looking for the cause"
  "$HERE/preflight.sh" --diagnose "$out" || true
  log "after changing the setting, clean up the half-started lab: docker compose down"
  exit "$status"
fi

prefix=${LAB_PREFIX:-lab}
log "the lab is up. Next:"
log "  docker compose logs -f               # follow every container (Ctrl-C stops following only)"
log "  docker attach $prefix-echo-vm           # type into a client; detach with Ctrl-P Ctrl-Q"
log "  docker compose stop / docker compose down -v   # stop it / remove everything it made"
