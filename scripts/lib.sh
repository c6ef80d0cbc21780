# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
# Messages go to stderr so that a script's stdout can carry a result (see base-image.sh).

SCRIPT_NAME="$(basename "${BASH_SOURCE[1]:-$0}" .sh)"

log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# True when the Docker daemon answers.
docker_ok() { docker info >/dev/null 2>&1; }
