#!/usr/bin/env bash
# The two set-up commands of the README, for a fresh Debian 12 machine (as root):
#   ./build.sh demo   install what is missing, build, start the demo default
#   ./build.sh test   install what is missing, build (plain and ASan+UBSan), run every test
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
JOBS=$(nproc)

PACKAGES=(g++ cmake ninja-build pkg-config ccache
  libpri-dev dahdi-source dahdi libspandsp-dev libsofia-sip-ua-dev libboost-dev libsqlite3-dev nlohmann-json3-dev libsystemd-dev libsodium-dev libssl-dev libsrtp2-dev
  libgtest-dev libgmock-dev)
TEST_PACKAGES=(clang-format clang-tidy sip-tester systemd chromium tshark debootstrap curl dpkg-dev baresip-core sipvicious
  qemu-system-x86 busybox-static cpio kmod
  clang libclang-rt-14-dev  # the fuzzers: clang, and libFuzzer (only recommended by clang)
  stunnel4 ca-certificates)  # SIP over TLS: stunnel is the TLS client (Debian's SIPp has no TLS)

install_missing() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "### installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "run as root, or install: ${missing[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Node.js (the machine's, else Debian's) and playwright-core, at the version
# tests/web/package-lock.json pins, for the web tests.
install_web_test_tools() {
  command -v node >/dev/null && command -v npm >/dev/null || install_missing nodejs npm
  if [ ! -d tests/web/node_modules/playwright-core ]; then
    echo "### npm ci (tests/web: playwright-core)"
    npm ci --prefix tests/web --no-audit --no-fund --loglevel=error
  fi
}

configure_and_build() {  # DIR [cmake args...]
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j"$JOBS"
}

check_style() {
  echo "### clang-format"
  local files
  files=$(git ls-files '*.cpp' '*.hpp')
  clang-format --dry-run --Werror $files
  echo "### clang-tidy"
  # tests/fuzz is built only in build-fuzz (clang, -DSIPGW_FUZZ=ON): build/'s
  # compile_commands.json has no entry for its harnesses.
  git ls-files '*.cpp' ':!tests/fuzz/*' | xargs -P"$JOBS" -n4 clang-tidy -p build --quiet 2>/dev/null
}

# Starts the gateway on its demo default, places a first call with SIPp
# (7773660 in private plan p1234: rings, answers, SIPp echoes the audio
# back), shows what the gateway saw, then leaves it running until Ctrl-C.
run_demo() {
  local data="$ROOT/build/demo-data" port=${SIP_PORT:-5060}
  mkdir -p "$data"
  : >"$data/sipgw.log"
  build/gateway/app/sipgw --demo --bind 127.0.0.1 --sip-port "$port" --sip-tls-port "$((port + 1))" --data-dir "$data" \
    > >(tee -a "$data/sipgw.log") 2>&1 &
  local gateway=$!
  trap 'kill $gateway 2>/dev/null; wait $gateway; exit 0' INT TERM
  for _ in $(seq 100); do
    grep -q "spans up, taking calls" "$data/sipgw.log" && break
    kill -0 $gateway 2>/dev/null || { echo "### sipgw did not start"; exit 1; }
    sleep 0.1
  done
  echo "### a first call: 7773660 in private plan p1234, 3 s of audio echoed back by SIPp"
  if sipp 127.0.0.1:"$port" -sf tests/system/sipp/call.xml -m 1 -d 3000 -i 127.0.0.1 \
    -p $((port + 1)) -key ruri "sip:7773660;phone-context=p1234@127.0.0.1;user=phone" \
    -key rtp_port 6000 -rtp_echo -mp 6000 -nostdin -timeout 20s -timeout_error \
    >"$data/first-call.log" 2>&1; then
    echo "### the call was answered, carried audio for 3 s and ended normally"
  else
    echo "### the first call FAILED: see $data/first-call.log"
  fi
  echo "### its call record (build/gateway/app/sipgwctl --data-dir $data calls):"
  build/gateway/app/sipgwctl --data-dir "$data" calls limit=1
  echo "### sipgw keeps running on 127.0.0.1:$port; Ctrl-C stops it"
  wait $gateway
}

case "${1:-}" in
  demo)
    install_missing "${PACKAGES[@]}" sip-tester
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    run_demo
    ;;
  test)
    install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_web_test_tools
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    check_style
    echo "### tests"
    ctest --test-dir build --output-on-failure -j"$JOBS" -LE "hardware|package"
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DSIPGW_SANITIZE=ON
    echo "### tests under AddressSanitizer and UndefinedBehaviorSanitizer"
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp" \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j"$JOBS" -LE "hardware|package"
    echo "### fuzzing: each parser of outside input for its share of 60 s (tests/fuzz)"
    CC=clang CXX=clang++ cmake -S "$ROOT" -B build-fuzz -G Ninja -DSIPGW_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    ninja -C build-fuzz -j"$JOBS" fuzzers
    tests/fuzz/run.sh build-fuzz 60
    echo "### package: the .deb in a clean Debian 12 root"
    ctest --test-dir build --output-on-failure -L package
    echo "### hardware: the real DAHDI driver in a virtual machine"
    ctest --test-dir build --output-on-failure -L hardware
    ;;
  install)  # ./build.sh install PACKAGE... (for the other scripts of the project)
    shift
    install_missing "$@"
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
