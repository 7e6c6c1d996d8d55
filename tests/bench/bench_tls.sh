#!/usr/bin/env bash
# TLS benchmark (issue 13): the cost of SIP over TLS against SIP over UDP,
# same gateway, same scenario, same run. sipgw --demo (40 spans, its own
# data dir and ports) takes call cycles (INVITE .. 200 .. ACK, 1 s, BYE) from
# SIPp at a few fixed rates:
#   udp          SIPp over UDP to the SIP port;
#   tls-1conn    SIPp over one TCP connection (-t t1) to a local stunnel
#                client, which carries every call over ONE TLS connection to
#                the TLS port (the trunk case: a PBX keeps its connection);
#   tls-resumed  a TCP connection per call (-t tn), so a TLS connection per
#                call, stunnel resuming the TLS session where the gateway
#                lets it (abbreviated handshake);
#   tls-full     a TLS connection per call with a full handshake each time
#                (stunnel sessionResume = no): the costly case.
# Debian's SIPp has no TLS, hence stunnel, as in tests/system/test_system_tls.
# For each: calls ok and failed, ok calls per second of the offered window,
# set-up time, and sipgw's CPU (utime+stime from /proc/PID/stat, minus its
# idle rate) per call; stunnel's own CPU is shown too (it is the client's
# cost, not the gateway's). Every load is bounded in count and time. Run by
# hand on an otherwise idle machine:
#   tests/bench/bench_tls.sh [BUILD_DIR]      (default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SIPGW=$(realpath "$BUILD/gateway/app/sipgw")
WORK=$(mktemp -d /tmp/sipgw-bench-tls.XXXXXX)
PORT=${PORT:-26060}        # SIP UDP/TCP; TLS on PORT+1; SIPp PORT+10..; stunnel PORT+40
TLS_PORT=$((PORT + 1))
STUNNEL_PORT=$((PORT + 40))
RATES=${RATES:-"20 50 100 200 400"}
MODES=${MODES:-"udp tls-1conn tls-resumed tls-full"}
SECONDS_PER_RATE=${SECONDS_PER_RATE:-5}
SPANS=${SPANS:-40}
HZ=$(getconf CLK_TCK)
STUNNEL=""
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

cp tests/system/sipp/load.xml "$WORK/load.xml"
# Over TLS the Via and Contact must say TLS (Sofia checks a Via against the
# transport it came on), as in call_tls.xml.
sed 's/\[transport\]/TLS/g' tests/system/sipp/load.xml >"$WORK/load_tls.xml"
printf '9 answer ring=0ms\n* answer ring=0ms\n' >"$WORK/rules"
RURI="sip:9000;phone-context=p1234@127.0.0.1;user=phone"

"$SIPGW" --demo --quiet --bind 127.0.0.1 --sip-port $PORT --sip-tls-port $TLS_PORT --spans "$SPANS" \
  --rtp-ports 40002-50000 --http-port 0 --data-dir "$WORK/data" --pstn-rules "$WORK/rules" \
  >"$WORK/sipgw.log" 2>&1 &
GATEWAY=$!
for _ in $(seq 200); do
  grep -q "spans up" "$WORK/sipgw.log" && break
  sleep 0.1
done
grep -q "spans up" "$WORK/sipgw.log" || { echo "sipgw did not come up"; cat "$WORK/sipgw.log"; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now() { date +%s.%N; }

percentile() {
  awk -F';' 'NR > 1 && $3 ~ /^[0-9.]+$/ {print $3}' "$1" | sort -n |
    awk -v p="$2" '{v[NR] = $1} END {if (NR == 0) {print "-"; exit} i = int(NR * p / 100); if (i < 1) i = 1; print v[i]}'
}

# start_stunnel RESUME(yes|no): a TLS client verifying the gateway's own
# certificate (chain and IP), as the system test does; log at notice level
# so that logging is not what is measured. STUNNEL_DEBUG=6 logs, per TLS
# connection, "TLS connected: previous session reused" or "new session
# negotiated" (KEEP=1 keeps the work directory with stunnel.log).
start_stunnel() {
  cat >"$WORK/stunnel.conf" <<CONF
foreground = yes
pid =
debug = ${STUNNEL_DEBUG:-4}
output = $WORK/stunnel.log
[sip]
client = yes
accept = 127.0.0.1:$STUNNEL_PORT
connect = 127.0.0.1:$TLS_PORT
local = 127.0.0.1
CAfile = $WORK/data/sip-tls/certificate.pem
verifyChain = yes
checkIP = 127.0.0.1
sessionResume = $1
CONF
  stunnel "$WORK/stunnel.conf" >"$WORK/stunnel.out" 2>&1 &
  STUNNEL=$!
  for _ in $(seq 100); do
    awk -v p="$(printf '0100007F:%04X' $STUNNEL_PORT)" '$2 == p && $4 == "0A" {f = 1} END {exit !f}' /proc/net/tcp && return 0
    sleep 0.05
  done
  echo "stunnel did not come up"; cat "$WORK/stunnel.out" "$WORK/stunnel.log"; exit 1
}
stop_stunnel() {
  [ -n "$STUNNEL" ] || return 0
  kill "$STUNNEL"; wait "$STUNNEL" 2>/dev/null || true; STUNNEL=""
}

# The gateway's idle CPU (40 spans up, no call), taken off every figure.
t0=$(ticks $GATEWAY); sleep 5; t1=$(ticks $GATEWAY)
IDLE_TICKS_PER_S=$(echo "($t1 - $t0) / 5" | bc -l)

echo "# $(date -u +%F) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# tree at $(git rev-parse --short HEAD 2>/dev/null), sipgw built $(date -u -r "$SIPGW" +%FT%TZ), --spans $SPANS; idle $(printf '%.1f' "$(echo "$IDLE_TICKS_PER_S * 100 / $HZ" | bc -l)")% CPU; $SECONDS_PER_RATE s per rate, calls held 1 s"
printf '%-12s %5s %6s %6s %6s %8s %8s %8s %12s %12s\n' mode "cps" calls ok failed "ok/s" "p50 ms" "p99 ms" "sipgw ms/call" "stunnel ms/call"
for mode in $MODES; do
  case $mode in
    udp) target=$PORT; transport=u1; scenario=$WORK/load.xml ;;
    tls-1conn) start_stunnel yes; target=$STUNNEL_PORT; transport=t1; scenario=$WORK/load_tls.xml ;;
    tls-resumed) start_stunnel yes; target=$STUNNEL_PORT; transport=tn; scenario=$WORK/load_tls.xml ;;
    tls-full) start_stunnel no; target=$STUNNEL_PORT; transport=tn; scenario=$WORK/load_tls.xml ;;
    *) echo "unknown mode $mode"; exit 1 ;;
  esac
  for rate in $RATES; do
    calls=$((rate * SECONDS_PER_RATE))
    rm -f "$WORK"/load*_rtt.csv "$WORK/stat.csv"
    g0=$(ticks $GATEWAY); s0=0; [ -n "$STUNNEL" ] && s0=$(ticks $STUNNEL); w0=$(now)
    (cd "$WORK" && timeout $((SECONDS_PER_RATE + 60)) sipp 127.0.0.1:"$target" -sf "$scenario" -t $transport \
      -key ruri "$RURI" -i 127.0.0.1 -p $((PORT + 10)) -mp $((PORT + 20)) -r "$rate" -m "$calls" \
      -l $((rate * 4)) -d 1000 -nostdin -timeout $((SECONDS_PER_RATE + 30))s -max_socket 5000 \
      -trace_stat -stf "$WORK/stat.csv" -trace_rtt -rtt_freq 1 >"$WORK/sipp.out" 2>&1) || true
    sleep 1  # the gateway's work after the last BYE (records)
    g1=$(ticks $GATEWAY); s1=0; [ -n "$STUNNEL" ] && s1=$(ticks $STUNNEL); w1=$(now)
    last=$(tail -n 1 "$WORK/stat.csv" 2>/dev/null || echo)
    ok=$(echo "$last" | awk -F';' '{print $16 + 0}')
    failed=$(echo "$last" | awk -F';' '{print $18 + 0}')
    rtt=$(ls "$WORK"/load*_rtt.csv 2>/dev/null | head -1)
    gms=$(echo "(($g1 - $g0) - $IDLE_TICKS_PER_S * ($w1 - $w0)) * 1000 / $HZ / $calls" | bc -l)
    sms=$(echo "($s1 - $s0) * 1000 / $HZ / $calls" | bc -l)
    printf '%-12s %5s %6s %6s %6s %8.1f %8s %8s %12.2f %12.2f\n' "$mode" "$rate" "$calls" "$ok" "$failed" \
      "$(echo "$ok / $SECONDS_PER_RATE" | bc -l)" "${rtt:+$(percentile "$rtt" 50)}" "${rtt:+$(percentile "$rtt" 99)}" "$gms" "$sms"
    sleep 2
  done
  stop_stunnel
done
kill $GATEWAY; wait $GATEWAY 2>/dev/null || true
