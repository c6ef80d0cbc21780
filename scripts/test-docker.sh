#!/usr/bin/env bash
# End-to-end test of the Docker lab with a real engine: `npm run test:docker`.
#
# Runs the commands users type (docker compose build / up -d / attach / stop / down) and asserts
# from the containers' JSON logs (scripts/e2e-check.mjs) that:
#   local  - the server saw 127.0.0.1;
#   vm     - the server saw the client's own vm address;
#   remote - the server saw the vm network's gateway (NAT), not the client's wan address;
#   every echo came back byte for byte; each chat client got the other's greeting across networks;
#   a line typed into `docker attach` in a real terminal (tmux) reaches the server and its echo
#   shows on that screen; Ctrl-P Ctrl-Q detaches and the client keeps running;
#   the `mistake` profile's vm client is refused (server bound to 127.0.0.1);
#   `docker compose stop`: every program logs its stop event and exits 0; `down -v` leaves nothing;
#   a busy published port and an overlapping subnet each make scripts/lab-up.sh name the setting
#   to change (before compose, and from compose's own error).
#
# Safe beside a running lab: its own project name, container/network/volume prefix, image tag,
# free subnets and free ports. Bounded: fails after TEST_DOCKER_TIMEOUT seconds (default 600).
# On a machine without Docker it installs and starts one, and makes the Node base image locally
# (scripts/docker-engine.sh, scripts/base-image.sh). Needs node (for the checks) and tmux
# (installed with apt-get when missing and allowed).
# Env: TEST_DOCKER_TIMEOUT, TEST_DOCKER_KEEP=1 (keep the work directory even on success).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

TIMEOUT=${TEST_DOCKER_TIMEOUT:-600}
READY_TIMEOUT=120 # from `up -d` to every scenario's assertions holding
T0=$SECONDS
ID=$$
PROJECT=labe2e$ID # letters and digits only: Compose v1 and v2 name things alike
WORK=$(mktemp -d "${TMPDIR:-/tmp}/socket-lab-e2e.XXXXXX")
mkdir -p "$WORK/logs" "$WORK/screens"

export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT LAB_IMAGE=socket-lab:e2e LAB_LANG=en
# Whatever a user's .env says, the test sets every value compose interpolates.
unset LAB_SKIP_PREFLIGHT

STEP=setup
CHILD=""
WATCHDOG=""
LISTENER=""
TMUX_SOCK=""
TMUX_PID=""
OVERLAP_NET=""
BAD_PROJECT=""
PASSED=0
BUILD_S="?"
READY_S="?"
STOP_S="?"

say() { printf '[test-docker %3ds] %s\n' "$((SECONDS - T0))" "$*"; }

fail() {
  printf '\n[test-docker %3ds] FAILED at step "%s": %s\n' "$((SECONDS - T0))" "$STEP" "$*" >&2
  exit 1
}

# Runs a command in the background and waits for it, so the watchdog's signal is handled at once
# (bash runs traps only between foreground commands). Output goes to $WORK/<step>.log.
run() {
  local logfile
  logfile="$WORK/$(tr -c 'a-zA-Z0-9\n' _ <<<"$STEP").log"
  "$@" >>"$logfile" 2>&1 &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  if ((rc != 0)); then
    printf '%s\n' "--- last lines of $logfile ($*, exit $rc):" >&2
    tail -n 40 "$logfile" >&2
  fi
  return "$rc"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM USR1
  set +e
  [[ -n $WATCHDOG ]] && kill "$WATCHDOG" 2>/dev/null && wait "$WATCHDOG" 2>/dev/null
  [[ -n $CHILD ]] && kill "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  [[ -n $LISTENER ]] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER" 2>/dev/null
  if [[ -n $TMUX_SOCK ]]; then
    tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
    [[ -n $TMUX_PID ]] && kill "$TMUX_PID" 2>/dev/null
  fi
  if ((!PASSED)); then
    say "cleaning up (containers, networks, volume of $PROJECT)"
  fi
  timeout 120 docker compose --profile mistake down -v --remove-orphans -t 3 >>"$WORK/cleanup.log" 2>&1
  if [[ -n $BAD_PROJECT ]]; then
    COMPOSE_PROJECT_NAME=$BAD_PROJECT LAB_PREFIX=$BAD_PROJECT \
      timeout 120 docker compose down -v --remove-orphans -t 3 >>"$WORK/cleanup.log" 2>&1
  fi
  [[ -n $OVERLAP_NET ]] && docker network rm "$OVERLAP_NET" >>"$WORK/cleanup.log" 2>&1
  if ((PASSED)) && [[ ${TEST_DOCKER_KEEP:-0} != 1 ]]; then
    rm -rf "$WORK"
  else
    printf '[test-docker] logs, screens and step output kept in %s\n' "$WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'fail "timed out after ${TIMEOUT} s"' USR1
trap 'fail "interrupted"' INT TERM

# The watchdog: a subshell that signals us after $TIMEOUT s; killing it (by PID) ends its sleep too.
(
  trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep "$TIMEOUT" &
  s=$!
  wait "$s"
  kill -USR1 "$ID"
) &
WATCHDOG=$!

# --- the engine, the base image, the tools -------------------------------------------------------

STEP="docker engine"
run scripts/docker-engine.sh || fail "no usable Docker engine (see above)"
say "$(grep -E 'engine:|compose:' "$WORK/docker_engine.log" | sed 's/^docker-engine: //' | paste -sd ';' -)"

STEP="base image"
run scripts/base-image.sh || fail "no Node base image (see above)"
NODE_BASE_IMAGE=$(tail -n 1 "$WORK/base_image.log")
export NODE_BASE_IMAGE
say "base image: $NODE_BASE_IMAGE"

STEP="tools"
have node || fail "node is needed for the log assertions"
if ! have tmux; then
  if [[ $(id -u) == 0 ]] && have apt-get; then
    run apt-get update -qq && run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
  elif have sudo && sudo -n true 2>/dev/null && have apt-get; then
    run sudo apt-get update -qq && run sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
  fi
  have tmux || fail "tmux is needed for the attach test (a real pseudo-terminal): install it"
fi

# --- settings: free subnets and ports, so a running lab is never touched --------------------------

STEP="settings"
mapfile -t SUBNETS < <(scripts/preflight.sh --free-subnets 2)
((${#SUBNETS[@]} == 2)) || fail "no two free /24 subnets in 198.18.0.0/15"
vm=${SUBNETS[0]%.0/24} wan=${SUBNETS[1]%.0/24}
export LAB_VM_SUBNET=$vm.0/24 LAB_SERVER_IP=$vm.10
export LAB_WAN_SUBNET=$wan.0/24 LAB_WAN_GATEWAY=$wan.1

# Free host ports: TCP echo, UDP chat, and one for the busy-port test. (Chosen now, bound later by
# Docker: another program could take one in between; then this test fails and says so.)
read -r LAB_TCP_PUBLISH LAB_UDP_PUBLISH BUSY_PORT < <(
  node -e '
    const net = require("node:net"), dgram = require("node:dgram"), fs = require("node:fs");
    let low = 32768;
    try { low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || low; } catch {}
    const tcpFree = (p) => new Promise((ok) => { const s = net.createServer().once("error", () => ok(false)); s.listen(p, "0.0.0.0", () => s.close(() => ok(true))); });
    const udpFree = (p) => new Promise((ok) => { const s = dgram.createSocket("udp4").once("error", () => { s.close(); ok(false); }); s.bind(p, "0.0.0.0", () => s.close(() => ok(true))); });
    (async () => {
      for (let i = 0; i < 200; i++) {
        // Below the ephemeral port range, so no outgoing connection can take it meanwhile.
        const p = 20000 + Math.floor(Math.random() * Math.max(100, low - 20010));
        if ((await tcpFree(p)) && (await udpFree(p + 1)) && (await tcpFree(p + 2))) return console.log(p, p + 1, p + 2);
      }
      process.exit(1);
    })();'
) || fail "found no free ports"
export LAB_TCP_PUBLISH LAB_UDP_PUBLISH
say "project $PROJECT: vm $LAB_VM_SUBNET (server $LAB_SERVER_IP), wan $LAB_WAN_SUBNET, tcp $LAB_TCP_PUBLISH, udp $LAB_UDP_PUBLISH"

STEP="preflight"
run scripts/preflight.sh || fail "scripts/preflight.sh rejects settings that should be fine"

# --- build and up ------------------------------------------------------------------------------

STEP="docker compose build"
t=$SECONDS
run docker compose build || fail "the image does not build"
BUILD_S=$((SECONDS - t))
say "docker compose build: ${BUILD_S} s ($(docker image inspect -f '{{.Size}}' "$LAB_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}'))"

STEP="docker compose up -d"
t_up=$SECONDS
run docker compose up -d || fail "the lab does not start"

facts() {
  # Addresses Docker gave the containers: what the server must (or must not) see.
  local ip='{{(index .NetworkSettings.Networks "'$PROJECT-vm'").IPAddress}}'
  local wip='{{(index .NetworkSettings.Networks "'$PROJECT-wan'").IPAddress}}'
  local gw='{{(index .NetworkSettings.Networks "'$PROJECT-vm'").Gateway}}'
  VM_CLIENT_IP=$(docker inspect -f "$ip" "$PROJECT-echo-vm")
  CHAT_VM_IP=$(docker inspect -f "$ip" "$PROJECT-chat-vm")
  VM_GATEWAY=$(docker inspect -f "$gw" "$PROJECT-echo-vm")
  REMOTE_WAN_IP=$(docker inspect -f "$wip" "$PROJECT-echo-remote")
}
facts
TYPED="typed-through-a-real-terminal-$ID-$RANDOM"

write_facts() {
  node -e '
    const [prefix, serverIp, wanGateway, tcpPublish, vmClientIp, chatVmIp, vmGateway, remoteWanIp, typed, exitCodes] = process.argv.slice(1);
    process.stdout.write(JSON.stringify({
      prefix, serverIp, wanGateway, tcpPublish: Number(tcpPublish), vmClientIp, chatVmIp, vmGateway, remoteWanIp, typed,
      greetings: { local: "Hello from the local scenario", vm: "Hello from the vm scenario", remote: "Hello from the remote scenario" },
      chat: { vm: { nick: "vm-user", say: "Hi from the vm network" }, remote: { nick: "remote-user", say: "Hi from the wan network" } },
      exitCodes: exitCodes ? JSON.parse(exitCodes) : undefined,
    }, null, 2));' "$PROJECT" "$LAB_SERVER_IP" "$LAB_WAN_GATEWAY" "$LAB_TCP_PUBLISH" \
    "$VM_CLIENT_IP" "$CHAT_VM_IP" "$VM_GATEWAY" "$REMOTE_WAN_IP" "$TYPED" "${1:-}" >"$WORK/facts.json"
}
write_facts

# The JSON logs, straight from the volume (through the server container: works running or stopped),
# and what each client's terminal shows.
fetch() {
  rm -rf "$WORK/logs" && mkdir -p "$WORK/logs"
  docker cp "$PROJECT-server:/logs/." "$WORK/logs/" >/dev/null 2>&1 || true
  local c
  for c in echo-local echo-vm echo-remote chat-vm chat-remote server; do
    docker logs "$PROJECT-$c" >"$WORK/screens/$c.txt" 2>&1 || true
  done
}

# Polls `e2e-check.mjs PHASE` until it passes; after $2 seconds prints its failures and fails.
await_check() {
  local phase=$1 limit=$2 start=$SECONDS
  while :; do
    fetch
    node scripts/e2e-check.mjs "$phase" "$WORK" --quiet && break
    if ((SECONDS - start >= limit)); then
      node scripts/e2e-check.mjs "$phase" "$WORK" >&2 || true
      fail "the $phase assertions above did not hold within $limit s"
    fi
    sleep 1
  done
  node scripts/e2e-check.mjs "$phase" "$WORK" | sed 's/^/  /'
}

STEP="scenarios"
await_check running "$READY_TIMEOUT"
READY_S=$((SECONDS - t_up))
say "all scenarios verified ${READY_S} s after \`docker compose up -d\` started"

# --- typing into an attached client, in a real pseudo-terminal ----------------------------------

STEP="docker attach"
TMUX_SOCK=socket-lab-e2e-$ID
pane() { tmux -L "$TMUX_SOCK" capture-pane -p -J -t attach -S -200 2>/dev/null | sed 's/[[:space:]]*$//'; }
wait_pane() { # $1: fixed text, $2: seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    pane | grep -qF -- "$1" && return 0
    sleep 0.2
  done
  return 1
}
TERM=${TERM:-xterm} tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s attach -x 160 -y 40 \
  "docker attach $PROJECT-echo-vm" || fail "tmux could not start docker attach"
TMUX_PID=$(tmux -L "$TMUX_SOCK" display-message -p '#{pid}')
# Attaching resizes the container's terminal; the client answers with the attach hint.
wait_pane "Ctrl-P Ctrl-Q" 15 || {
  pane >&2
  fail "the attached client did not show the attach hint (detach keys) within 15 s"
}
tmux -L "$TMUX_SOCK" send-keys -t attach -l "$TYPED"
tmux -L "$TMUX_SOCK" send-keys -t attach Enter
wait_pane "echo: $TYPED" 15 || true
pane >"$WORK/screens/attach.txt"
await_check attach 15
tmux -L "$TMUX_SOCK" send-keys -t attach C-p C-q
for ((i = 0; i < 50; i++)); do
  tmux -L "$TMUX_SOCK" has-session -t attach 2>/dev/null || break
  sleep 0.2
done
if tmux -L "$TMUX_SOCK" has-session -t attach 2>/dev/null; then
  pane >&2
  fail "Ctrl-P Ctrl-Q did not detach docker attach within 10 s"
fi
[[ $(docker inspect -f '{{.State.Running}}' "$PROJECT-echo-vm") == true ]] ||
  fail "$PROJECT-echo-vm stopped when detached (it must keep running)"
say "  ok   detach: Ctrl-P Ctrl-Q ended docker attach; $PROJECT-echo-vm keeps running"
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
TMUX_SOCK=""

# --- the classic mistake -----------------------------------------------------------------------

STEP="mistake profile"
run docker compose --profile mistake up -d server-mistake echo-mistake || fail "the mistake profile does not start"
for ((i = 0; i < 60; i++)); do
  [[ $(docker inspect -f '{{.State.Status}}' "$PROJECT-echo-mistake" 2>/dev/null) == exited ]] && break
  sleep 1
done
await_check mistake 10

# --- stop and down -----------------------------------------------------------------------------

STEP="docker compose stop"
t=$SECONDS
run docker compose --profile mistake stop || fail "docker compose stop failed"
STOP_S=$((SECONDS - t))
codes=$(docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' |
  while read -r name; do printf '"%s":%s\n' "$name" "$(docker inspect -f '{{.State.ExitCode}}' "$name")"; done |
  paste -sd , -)
write_facts "{$codes}"
fetch
say "docker compose stop: ${STOP_S} s"
node scripts/e2e-check.mjs stopped "$WORK" | sed 's/^/  /' || {
  for c in "$WORK"/screens/*.txt; do
    printf -- '--- end of %s:\n' "$(basename "$c" .txt)" >&2
    tail -n 5 "$c" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >&2
  done
  fail "the stop assertions above did not hold"
}
[[ $(grep -c . <<<"${codes//,/$'\n'}") == 8 ]] || fail "expected 8 lab containers after stop, found: {$codes}"

STEP="lab report"
# What users run after the lab (docker compose run --rm report), writing into the test's own
# directory instead of the project's logs/: the report of this real run must pass every check.
mkdir -p "$WORK/collected"
run docker compose run --rm -v "$WORK/collected:/out" report \
  collect --from /logs --to /out/logs --check --require local,vm,remote,echo,chat ||
  fail "the lab report of this run fails its checks (socket-lab report --check, output above)"
for f in report.md report.ru.md "$PROJECT-server.jsonl"; do
  [[ -s $WORK/collected/logs/$f ]] || fail "docker compose run --rm report did not write logs/$f"
done
say "  ok   report: docker compose run --rm report wrote report.md and report.ru.md; every check passes"

STEP="docker compose down -v"
run docker compose --profile mistake down -v || fail "docker compose down failed"
left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT")
[[ -z $left ]] || fail "containers left after down: $(docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' | paste -sd ' ' -)"
for n in "$PROJECT-vm" "$PROJECT-wan"; do
  ! docker network inspect "$n" >/dev/null 2>&1 || fail "network $n left after down"
done
! docker volume inspect "$PROJECT-logs" >/dev/null 2>&1 || fail "volume $PROJECT-logs left after down -v"
say "  ok   down -v: no container, network or volume of $PROJECT left"

# --- misconfiguration: the error names the setting to change -------------------------------------

# Runs scripts/lab-up.sh in a second project; expects it to fail and to name setting $1.
expect_named() {
  local setting=$1 what=$2 out=$WORK/lab-up-$3.txt
  shift 3
  local rc=0
  env "$@" COMPOSE_PROJECT_NAME="$BAD_PROJECT" LAB_PREFIX="$BAD_PROJECT" scripts/lab-up.sh >"$out" 2>&1 &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  if ((rc == 0)); then
    cat "$out" >&2
    fail "$what: scripts/lab-up.sh succeeded; it should have failed"
  fi
  if ! grep -q "Set $setting in" "$out"; then
    cat "$out" >&2
    fail "$what: the error does not say to set $setting"
  fi
  say "  ok   $what -> $(grep -m 1 'PROBLEM' "$out" | sed 's/^preflight: //')"
  say "            $(grep -m 1 "Set $setting in" "$out" | sed 's/^ *//')"
  COMPOSE_PROJECT_NAME=$BAD_PROJECT LAB_PREFIX=$BAD_PROJECT run docker compose down -v -t 3 ||
    fail "cannot remove the half-started project $BAD_PROJECT"
}

STEP="misconfiguration: busy port"
BAD_PROJECT=${PROJECT}bad
node -e '
  const s = require("node:net").createServer();
  s.listen(Number(process.argv[1]), "127.0.0.1", () => process.stdout.write("listening\n"));
  process.on("SIGTERM", () => s.close(() => process.exit(0)));' "$BUSY_PORT" >"$WORK/listener.out" 2>&1 &
LISTENER=$!
for ((i = 0; i < 50; i++)); do
  grep -q listening "$WORK/listener.out" && break
  sleep 0.1
done
grep -q listening "$WORK/listener.out" || fail "could not hold port $BUSY_PORT for the test"
expect_named LAB_TCP_PUBLISH "busy TCP port (preflight)" busy-preflight LAB_TCP_PUBLISH="$BUSY_PORT"
expect_named LAB_TCP_PUBLISH "busy TCP port (compose's own error)" busy-compose \
  LAB_TCP_PUBLISH="$BUSY_PORT" LAB_SKIP_PREFLIGHT=1
kill "$LISTENER" 2>/dev/null || true
wait "$LISTENER" 2>/dev/null || true
LISTENER=""

STEP="misconfiguration: overlapping subnet"
OVERLAP_NET=${PROJECT}-overlap
run docker network create --subnet "$LAB_VM_SUBNET" "$OVERLAP_NET" || fail "cannot create the overlapping network"
expect_named LAB_VM_SUBNET "overlapping subnet (preflight)" overlap-preflight
expect_named LAB_VM_SUBNET "overlapping subnet (compose's own error)" overlap-compose LAB_SKIP_PREFLIGHT=1
run docker network rm "$OVERLAP_NET" || fail "cannot remove $OVERLAP_NET"
OVERLAP_NET=""
BAD_PROJECT=""

PASSED=1
STEP="finished"
say "PASSED. Times: docker compose build ${BUILD_S} s; up -d -> every scenario verified ${READY_S} s; stop ${STOP_S} s; total $((SECONDS - T0)) s"
