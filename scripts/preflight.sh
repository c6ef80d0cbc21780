#!/usr/bin/env bash
# Check the lab's settings against this Docker host before `docker compose up`, and say which
# setting to change when something is in the way.
#
#   scripts/preflight.sh                    # check; exit 1 (and print what to change) on a problem
#   scripts/preflight.sh --diagnose FILE    # explain a failed `docker compose up` whose output is in FILE
#   scripts/preflight.sh --free-subnets N   # print N free /24 subnets (one a line), for scripts
#
# Settings come from the environment, else from .env next to docker-compose.yml, else the
# defaults (as `docker compose` itself resolves them): LAB_VM_SUBNET, LAB_SERVER_IP,
# LAB_WAN_SUBNET, LAB_WAN_GATEWAY, LAB_TCP_PUBLISH, LAB_UDP_PUBLISH, LAB_PREFIX.
# Needs only bash and the docker CLI; uses `ss` (or `lsof`) when present to find busy ports.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENV_FILE=$ROOT/.env

# --- settings ---------------------------------------------------------------------------------

# The value of setting $1 from the environment, else from .env, else the default $2.
setting() {
  local name=$1 default=$2 line value
  if [[ -n ${!name:-} ]]; then
    printf '%s' "${!name}"
    return
  fi
  if [[ -f $ENV_FILE ]]; then
    line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=" "$ENV_FILE" | tail -n 1 || true)
    if [[ -n $line ]]; then
      value=${line#*=}
      value=${value%%[[:space:]]#*} # a trailing " # comment"
      value=${value#"${value%%[![:space:]]*}"}
      value=${value%"${value##*[![:space:]]}"}
      value=${value#[\"\']} && value=${value%[\"\']}
      printf '%s' "$value"
      return
    fi
  fi
  printf '%s' "$default"
}

load_settings() {
  VM_SUBNET=$(setting LAB_VM_SUBNET 198.18.7.0/24)
  SERVER_IP=$(setting LAB_SERVER_IP 198.18.7.10)
  WAN_SUBNET=$(setting LAB_WAN_SUBNET 198.18.8.0/24)
  WAN_GATEWAY=$(setting LAB_WAN_GATEWAY 198.18.8.1)
  TCP_PUBLISH=$(setting LAB_TCP_PUBLISH 7007)
  UDP_PUBLISH=$(setting LAB_UDP_PUBLISH 7008)
  PREFIX=$(setting LAB_PREFIX lab)
  WHERE=".env"
  [[ -f $ENV_FILE ]] || WHERE=".env (cp .env.example .env)"
}

# --- IPv4 arithmetic ---------------------------------------------------------------------------

is_ipv4() {
  local IFS=. a b c d
  [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  read -r a b c d <<<"$1"
  ((a < 256 && b < 256 && c < 256 && d < 256))
}
is_cidr4() { [[ $1 == */* ]] && is_ipv4 "${1%/*}" && [[ ${1#*/} =~ ^[0-9]{1,2}$ ]] && ((${1#*/} <= 32)); }
ip2int() {
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
int2ip() { echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"; }
mask() { (($1 == 0)) && echo 0 || echo $(((0xFFFFFFFF << (32 - $1)) & 0xFFFFFFFF)); }
# First and last address of a CIDR.
net_first() { echo $(($(ip2int "${1%/*}") & $(mask "${1#*/}"))); }
net_last() { echo $(($(net_first "$1") | (~$(mask "${1#*/}") & 0xFFFFFFFF))); }
overlaps() { (($(net_first "$1") <= $(net_last "$2") && $(net_first "$2") <= $(net_last "$1"))); }
contains() { local i; i=$(ip2int "$2") && (($(net_first "$1") <= i && i <= $(net_last "$1"))); }

# --- what is already on this host --------------------------------------------------------------

# "name subnet" for every IPv4 subnet of every Docker network.
docker_subnets() {
  local ids
  ids=$(docker network ls -q)
  [[ -n $ids ]] || return 0
  # shellcheck disable=SC2086 # word splitting of the ids is intended
  docker network inspect $ids --format '{{$n := .Name}}{{range .IPAM.Config}}{{$n}} {{.Subnet}}{{"\n"}}{{end}}' |
    while read -r name subnet; do is_cidr4 "${subnet:-}" && echo "$name $subnet"; done || true
}

# "device subnet" for the host's IPv4 routes that are not Docker's own bridges (LANs, VPNs).
host_routes() {
  have ip || return 0
  ip -4 route show 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1), $1}' |
    while read -r dev dst; do
      [[ $dev == docker0 || $dev == br-* || $dst == default ]] && continue
      [[ $dst == */* ]] || dst=$dst/32
      is_cidr4 "$dst" && echo "$dev $dst"
    done || true
}

# N free /24s in 198.18.0.0/15 (after 198.18.7 and 198.18.8, the defaults), none overlapping a
# Docker network, a host route, or the subnets given as arguments.
free_subnets() {
  local want=$1 found=0 taken cand i
  shift
  taken=$(
    docker_subnets | awk '{print $2}'
    host_routes | awk '{print $2}'
    printf '%s\n' "$@"
  )
  for ((i = 9; i < 512 && found < want; i++)); do
    cand="198.$((18 + i / 256)).$((i % 256)).0/24"
    local clash=0 t
    for t in $taken; do
      if overlaps "$cand" "$t"; then
        clash=1
        break
      fi
    done
    ((clash)) && continue
    echo "$cand"
    found=$((found + 1))
  done
}

# Who holds host port $2 ($1: tcp or udp)? Prints a description, or nothing when it is free.
port_holder() {
  local proto=$1 port=$2 line
  if have ss; then
    local flag=-Hltn
    [[ $proto == udp ]] && flag=-Hlun
    line=$(ss "$flag" 2>/dev/null | awk -v p="$port" '{n = split($4, a, ":"); if (a[n] == p) print $4}' | head -n 1)
  elif have lsof; then
    local spec=(-iTCP:"$port" -sTCP:LISTEN)
    [[ $proto == udp ]] && spec=(-iUDP:"$port")
    line=$(lsof -nP "${spec[@]}" 2>/dev/null | awk 'NR == 2 {print $1 " " $9}')
  elif [[ $proto == tcp ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    line="127.0.0.1:$port"
  fi
  [[ -n $line ]] && echo "a program on this host listens on $line"
  # A container (of another project) that publishes the port, even if not running on Linux here.
  docker ps --format '{{.Names}} {{.Ports}}' 2>/dev/null |
    awk -v p=":$port->" -v proto="/$proto" '{for (i = 2; i <= NF; i++) if (index($i, p) && index($i, proto)) {print "container " $1 " publishes it"; break}}' |
    grep -v "^container $PREFIX-server " | head -n 1 || true
}

# Ports our own running server publishes (its docker-proxy holds them: that is not a conflict).
ours_publishes() {
  docker port "$PREFIX-server" 2>/dev/null | grep -q -- "^$2/$1 -> "
}

# --- checks ------------------------------------------------------------------------------------

PROBLEMS=0
problem() {
  PROBLEMS=$((PROBLEMS + 1))
  printf '\npreflight: PROBLEM: %s\n' "$1" >&2
  shift
  local l
  for l in "$@"; do printf '  %s\n' "$l" >&2; done
}
warn() { printf '\npreflight: warning: %s\n' "$*" >&2; }

suggest_subnets() { free_subnets 2 "$VM_SUBNET" "$WAN_SUBNET"; }

check_values() {
  local v
  for v in "LAB_VM_SUBNET=$VM_SUBNET" "LAB_WAN_SUBNET=$WAN_SUBNET"; do
    is_cidr4 "${v#*=}" || problem "${v%%=*}=${v#*=} is not an IPv4 subnet" "Set ${v%%=*} in $WHERE to a subnet like 198.18.7.0/24."
  done
  for v in "LAB_SERVER_IP=$SERVER_IP" "LAB_WAN_GATEWAY=$WAN_GATEWAY"; do
    is_ipv4 "${v#*=}" || problem "${v%%=*}=${v#*=} is not an IPv4 address" "Set ${v%%=*} in $WHERE to an address like 198.18.7.10."
  done
  for v in "LAB_TCP_PUBLISH=$TCP_PUBLISH" "LAB_UDP_PUBLISH=$UDP_PUBLISH"; do
    if ! [[ ${v#*=} =~ ^[0-9]+$ ]] || ((${v#*=} < 1 || ${v#*=} > 65535)); then
      problem "${v%%=*}=${v#*=} is not a port number" "Set ${v%%=*} in $WHERE to a port from 1 to 65535, e.g. 7007."
    fi
  done
  ((PROBLEMS == 0)) || return 1
}

# An address Docker can give a container in $2: inside it, not its first (network, .0),
# second (Docker's default gateway, .1) or last (broadcast) address.
check_host_in() {
  local name=$1 ip=$2 subnet_name=$3 subnet=$4 i first last
  i=$(ip2int "$ip") first=$(net_first "$subnet") last=$(net_last "$subnet")
  if ! contains "$subnet" "$ip"; then
    problem "$name=$ip is not inside $subnet_name=$subnet" \
      "Set $name in $WHERE to an address inside $subnet, e.g. $(int2ip $((first + 10)))."
  elif ((i == first || i == first + 1 || i == last)); then
    problem "$name=$ip is the network, gateway or broadcast address of $subnet" \
      "Set $name in $WHERE to another address inside $subnet, e.g. $(int2ip $((first + 10)))."
  fi
}

check_addresses() {
  check_host_in LAB_SERVER_IP "$SERVER_IP" LAB_VM_SUBNET "$VM_SUBNET"
  local first last g
  first=$(net_first "$WAN_SUBNET") last=$(net_last "$WAN_SUBNET") g=$(ip2int "$WAN_GATEWAY")
  if ! contains "$WAN_SUBNET" "$WAN_GATEWAY" || ((g == first || g == last)); then
    problem "LAB_WAN_GATEWAY=$WAN_GATEWAY is not a host address inside LAB_WAN_SUBNET=$WAN_SUBNET" \
      "Set LAB_WAN_GATEWAY in $WHERE to the first address of LAB_WAN_SUBNET, e.g. $(int2ip $((first + 1)))."
  fi
  if overlaps "$VM_SUBNET" "$WAN_SUBNET"; then
    problem "LAB_VM_SUBNET=$VM_SUBNET and LAB_WAN_SUBNET=$WAN_SUBNET overlap: they must be separate networks" \
      "Set LAB_WAN_SUBNET in $WHERE to another range, e.g. $(free_subnets 1 "$VM_SUBNET")."
  fi
}

# Docker refuses a subnet that overlaps any existing Docker network
# ("Pool overlaps with other one on this address space").
check_subnet_overlaps() {
  local name subnet var lab sub own suggestions
  while read -r name subnet; do
    for var in LAB_VM_SUBNET LAB_WAN_SUBNET; do
      if [[ $var == LAB_VM_SUBNET ]]; then lab=vm sub=$VM_SUBNET; else lab=wan sub=$WAN_SUBNET; fi
      overlaps "$sub" "$subnet" || continue
      own=$PREFIX-$lab
      [[ $name == "$own" ]] && continue # the lab's own network: check_own_networks
      suggestions=$(suggest_subnets | paste -sd ' ' -)
      problem "$var=$sub overlaps the Docker network \"$name\" ($subnet)." \
        "Docker would refuse it: \"Pool overlaps with other one on this address space\"." \
        "Set $var in $WHERE to a free range (free here: ${suggestions:-none found in 198.18.0.0/15})$([[ $var == LAB_VM_SUBNET ]] && echo ", and LAB_SERVER_IP to an address inside it" || echo ", and LAB_WAN_GATEWAY to its .1 address")," \
        "or remove that network if you no longer need it: docker network rm $name"
    done
  done < <(docker_subnets)
}

# The lab's networks outlive `docker compose stop`; Compose reuses them as they are, so a
# changed subnet only takes effect after `docker compose down`.
check_own_networks() {
  local lab var sub name subnet
  for lab in vm wan; do
    if [[ $lab == vm ]]; then var=LAB_VM_SUBNET sub=$VM_SUBNET; else var=LAB_WAN_SUBNET sub=$WAN_SUBNET; fi
    name=$PREFIX-$lab
    subnet=$(docker network inspect "$name" --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null) || continue
    subnet=${subnet%% *}
    [[ -z $subnet || $subnet == "$sub" ]] && continue
    problem "the lab's network $name still has the subnet $subnet from an earlier run, but $var is now $sub" \
      "Remove the old lab first: docker compose down (then up again), or set $var back to $subnet in $WHERE."
  done
}

# A route to the same range (a LAN, a VPN) is not fatal, but the lab's containers could no longer
# reach hosts in it: worth a warning.
check_route_overlaps() {
  local dev dst var sub
  while read -r dev dst; do
    for var in LAB_VM_SUBNET LAB_WAN_SUBNET; do
      [[ $var == LAB_VM_SUBNET ]] && sub=$VM_SUBNET || sub=$WAN_SUBNET
      if overlaps "$sub" "$dst"; then
        warn "$var=$sub overlaps this host's route to $dst (via $dev): the lab works, but its containers cannot reach hosts in $dst. Set $var in $WHERE to another range if that matters."
      fi
    done
  done < <(host_routes)
}

check_ports() {
  local proto port var holder
  for proto in tcp udp; do
    if [[ $proto == tcp ]]; then port=$TCP_PUBLISH var=LAB_TCP_PUBLISH; else port=$UDP_PUBLISH var=LAB_UDP_PUBLISH; fi
    ours_publishes "$proto" "$port" && continue # our own running lab holds it
    holder=$(port_holder "$proto" "$port")
    [[ -z $holder ]] && continue
    problem "$(echo "$proto" | tr "[:lower:]" "[:upper:]") port $port on this host is in use: ${holder%%$'\n'*}." \
      "Docker could not publish the server's $proto port there (\"port is already allocated\" / \"address already in use\")." \
      "Set $var in $WHERE to a free port (e.g. $((port + 10000 > 65535 ? port - 1000 : port + 10000))), or stop what uses $port."
  done
}

# --- explaining a failed `docker compose up` -------------------------------------------------

diagnose() {
  local out=$1 found=0
  [[ -r $out ]] || die "cannot read $out"
  if grep -qi 'pool overlaps' "$out"; then
    found=1
    check_subnet_overlaps
    if ((PROBLEMS == 0)); then
      problem "Docker refused a lab network: \"Pool overlaps with other one on this address space\"." \
        "Set LAB_VM_SUBNET and/or LAB_WAN_SUBNET in $WHERE to free ranges (free here: $(suggest_subnets | paste -sd ' ' -))."
    fi
  fi
  if grep -Eqi 'already in use|already allocated' "$out" && grep -Eqi 'bind|port' "$out"; then
    local proto port var named=0 lines
    lines=$(grep -Ei 'already in use|already allocated' "$out")
    for proto in tcp udp; do
      if [[ $proto == tcp ]]; then port=$TCP_PUBLISH var=LAB_TCP_PUBLISH; else port=$UDP_PUBLISH var=LAB_UDP_PUBLISH; fi
      # The messages name the port as ":7007" and, when they can, the protocol ("tcp4", "/udp").
      grep -Eq "[:. ]$port([^0-9]|$)" <<<"$lines" || continue
      # Same number for both: the message's protocol ("tcp4", "/udp") tells which one failed.
      if ((TCP_PUBLISH == UDP_PUBLISH)) && ! grep -qi "$proto" <<<"$lines" &&
        grep -qi "$([[ $proto == tcp ]] && echo udp || echo tcp)" <<<"$lines"; then
        continue
      fi
      found=1 named=1
      problem "Docker could not publish the server's $proto port $port: something on this host already uses it." \
        "Set $var in $WHERE to a free port, or stop what uses $port ($(port_holder "$proto" "$port" | head -n 1 || true))."
    done
    if ((named == 0)); then
      found=1
      problem "Docker could not publish a port: it is already in use on this host." \
        "Set LAB_TCP_PUBLISH / LAB_UDP_PUBLISH in $WHERE to free ports."
    fi
  fi
  if grep -Eqi 'does not belong to any of this network|invalid address|no configured subnet' "$out"; then
    found=1
    check_own_networks
    ((PROBLEMS > 0)) || problem "Docker refused a fixed address on the vm network." \
      "LAB_SERVER_IP ($SERVER_IP) must be inside LAB_VM_SUBNET ($VM_SUBNET); fix it in $WHERE." \
      "If you changed the subnet since the last run, remove the old network first: docker compose down"
  fi
  if grep -Eqi 'network .* (was found but has incorrect label|needs to be recreated)|declared as external, but could not be found' "$out"; then
    found=1
    problem "A lab network exists from an earlier run with other settings." "Remove it: docker compose down (then up again)."
  fi
  ((found)) || log "could not tell which setting caused this failure; the output of docker compose is above"
}

# --- main --------------------------------------------------------------------------------------

main() {
  load_settings
  case "${1:-}" in
    --free-subnets)
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "usage: $0 --free-subnets N"
      docker_ok || die "no Docker engine answers (is Docker running?)"
      free_subnets "$2"
      return
      ;;
    --diagnose)
      [[ -n ${2:-} ]] || die "usage: $0 --diagnose FILE"
      diagnose "$2"
      ((PROBLEMS == 0)) || die "$PROBLEMS problem(s): change the setting(s) named above and run again"
      return
      ;;
    "") ;;
    *) die "usage: $0 [--diagnose FILE | --free-subnets N]" ;;
  esac
  docker_ok || die "no Docker engine answers: start Docker (Docker Desktop, or: sudo systemctl start docker)"
  docker compose version >/dev/null 2>&1 || die "\`docker compose\` is missing: install the Docker Compose plugin (https://docs.docker.com/compose/install/)"
  check_values || die "fix the setting(s) above in $WHERE"
  check_addresses
  check_own_networks
  check_subnet_overlaps
  check_route_overlaps
  check_ports
  ((PROBLEMS == 0)) || die "$PROBLEMS problem(s): change the setting(s) named above in $WHERE and run again"
  log "OK: vm $VM_SUBNET (server $SERVER_IP), wan $WAN_SUBNET (gateway $WAN_GATEWAY), published tcp $TCP_PUBLISH, udp $UDP_PUBLISH"
}

main "$@"
