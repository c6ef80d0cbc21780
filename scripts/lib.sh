# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.
# Messages go to stderr so that a script's stdout can carry a result (see base-image.sh).

SCRIPT_NAME="$(basename "${BASH_SOURCE[1]:-$0}" .sh)"

log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# True when the Docker daemon answers.
docker_ok() { docker info >/dev/null 2>&1; }

# The first http(s) Debian mirror in this machine's apt sources (deb822 or one-line format), not
# the security archive; Debian's own when there is none.
debian_mirror() {
  local m
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -vE '^[[:space:]]*#' | grep -oE 'https?://[^ ]+' | grep -v security | head -n 1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}
