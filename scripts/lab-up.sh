#!/usr/bin/env bash
# Start the lab in the background, with a check first and a plain answer when Docker refuses:
#
#   scripts/lab-up.sh                      # = socket-lab doctor && docker compose up -d
#   scripts/lab-up.sh --build              # extra arguments go to `docker compose up -d`
#   scripts/lab-up.sh --profile mistake    # options before `up` go to `docker compose` itself
#
# `docker compose up` alone works just as well; use this when it fails and the message does not
# say what to change. A busy port or an overlapping subnet is then reported with the .env
# setting to change (LAB_TCP_PUBLISH, LAB_UDP_PUBLISH, LAB_VM_SUBNET, ...) and a value that is
# free on this host.
#
# The check is `socket-lab doctor`, run by Node.js on this host: it looks at this host's routes,
# ports and kernel, which a container (or Docker Desktop's VM) would not see. Without Node.js 20+
# and a built checkout (npm ci), this script says so and starts the lab unchecked; Docker's own
# messages are then explained in README.md, "Troubleshooting".
# Env: LAB_SKIP_DOCTOR=1 (or the older LAB_SKIP_PREFLIGHT=1) skips the check before starting
# (a failure is still explained afterwards).
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

# True when `socket-lab doctor` can run here: Node.js 20 or newer and the compiled CLI.
doctor_available() {
  have node && [[ -f dist/cli/doctor.js ]] &&
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null
}

# Runs the doctor; its exit status: 0 the lab can start, 1 a setting must change, 2 no Docker.
doctor() { node dist/cli.js doctor --compose "docker compose"; }

if doctor_available; then
  if [[ ${LAB_SKIP_DOCTOR:-${LAB_SKIP_PREFLIGHT:-0}} != 1 ]]; then
    status=0
    doctor || status=$?
    case $status in
      0) ;;
      2) die "no Docker engine answers: start Docker (Docker Desktop, or: sudo systemctl start docker)" ;;
      *) die "change the setting(s) named above, then run $0 again" ;;
    esac
  fi
else
  log "no check before starting: socket-lab doctor needs Node.js 20+ and a built checkout (npm ci)."
  log "if docker compose fails below, README.md \"Troubleshooting\" says which .env setting to change."
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
docker compose ${global[@]+"${global[@]}"} up -d "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
if [[ $status != 0 ]]; then
  log "docker compose up failed (exit $status)"
  if doctor_available; then
    # What is in the way is still there (the port's holder, the other network): the doctor
    # names it from the host's state, not from Docker's wording.
    log "looking for the cause with socket-lab doctor"
    doctor || true
  fi
  log "after changing the setting, clean up the half-started lab: docker compose down"
  exit "$status"
fi

prefix=${LAB_PREFIX:-lab}
log "the lab is up. Next:"
log "  docker compose logs -f               # follow every container (Ctrl-C stops following only)"
log "  docker attach $prefix-echo-vm           # type into a client; detach with Ctrl-P Ctrl-Q"
log "  docker compose stop / docker compose down -v   # stop it / remove everything it made"
