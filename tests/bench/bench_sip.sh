#!/usr/bin/env bash
# SIP benchmark (issue 3): full call cycles through sipgw --demo, loopback
# spans and the in-process pstnsim, driven by SIPp over loopback, against the
# same load on a SIPp UAS answering directly; then concurrent calls with
# audio flowing both ways (SIPp echoes the gateway's RTP). Every load is
# bounded in count and time. Run by hand on an otherwise idle machine:
#   tests/bench/bench_sip.sh [BUILD_DIR]      (default build/)
# and write the numbers into tests/bench/RESULTS.md with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SIPGW=$BUILD/gateway/app/sipgw
WORK=$(mktemp -d /tmp/sipgw-bench.XXXXXX)
# SIPp writes its trace files beside the scenario: keep them out of the tree.
cp tests/system/sipp/load.xml "$WORK/load.xml"
SCENARIO=$WORK/load.xml
SIPGW=$(realpath "$SIPGW")
PORT=25060
RATES=${RATES:-"100 200 400 700 1000"}
SECONDS_PER_RATE=${SECONDS_PER_RATE:-5}
CONCURRENT=${CONCURRENT:-"250 500 1000"}
SPANS=${SPANS:-40}  # 1200 B-channels
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

# The number the calls go to answers at once (no ringing), so that a 1 s
# hold is a 1 s call.
printf '9 answer ring=0ms\n* answer ring=0ms\n' >"$WORK/rules"
RURI="sip:9000;phone-context=p1234@127.0.0.1;user=phone"

start_gateway() {
  "$SIPGW" --demo --quiet --bind 127.0.0.1 --sip-port $PORT --sip-tls-port 0 --spans "$SPANS" \
    --rtp-ports 30000-40000 --data-dir "$WORK/data" --pstn-rules "$WORK/rules" \
    >"$WORK/sipgw.log" 2>&1 &
  GATEWAY=$!
  for _ in $(seq 200); do
    grep -q "spans up" "$WORK/sipgw.log" && return 0
    sleep 0.1
  done
  echo "sipgw did not come up"; cat "$WORK/sipgw.log"; exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# percentile FILE P: the P-th percentile of SIPp's per-call response times
# (-trace_rtt: date;dateMs;responsetime;repartition), in ms.
percentile() {
  awk -F';' 'NR > 1 && $3 ~ /^[0-9.]+$/ {print $3}' "$1" | sort -n |
    awk -v p="$2" '{v[NR] = $1} END {if (NR == 0) {print "-"; exit} i = int(NR * p / 100); if (i < 1) i = 1; print v[i]}'
}

# run_load TARGET_PORT RATE LABEL: RATE calls/s for SECONDS_PER_RATE s, each
# held 1 s; prints one line.
run_load() {
  local target=$1 rate=$2 label=$3 calls=$(($2 * SECONDS_PER_RATE))
  rm -f "$WORK"/load_*_rtt.csv
  (cd "$WORK" && sipp 127.0.0.1:"$target" -sf "$SCENARIO" -key ruri "$RURI" -i 127.0.0.1 -p $((PORT + 10)) \
    -mp $((PORT + 20)) -r "$rate" -m "$calls" -l $((rate * 4)) -d 1000 -nostdin \
    -timeout $((SECONDS_PER_RATE + 30))s -max_socket 5000 -trace_stat -stf "$WORK/stat.csv" \
    -trace_rtt -rtt_freq 1 >"$WORK/sipp.out" 2>&1) || true
  local rtt=$(ls "$WORK"/load_*_rtt.csv 2>/dev/null | head -1)
  local last=$(tail -n 1 "$WORK/stat.csv")
  local ok=$(echo "$last" | awk -F';' '{print $16}')   # SuccessfulCall(C)
  local failed=$(echo "$last" | awk -F';' '{print $18}')  # FailedCall(C)
  printf '%-10s %5s calls/s: %6s calls, %5s ok, %5s failed, set-up p50 %6s ms, p99 %6s ms\n' \
    "$label" "$rate" "$calls" "$ok" "$failed" "$(percentile "$rtt" 50)" "$(percentile "$rtt" 99)"
}

echo "# $(date -u +%F) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "## call cycles (INVITE .. 200 .. ACK, 1 s, BYE), $SECONDS_PER_RATE s per rate"
start_gateway
for rate in $RATES; do
  before=$(cpu_ticks $GATEWAY)
  line=$(run_load $PORT "$rate" sipgw)
  after=$(cpu_ticks $GATEWAY)
  echo "$line, sipgw $(((after - before) / SECONDS_PER_RATE))% CPU, RSS $(($(rss_kb $GATEWAY) / 1024)) MB"
  sleep 3
done
kill $GATEWAY; wait $GATEWAY || true

sipp -sn uas -i 127.0.0.1 -p $((PORT + 30)) -nostdin -bg >/dev/null 2>&1 || true
UAS_PORT=$((PORT + 30))
for rate in $RATES; do
  run_load $UAS_PORT "$rate" "sipp-uas"
  sleep 2
done
pkill -f "sipp -sn uas -i 127.0.0.1 -p $UAS_PORT" || true

echo "## concurrent calls with audio both ways (SIPp echoes the RTP), held 20 s"
start_gateway
idle_rss=$(rss_kb $GATEWAY)
for calls in $CONCURRENT; do
  sipp 127.0.0.1:$PORT -sf "$SCENARIO" -key ruri "$RURI" -i 127.0.0.1 -p $((PORT + 10)) \
    -mp $((PORT + 20)) -rtp_echo -r 200 -m "$calls" -l "$calls" -d 20000 -nostdin -timeout 90s \
    -max_socket 5000 -trace_stat -stf "$WORK/stat.csv" >"$WORK/sipp.out" 2>&1 &
  sipp_pid=$!
  sleep $((calls / 200 + 3))
  before=$(cpu_ticks $GATEWAY)
  sleep 10
  after=$(cpu_ticks $GATEWAY)
  rss=$(rss_kb $GATEWAY)
  up=$(printf 'status\n' | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"status\n")
data = b""
while not data.rstrip().endswith(b"end"):
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
print(sum(int(l.split()[1]) for l in data.decode().splitlines() if l.startswith("media-sessions")))' \
    "$WORK/data/sipgw.ctl")
  wait $sipp_pid || true
  last=$(tail -n 1 "$WORK/stat.csv")
  cpu=$(((after - before) / 10))
  printf '%5s calls: %5s with RTP during the window, %s ok, %s failed, sipgw %s%% CPU (%s%% per 100 calls), RSS %s MB (%s KB per call)\n' \
    "$calls" "$up" "$(echo "$last" | awk -F';' '{print $16}')" "$(echo "$last" | awk -F';' '{print $18}')" \
    "$cpu" "$((cpu * 100 / calls))" "$((rss / 1024))" "$(((rss - idle_rss) / calls))"
  sleep 5
done
