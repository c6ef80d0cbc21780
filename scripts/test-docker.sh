#!/usr/bin/env bash
# End-to-end test of the Docker lab with a real engine: `npm run test:docker`.
#
#   TEST_DOCKER_COMPOSE=both npm run test:docker   # default: Compose v2 (`docker compose`), then v1
#   TEST_DOCKER_COMPOSE=v2 npm run test:docker     # only v2, what users run (BuildKit builds)
#   TEST_DOCKER_COMPOSE=v1 npm run test:docker     # only v1 (`docker-compose` 1.29, end of life)
#
# Builds the image once (under v2 with BuildKit, else v1), then per Compose version runs the
# commands users type (up -d / attach / stop / run --rm report / down -v) and asserts
# (test/e2e/check.ts, through the lab report's own checks in src/report) that:
#   local  - the server saw 127.0.0.1;
#   vm     - the server saw the client's own vm address (the one Docker gave it);
#   remote - the server saw the router's vm address (NAT), not the client's wan address;
#   captures - lab-capture-server / lab-capture-remote wrote pcap files holding the remote SYN on
#            both sides of the router (and the local one), collected by `run --rm report`;
#   every echo came back byte for byte; each chat client got the other's greeting across networks;
#   a line typed into `docker attach` in a real terminal (tmux) reaches the server and its echo
#   shows on that screen; Ctrl-P Ctrl-Q detaches and the client keeps running;
#   the `mistake` profile's vm client is refused (server bound to 127.0.0.1);
#   `docker compose stop`: every program logs how it ended and exits 0; `down -v` leaves nothing;
#   `docker compose run --rm report` writes a report whose every check passes.
# Then, once (first Compose version): an impaired link, LAB_WAN_LOSS=30 LAB_WAN_DELAY=50 with 50
# numbered lines (server, router, remote and vm clients only): some chat messages never arrive,
# every echo byte does, the captures show TCP retransmissions, and the router says clearly when
# the kernel has no netem. Then, once: a busy published port and an overlapping subnet each make scripts/lab-up.sh
# (socket-lab doctor) name the setting to change (before compose, and after compose's own error).
# Last, the student's own programs (issues 18, 19, docs/own-programs.md): per Compose version, the
# Python echo pair of test/fixtures/own/echo and the chat of test/fixtures/own/chat in place of ours,
# all four at once (every scenario and how soon it shows, a line typed through attach into each of
# their echo and chat clients, the chat line relayed to the remote member by the router's address,
# `exit`, their clients in the mistake profile (refused; nothing bound), the lab's odd datagrams to
# their chat server, stop, the report's checks, theirs included, and their code);
# once, the C example in an image of its own (LAB_OWN_IMAGE) on another port; once, each mutant
# of test/fixtures/own/echo-mutants, and the relays-to-sender and dies-on-garbage chat servers of
# chat-mutants, fails its own check for its one reason.
#
# Safe beside a running lab: its own project names, container/network/volume prefix, image tag,
# free subnets and free ports. Bounded: fails after TEST_DOCKER_TIMEOUT seconds (default 1800,
# enough for a fresh machine that installs the engine and makes the base image first). On a
# machine without Docker it installs and starts one with Compose v1 and v2, and makes the Node
# base image locally (scripts/docker-engine.sh, scripts/base-image.sh). Needs node with the dev
# dependencies (tsx) and tmux (installed with apt-get when missing and allowed).
# Env: TEST_DOCKER_COMPOSE, TEST_DOCKER_TIMEOUT, TEST_DOCKER_KEEP=1 (keep the work directory),
# TEST_DOCKER_ONLY=own (only the student's programs: the own passes, the C example, the mutants).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

MODE=${TEST_DOCKER_COMPOSE:-both}
case "$MODE" in
  both) VERSIONS=(v2 v1) ;;
  v2 | v1) VERSIONS=("$MODE") ;;
  *) die "TEST_DOCKER_COMPOSE must be v2, v1 or both (got \"$MODE\")" ;;
esac
ONLY=${TEST_DOCKER_ONLY:-all}
[[ $ONLY == all || $ONLY == own ]] || die "TEST_DOCKER_ONLY must be own, or unset (got \"$ONLY\")"
TIMEOUT=${TEST_DOCKER_TIMEOUT:-1800}
READY_TIMEOUT=120 # from `up -d` to every scenario's assertions holding
T0=$SECONDS
ID=$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/socket-lab-e2e.XXXXXX")
E2E=(node --import tsx) # the TypeScript halves of this test live in test/e2e/

export LAB_IMAGE=socket-lab:e2e-$ID LAB_TOOLS_IMAGE=socket-lab-tools:e2e-$ID LAB_LANG=en
# Our programs in every role until a pass sets the student's (test/fixtures/own, issue 18).
OWN=$ROOT/test/fixtures/own
export LAB_OWN_IMAGE=$LAB_IMAGE LAB_OWN_DIR=$ROOT/own LAB_OWN_ECHO_PORT=7007 LAB_OWN_CHAT_PORT=7008
export LAB_OWN_ECHO_SERVER='' LAB_OWN_ECHO_CLIENT='' LAB_OWN_CHAT_SERVER='' LAB_OWN_CHAT_CLIENT=''
OWN_IMAGE=""
# Whatever a user's .env says, the test sets every value compose interpolates.
unset LAB_SKIP_DOCTOR LAB_SKIP_PREFLIGHT

STEP=setup
STEP_T0=$SECONDS
TIMES=()
COMPOSE=(docker compose)
PROJECT=""
TYPED=""
CHILD=""
WATCHDOG=""
LISTENER=""
TMUX_SOCK=""
TMUX_PID=""
OVERLAP_NET=""
BAD_PROJECT=""
BUILT=0
PASSED=0

say() { printf '[test-docker %4ds] %s\n' "$((SECONDS - T0))" "$*"; }

fail() {
  printf '\n[test-docker %4ds] FAILED at step "%s": %s\n' "$((SECONDS - T0))" "$STEP" "$*" >&2
  exit 1
}

# Starts a timed step; `done_step` prints and records how long it took.
step() {
  STEP=$1
  STEP_T0=$SECONDS
}
done_step() {
  TIMES+=("$STEP: $((SECONDS - STEP_T0)) s")
  say "step \"$STEP\" took $((SECONDS - STEP_T0)) s${1:+ ($1)}"
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

# The Compose of the current pass, as users type it.
compose() { "${COMPOSE[@]}" "$@"; }

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
  ((PASSED)) || say "cleaning up (containers, networks, volumes, image of this test)"
  if [[ -n $PROJECT ]]; then
    COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT \
      timeout 120 "${COMPOSE[@]}" --profile mistake down -v --remove-orphans -t 3 >>"$WORK/cleanup.log" 2>&1
  fi
  if [[ -n $BAD_PROJECT ]]; then
    COMPOSE_PROJECT_NAME=$BAD_PROJECT LAB_PREFIX=$BAD_PROJECT \
      timeout 120 docker compose down -v --remove-orphans -t 3 >>"$WORK/cleanup.log" 2>&1
  fi
  [[ -n $OVERLAP_NET ]] && docker network rm "$OVERLAP_NET" >>"$WORK/cleanup.log" 2>&1
  # The image is this run's own tag; the build cache stays, so the next run builds in seconds.
  ((BUILT)) && docker image rm "$LAB_IMAGE" "$LAB_TOOLS_IMAGE" >>"$WORK/cleanup.log" 2>&1
  [[ -n $OWN_IMAGE ]] && docker image rm "$OWN_IMAGE" >>"$WORK/cleanup.log" 2>&1
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

say "Compose: ${VERSIONS[*]} (TEST_DOCKER_COMPOSE=$MODE)"

# --- the engine, the base image, the tools -------------------------------------------------------

step "docker engine"
engine_args=()
[[ " ${VERSIONS[*]} " != *" v1 "* ]] || engine_args=(--compose-v1)
run scripts/docker-engine.sh ${engine_args[@]+"${engine_args[@]}"} || fail "no usable Docker engine (see above)"
done_step "$(grep -E 'engine: server|compose' "$WORK/docker_engine.log" | sed 's/^docker-engine: //' | paste -sd ';' -)"

step "base image"
run scripts/base-image.sh || fail "no Node base image (see above)"
NODE_BASE_IMAGE=$(tail -n 1 "$WORK/base_image.log")
export NODE_BASE_IMAGE
done_step "$NODE_BASE_IMAGE"

step "tools"
have node || fail "node is needed for the assertions (test/e2e/*.ts)"
[[ -d node_modules/tsx ]] || fail "the dev dependencies are missing (tsx): run npm ci first"
# socket-lab doctor (free subnets, the settings check, lab-up.sh) runs from dist/.
[[ -f dist/cli/doctor.js ]] || run npm run build || fail "npm run build failed"
if ! have tmux; then
  if [[ $(id -u) == 0 ]] && have apt-get; then
    run apt-get update -qq && run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
  elif have sudo && sudo -n true 2>/dev/null && have apt-get; then
    run sudo apt-get update -qq && run sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
  fi
  have tmux || fail "tmux is needed for the attach test (a real pseudo-terminal): install it"
fi
done_step

# --- settings: free subnets and ports, so a running lab is never touched --------------------------

step "settings"
mapfile -t SUBNETS < <(node dist/cli.js doctor --free-subnets 2)
((${#SUBNETS[@]} == 2)) || fail "no two free /24 subnets in 198.18.0.0/15"
vm=${SUBNETS[0]%.0/24} wan=${SUBNETS[1]%.0/24}
export LAB_VM_SUBNET=$vm.0/24 LAB_SERVER_IP=$vm.10
export LAB_WAN_SUBNET=$wan.0/24 LAB_WAN_GATEWAY=$wan.1 LAB_WAN_ROUTER_IP=$wan.254
# The default lab: captures on, the link not impaired (the impaired run sets its own).
export LAB_CAPTURE=on LAB_WAN_LOSS=0 LAB_WAN_DELAY=0 LAB_WAN_COUNT=0
read -r LAB_TCP_PUBLISH LAB_UDP_PUBLISH BUSY_PORT < <("${E2E[@]}" test/e2e/free-ports.ts) || fail "found no free ports"
export LAB_TCP_PUBLISH LAB_UDP_PUBLISH
say "vm $LAB_VM_SUBNET (server $LAB_SERVER_IP), wan $LAB_WAN_SUBNET, tcp $LAB_TCP_PUBLISH, udp $LAB_UDP_PUBLISH"
export COMPOSE_PROJECT_NAME=labe2e$ID LAB_PREFIX=labe2e$ID
run node dist/cli.js doctor || fail "socket-lab doctor rejects settings that should be fine"
done_step

# --- one image for every pass ------------------------------------------------------------------

if [[ ${VERSIONS[0]} == v2 ]]; then
  # What users get from `docker compose build`: BuildKit, through buildx.
  step "docker compose build (v2, BuildKit)"
  run env DOCKER_BUILDKIT=1 docker compose build || fail "the image does not build"
else
  step "docker-compose build (v1)"
  run docker-compose build || fail "the image does not build"
fi
BUILT=1
done_step "$LAB_IMAGE, $(docker image inspect -f '{{.Size}}' "$LAB_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}'); $LAB_TOOLS_IMAGE, $(docker image inspect -f '{{.Size}}' "$LAB_TOOLS_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"

# --- the lab, once per Compose version ---------------------------------------------------------

# Asserts one phase (test/e2e/check.ts), waiting up to $2 s for it to hold; prints its lines.
check() {
  local phase=$1 wait=${2:-0} out=$WORK/$PROJECT-check-$1.txt rc=0
  E2E_TYPED=$TYPED "${E2E[@]}" test/e2e/check.ts "$phase" "$WORK/$PROJECT" --wait "$wait" >"$out" 2>&1 &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  sed 's/^/  /' "$out"
  ((rc == 0)) || { ((wait == 0)) || phase+=" (waited $wait s)"; fail "the $phase assertions above did not hold (check.ts exit $rc)"; }
}

# The tmux pane of the attach test ($TMUX_SOCK), as plain lines; wait_pane waits for text on it.
pane() { tmux -L "$TMUX_SOCK" capture-pane -p -J -t attach -S -200 2>/dev/null | sed 's/[[:space:]]*$//'; }
wait_pane() { # $1: fixed text, $2: seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    pane | grep -qF -- "$1" && return 0
    sleep 0.2
  done
  return 1
}

# Runs the whole lab under Compose $1 (v2: `docker compose`, v1: `docker-compose`).
lab_pass() {
  local v=$1 i
  if [[ $v == v2 ]]; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
  PROJECT=labe2e$ID$v # letters and digits only: Compose v1 and v2 name things alike
  export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT
  TYPED="typed-through-a-real-terminal-$PROJECT-$RANDOM"
  mkdir -p "$WORK/$PROJECT/screens"
  say "--- Compose $v: ${COMPOSE[*]} $("${COMPOSE[@]}" version --short), project $PROJECT"

  step "$v: up -d -> every scenario verified"
  run compose up -d || fail "the lab does not start"
  check running "$READY_TIMEOUT"
  done_step

  # Typing into an attached client, in a real pseudo-terminal.
  step "$v: docker attach"
  TMUX_SOCK=socket-lab-e2e-$PROJECT
  TERM=${TERM:-xterm} tmux -u -L "$TMUX_SOCK" -f /dev/null new-session -d -s attach -x 160 -y 40 \
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
  pane >"$WORK/$PROJECT/screens/attach.txt"
  check attach
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
  TMUX_PID=""
  done_step

  step "$v: mistake profile"
  run compose --profile mistake up -d server-mistake echo-mistake || fail "the mistake profile does not start"
  for ((i = 0; i < 60; i++)); do
    [[ $(docker inspect -f '{{.State.Status}}' "$PROJECT-echo-mistake" 2>/dev/null) == exited ]] && break
    sleep 1
  done
  check mistake 10
  done_step

  step "$v: stop"
  local t=$SECONDS
  run compose --profile mistake stop || fail "docker compose stop failed"
  # Each program must end well inside the 10 s grace period (no SIGKILL after it).
  ((SECONDS - t < 10)) || fail "stop took $((SECONDS - t)) s: some program waited for the 10 s grace period"
  check stopped
  done_step

  # What users run after the lab, writing into the test's own directory instead of ./logs.
  # --all-runs: the volume is this test's own; without it the report keeps only what follows the
  # latest server start less 30 s, and the mistake server starts later than that on a slow machine.
  step "$v: run --rm report"
  mkdir -p "$WORK/$PROJECT/collected"
  run compose run --rm -v "$WORK/$PROJECT/collected:/out" report \
    collect --from /logs --to /out/logs --all-runs --check --require local,vm,remote,echo,chat ||
    fail "the lab report of this run fails its checks (socket-lab report --check, output above)"
  for i in report.md report.ru.md "$PROJECT-server.jsonl" "$PROJECT-capture-server.pcap" "$PROJECT-capture-remote.pcap"; do
    [[ -s $WORK/$PROJECT/collected/logs/$i ]] || fail "run --rm report did not write logs/$i"
  done
  say "  ok   report: run --rm report wrote report.md, report.ru.md and both captures; every check passes"
  done_step

  step "$v: down -v"
  run compose --profile mistake down -v || fail "docker compose down failed"
  [[ -z $(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT") ]] ||
    fail "containers left after down: $(docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' | paste -sd ' ' -)"
  for i in "$PROJECT-vm" "$PROJECT-wan"; do
    ! docker network inspect "$i" >/dev/null 2>&1 || fail "network $i left after down"
  done
  ! docker volume inspect "$PROJECT-logs" >/dev/null 2>&1 || fail "volume $PROJECT-logs left after down -v"
  say "  ok   down -v: no container, network or volume of $PROJECT left"
  PROJECT=""
  done_step
}

[[ $ONLY == own ]] || for v in "${VERSIONS[@]}"; do lab_pass "$v"; done

# Attaches to client $1 in a real terminal (tmux), types line $2 and waits up to 15 s for text $4
# on the screen, saves the screen as screens/$3.txt, then types `exit` and waits for the client
# to end. Their clients show no attach hint; what is typed before the attach is up waits in
# tmux's pty.
own_attach() {
  local i
  TMUX_SOCK=socket-lab-e2e-$PROJECT
  TERM=${TERM:-xterm} tmux -u -L "$TMUX_SOCK" -f /dev/null new-session -d -s attach -x 160 -y 40 \
    "docker attach $PROJECT-$1" || fail "tmux could not start docker attach"
  TMUX_PID=$(tmux -L "$TMUX_SOCK" display-message -p '#{pid}')
  tmux -L "$TMUX_SOCK" send-keys -t attach -l "$2"
  tmux -L "$TMUX_SOCK" send-keys -t attach Enter
  wait_pane "$4" 15 || true
  # The screen now: `exit` ends the client, then docker attach, then tmux's only window.
  pane >"$WORK/$PROJECT/screens/$3.txt"
  tmux -L "$TMUX_SOCK" send-keys -t attach -l exit
  tmux -L "$TMUX_SOCK" send-keys -t attach Enter
  for ((i = 0; i < 75; i++)); do
    [[ $(docker inspect -f '{{.State.Status}}' "$PROJECT-$1") == exited ]] && break
    sleep 0.2
  done
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  TMUX_SOCK=""
  TMUX_PID=""
}

# The student's own programs (issues 18, 19) under Compose $1: all four of them at once, from one
# folder as a student has it (the Python pair of test/fixtures/own/echo and the chat of
# test/fixtures/own/chat), in every echo and chat role, through the commands users type. Every
# scenario within 15 s of `up -d` (what a student waits for; printed), a line typed through `docker
# attach` into their echo client comes back and `exit` ends it; a line typed into their vm chat
# client reaches the remote one through their chat server (the router's address: NAT) and `exit`
# ends it; the report passes every check, ours and the own-program ones (echo and chat), and shows
# their code and their calls.
UP_TIMES=()
own_pass() {
  local v=$1 t i
  if [[ $v == v2 ]]; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
  PROJECT=labe2e${ID}own$v
  export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT
  LAB_OWN_DIR=$WORK/own-programs
  mkdir -p "$LAB_OWN_DIR"
  cp "$OWN"/echo/*.py "$OWN"/chat/*.py "$LAB_OWN_DIR/"
  export LAB_OWN_DIR LAB_OWN_ECHO_SERVER='python3 server.py {port}'
  export LAB_OWN_ECHO_CLIENT='python3 client.py {host} {port}'
  export LAB_OWN_CHAT_SERVER='python3 chat_server.py {port}'
  export LAB_OWN_CHAT_CLIENT='python3 chat_client.py {host} {port} {nick}'
  TYPED="typed-into-the-students-client-$PROJECT-$RANDOM"
  mkdir -p "$WORK/$PROJECT/screens"
  say "--- Compose $v with the student's echo and chat servers and clients, project $PROJECT"

  step "$v own: up -d -> every scenario verified"
  local t0 shown
  t0=$(date +%s%N)
  run compose up -d || fail "the lab with the student's programs does not start"
  # What a student waits for: every echo client's screen shows its echo, and a chat client the
  # other's greeting (their clients greet at once, so the one that joined first sees the other's;
  # the later one sees the earlier one's only when it writes again, below), polled lightly (the
  # assertions below copy every log each round).
  for ((i = 0; i < 600; i++)); do
    shown=0
    for c in echo-local echo-vm echo-remote; do
      docker logs "$PROJECT-$c" 2>&1 | grep -q "echo: Hello from" && shown=$((shown + 1))
    done
    { docker logs "$PROJECT-chat-vm" 2>&1 | grep -q "remote-user: Hi" ||
      docker logs "$PROJECT-chat-remote" 2>&1 | grep -q "vm-user: Hi"; } && shown=$((shown + 1))
    ((shown == 4)) && break
    sleep 0.2
  done
  t=$((($(date +%s%N) - t0) / 1000000))
  UP_TIMES+=("$v: $((t / 1000)).$((t % 1000 / 100)) s")
  ((t <= 15000)) || say "  NOTE every scenario showed $((t / 1000)) s after up -d (the aim is 15 s)"
  check own-running "$READY_TIMEOUT"
  done_step "every scenario on the screens $((t / 1000)).$((t % 1000 / 100)) s after up -d"

  step "$v own: docker attach into the student's clients"
  own_attach echo-vm "$TYPED" attach "echo: $TYPED"
  # Into their vm chat client: the line goes to their server, which relays it to the remote member
  # through the router (the remote one's screen shows it; check own-attach reads its log).
  own_attach chat-vm "chat-$TYPED" attach-chat "chat-$TYPED"
  check own-attach 15
  done_step

  # The classic mistake with their clients: refused (echo), and datagrams that reach no socket
  # (chat). Judged with the rest once stopped (check own-stopped): here, only until both ended.
  step "$v own: mistake profile -> their clients against a server bound to 127.0.0.1"
  run compose --profile mistake up -d server-mistake echo-mistake chat-mistake ||
    fail "the mistake profile does not start"
  for ((i = 0; i < 150; i++)); do
    [[ $(docker inspect -f '{{.State.Status}}' "$PROJECT-echo-mistake" 2>/dev/null) == exited &&
      $(docker inspect -f '{{.State.Status}}' "$PROJECT-chat-mistake" 2>/dev/null) == exited ]] && break
    sleep 0.2
  done
  ((i < 150)) || fail "their clients in echo-mistake and chat-mistake did not end within 30 s"
  done_step

  step "$v own: stop"
  t=$SECONDS
  run compose --profile mistake stop || fail "docker compose stop failed"
  t=$((SECONDS - t))
  ((t < 10)) || fail "stop took $t s: some program waited for the 10 s grace period"
  check own-stopped
  done_step "docker compose stop took $t s"

  step "$v own: run --rm report"
  mkdir -p "$WORK/$PROJECT/collected"
  run compose run --rm -v "$WORK/$PROJECT/collected:/out" report \
    collect --from /logs --to /out/logs --all-runs --check \
    --require local,vm,remote,own-echo-server,own-echo-client,own-chat-server,own-chat-client ||
    fail "the report of the student's run fails its checks (socket-lab report --check, output above)"
  check own-report
  run compose --profile mistake down -v || fail "docker compose down failed"
  PROJECT=""
  own_reset
  done_step
}
# Back to our programs in every role.
own_reset() {
  export LAB_OWN_DIR=$ROOT/own LAB_OWN_ECHO_SERVER='' LAB_OWN_ECHO_CLIENT='' LAB_OWN_IMAGE=$LAB_IMAGE
  export LAB_OWN_CHAT_SERVER='' LAB_OWN_CHAT_CLIENT='' LAB_OWN_ECHO_PORT=7007
}

# The student's run (issue 11), once, under the first Compose version: name and group set, the lab
# in Russian, a Cyrillic line and a line over 1 KB typed through docker attach, then `exit`, stop,
# and the report the student hands in (test/e2e/student.ts reads it).
student_pass() {
  local v=${VERSIONS[0]} i long
  if [[ $v == v2 ]]; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
  PROJECT=labe2e${ID}st
  export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT
  export LAB_STUDENT='Иванова Мария' LAB_GROUP='ИУ7-32' LAB_LANG=ru
  local cyr="Привет, сервер: строка по-русски $RANDOM"
  long=$(printf 'д%.0s' {1..550}) # 550 two-byte letters: 1100 bytes, 1101 with the newline
  step "student ($v): name, group, Russian, typed lines, exit, report"
  run compose up -d server echo-vm || fail "the student's lab does not start"
  TMUX_SOCK=socket-lab-e2e-$PROJECT
  TERM=${TERM:-xterm} tmux -u -L "$TMUX_SOCK" -f /dev/null new-session -d -s attach -x 160 -y 40 \
    "docker attach $PROJECT-echo-vm" || fail "tmux could not start docker attach"
  TMUX_PID=$(tmux -L "$TMUX_SOCK" display-message -p '#{pid}')
  wait_pane "Ctrl-P Ctrl-Q" 20 || {
    pane >&2
    fail "the attached client did not show the attach hint within 20 s"
  }
  for line in "$cyr" "$long" exit; do
    tmux -L "$TMUX_SOCK" send-keys -t attach -l "$line"
    tmux -L "$TMUX_SOCK" send-keys -t attach Enter
    [[ $line == exit ]] || wait_pane "эхо: ${line:0:40}" 15 || {
      pane >&2
      fail "the echo of a typed line did not appear on the attached screen"
    }
  done
  for ((i = 0; i < 75; i++)); do
    [[ $(docker inspect -f '{{.State.Status}}' "$PROJECT-echo-vm") == exited ]] && break
    sleep 0.2
  done
  [[ $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$PROJECT-echo-vm") == "exited 0" ]] ||
    fail "typing exit did not end $PROJECT-echo-vm with exit code 0"
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  TMUX_SOCK=""
  TMUX_PID=""
  run compose stop || fail "docker compose stop failed"
  mkdir -p "$WORK/$PROJECT/collected"
  run compose run --rm -v "$WORK/$PROJECT/collected:/out" report collect --from /logs --to /out/logs ||
    fail "run --rm report failed for the student's run"
  run "${E2E[@]}" test/e2e/student.ts "$WORK/$PROJECT/collected/logs" "$LAB_STUDENT" "$LAB_GROUP" "$cyr" 1101 "$PROJECT" ||
    fail "the student's report lacks what the course asks for (above)"
  # The hand-in with Docker alone (issue 21): `run --rm report` in a lab folder with a .env.
  run "${E2E[@]}" test/e2e/handin.ts "$WORK/$PROJECT/handin" "${COMPOSE[@]}" ||
    fail "the hand-in with Docker alone failed (test/e2e/handin.ts, above)"
  sed 's/^/  /' "$WORK/$(tr -c 'a-zA-Z0-9\n' _ <<<"$STEP").log" | grep -E '^  +(ok|FAIL)' || true
  run compose down -v || fail "docker compose down failed"
  unset LAB_STUDENT LAB_GROUP
  export LAB_LANG=en
  PROJECT=""
  done_step
}
[[ $ONLY == own ]] || student_pass

# --- an impaired link: UDP loses messages, TCP resends ------------------------------------------

# Only what the comparison needs, under the first Compose version: its own project and volume.
impaired_pass() {
  local v=${VERSIONS[0]} t
  if [[ $v == v2 ]]; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
  PROJECT=labe2e${ID}loss
  export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT
  export LAB_WAN_LOSS=30 LAB_WAN_DELAY=50 LAB_WAN_COUNT=50
  mkdir -p "$WORK/$PROJECT"
  step "impaired ($v): LAB_WAN_LOSS=30 LAB_WAN_DELAY=50, 50 numbered lines"
  run compose up -d server router remote capture-server capture-remote echo-remote chat-remote chat-vm ||
    fail "the impaired lab does not start"
  # Bounded: the slowest path is a handshake whose SYNs are lost again and again (the kernel tries
  # for about two minutes) or a segment lost several times over (exponential backoff).
  check impaired 180
  t=$SECONDS
  run compose stop || fail "docker compose stop failed"
  ((SECONDS - t < 10)) || fail "stop took $((SECONDS - t)) s: some program waited for the 10 s grace period"
  check impaired-stopped
  run compose down -v || fail "docker compose down failed"
  PROJECT=""
  export LAB_WAN_LOSS=0 LAB_WAN_DELAY=0 LAB_WAN_COUNT=0
  done_step
}
[[ $ONLY == own ]] || impaired_pass

# --- the student's programs: another language, and the mutants (issue 18) ------------------------

# The lab without the chat, under the first Compose version, with the student settings already
# exported: up -d, wait for phase $1 (test/e2e/check.ts), stop, down. $2: extra step text.
own_lab() {
  local phase=$1 t
  run compose up -d server own-echo-server router remote capture-server capture-remote \
    echo-local echo-vm echo-remote || fail "the lab with the student's program does not start"
  check "$phase" "$READY_TIMEOUT"
  t=$SECONDS
  run compose stop || fail "docker compose stop failed"
  ((SECONDS - t < 10)) || fail "stop took $((SECONDS - t)) s: some program waited for the 10 s grace period"
  check "$phase-stopped"
  run compose down -v || fail "docker compose down failed"
}

# Other languages, once: the C echo server of test/fixtures/own/c-echo in an image of the
# student's own, built FROM the lab's (LAB_OWN_IMAGE), as docs/own-programs.md tells students.
own_c_pass() {
  local v=${VERSIONS[0]}
  if [[ $v == v2 ]]; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
  PROJECT=labe2e${ID}c
  export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT
  mkdir -p "$WORK/$PROJECT"
  step "own C server ($v): docker build FROM the lab's image, LAB_OWN_IMAGE, every scenario"
  OWN_IMAGE=socket-lab-own:e2e-c-$ID
  run docker build --build-arg LAB_IMAGE="$LAB_IMAGE" -t "$OWN_IMAGE" "$OWN/c-echo" ||
    fail "the C example's image (test/fixtures/own/c-echo/Dockerfile) does not build"
  # Another port than 7007, as a student may choose: our clients, the router's forwarding, the
  # healthcheck and the published port must all follow LAB_OWN_ECHO_PORT.
  export LAB_OWN_IMAGE=$OWN_IMAGE LAB_OWN_DIR=$OWN/c-echo LAB_OWN_ECHO_SERVER='echo-server {port}'
  export LAB_OWN_ECHO_PORT=9007
  own_lab own-c
  PROJECT=""
  own_reset
  done_step "$OWN_IMAGE, $(docker image inspect -f '{{.Size}}' "$OWN_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"
}

# The mutants of test/fixtures/own/echo-mutants, once, under the first Compose version: each must
# fail exactly its one own-program check (test/e2e/check.ts, phase mutant). Server mutants face
# our three clients plus a 2501-byte line from a vm client (a line over 1 KB: portions, and the
# echo of all of it); client mutants run with `compose run -T` against our server: one types
# `exit` on a pipe, one dials a port where nothing listens. one-at-a-time is not here: our clients
# stay connected, so a server that serves one at a time never gets to the second (the runner's
# tests cover it with clients that end). One chat mutant too (test/fixtures/own/chat-mutants,
# issue 19): relays-to-sender, a chat server that also sends each datagram back to its sender,
# facing our chat clients in the plain protocol (ours meets theirs across the router), and
# dies-on-garbage, ended by the lab's probe (a datagram not in UTF-8); the other chat mutants fail
# their checks in test/system/chat-plain-checks.test.ts.
own_mutants_pass() {
  local v=${VERSIONS[0]} m long i
  if [[ $v == v2 ]]; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
  long=$(head -c 2500 /dev/zero | tr '\0' m)
  for m in recv4096 first-1k bind-localhost ignores-exit traceback relays-to-sender dies-on-garbage; do
    PROJECT=labe2e${ID}m${m//-/}
    export COMPOSE_PROJECT_NAME=$PROJECT LAB_PREFIX=$PROJECT E2E_MUTANT=$m
    mkdir -p "$WORK/$PROJECT"
    step "mutant $m ($v)"
    if [[ $m == dies-on-garbage ]]; then
      # The lab's probe ends it before any member comes (its healthcheck never passes): no clients.
      export LAB_OWN_DIR=$OWN/chat-mutants/$m LAB_OWN_CHAT_SERVER='python3 chat_server.py {port}'
      run compose up -d server own-chat-server || fail "the lab with mutant $m does not start"
      for ((i = 0; i < 150; i++)); do
        [[ $(docker inspect -f '{{.State.Status}}' "$PROJECT-own-chat-server" 2>/dev/null) == exited ]] && break
        sleep 0.2
      done
    elif [[ -f $OWN/chat-mutants/$m/chat_server.py ]]; then
      export LAB_OWN_DIR=$OWN/chat-mutants/$m LAB_OWN_CHAT_SERVER='python3 chat_server.py {port}'
      run compose up -d server own-chat-server router remote capture-server capture-remote chat-vm chat-remote ||
        fail "the lab with mutant $m does not start"
      # Judged while it runs: our clients greet at once, and the check holds once a greeting came back.
      check mutant 30
    elif [[ -f $OWN/echo-mutants/$m/server.py ]]; then
      export LAB_OWN_DIR=$OWN/echo-mutants/$m LAB_OWN_ECHO_SERVER='python3 server.py {port}'
      run compose up -d server own-echo-server router remote capture-server capture-remote \
        echo-local echo-vm echo-remote || fail "the lab with mutant $m does not start"
      # Ours (piped: bytes as they are); bounded, since a broken echo may never come back whole.
      printf '%s\n' "$long" | timeout 30 "${COMPOSE[@]}" run --rm -T echo-vm >>"$WORK/$PROJECT/long.txt" 2>&1 || true
    else
      export LAB_OWN_DIR=$OWN/echo-mutants/$m LAB_OWN_ECHO_CLIENT='python3 client.py {host} {port}'
      run compose up -d server capture-server || fail "the lab for mutant $m does not start"
      if [[ $m == traceback ]]; then
        # Port 9 of the server: nothing listens there, so the kernel answers RST (refused).
        timeout 60 "${COMPOSE[@]}" run --rm -T -e LAB_OWN_PORT=9 echo-vm </dev/null >>"$WORK/$PROJECT/run.txt" 2>&1 || true
      else
        printf 'typed before exit\nexit\nafter exit\n' |
          timeout 60 "${COMPOSE[@]}" run --rm -T echo-vm >>"$WORK/$PROJECT/run.txt" 2>&1 || true
      fi
    fi
    run compose stop || fail "docker compose stop failed"
    check mutant 30
    run compose down -v || fail "docker compose down failed"
    PROJECT=""
    own_reset
    done_step
  done
  unset E2E_MUTANT
}

# Marks the test passed and prints how long each step took.
finished() {
  PASSED=1
  STEP="finished"
  say "PASSED under Compose ${VERSIONS[*]} ($ONLY) in $((SECONDS - T0)) s. Steps:"
  printf '    %s\n' "${TIMES[@]}"
  ((${#UP_TIMES[@]} == 0)) || say "From up -d to every scenario on the screens, with the student's programs: ${UP_TIMES[*]}"
}

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
  say "  ok   $what -> $(grep -m 1 'PROBLEM' "$out" | sed 's/^doctor: //')"
  say "            $(grep -m 1 "Set $setting in" "$out" | sed 's/^ *//')"
  COMPOSE_PROJECT_NAME=$BAD_PROJECT LAB_PREFIX=$BAD_PROJECT run docker compose down -v -t 3 ||
    fail "cannot remove the half-started project $BAD_PROJECT"
}

# Misconfiguration, then the classroom, once. lab-up.sh runs `docker compose` (v2 where installed,
# what users have).
misconfig_and_classroom_pass() {
  step "misconfiguration: busy port"
  BAD_PROJECT=labe2e${ID}bad
  "${E2E[@]}" test/e2e/hold-port.ts "$BUSY_PORT" >"$WORK/listener.out" 2>&1 &
  LISTENER=$!
  for ((i = 0; i < 100; i++)); do
    grep -q listening "$WORK/listener.out" && break
    sleep 0.1
  done
  grep -q listening "$WORK/listener.out" || fail "could not hold port $BUSY_PORT for the test: $(cat "$WORK/listener.out")"
  expect_named LAB_TCP_PUBLISH "busy TCP port (doctor first)" busy-doctor LAB_TCP_PUBLISH="$BUSY_PORT"
  expect_named LAB_TCP_PUBLISH "busy TCP port (compose's own error)" busy-compose \
    LAB_TCP_PUBLISH="$BUSY_PORT" LAB_SKIP_DOCTOR=1
  kill "$LISTENER" 2>/dev/null || true
  wait "$LISTENER" 2>/dev/null || true
  LISTENER=""
  done_step

  step "misconfiguration: overlapping subnet"
  OVERLAP_NET=labe2e$ID-overlap
  run docker network create --subnet "$LAB_VM_SUBNET" "$OVERLAP_NET" || fail "cannot create the overlapping network"
  expect_named LAB_VM_SUBNET "overlapping subnet (doctor first)" overlap-doctor
  expect_named LAB_VM_SUBNET "overlapping subnet (compose's own error)" overlap-compose LAB_SKIP_DOCTOR=1
  run docker network rm "$OVERLAP_NET" || fail "cannot remove $OVERLAP_NET"
  OVERLAP_NET=""
  BAD_PROJECT=""
  done_step

  # The classroom (issue 13): a teacher's and students' hosts in network namespaces, the Docker
  # classroom profile dialing the teacher through this host's routing, then bundle and grade. It
  # builds on the base image made above, so it runs here rather than in npm test.
  step "classroom: teacher and students on hosts of their own"
  run "${E2E[@]}" --test test/e2e/classroom.test.ts || fail "the classroom test failed (its output is above)"
  done_step
}
[[ $ONLY == own ]] || misconfig_and_classroom_pass

# The student's own programs last: a failure there hides none of the above.
for v in "${VERSIONS[@]}"; do own_pass "$v"; done
own_c_pass
own_mutants_pass

finished
