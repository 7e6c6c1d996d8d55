#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS_TOTAL
#
# Replays every file of tests/fuzz/regressions/<fuzzer>/ through its fuzzer,
# then fuzzes each fuzzer of BUILD_DIR (a -DSIPGW_FUZZ=ON build, see
# tests/README.md "Fuzzing") for its share of SECONDS_TOTAL, starting from a
# temporary copy of tests/fuzz/corpus/<fuzzer>/ so the repository stays as
# it is. Exits non-zero on any crash, leak, timeout or out-of-memory, and
# names the file that reproduces it (kept in BUILD_DIR/fuzz-artifacts/).
set -euo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BUILD_DIR SECONDS_TOTAL" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$1" && pwd)
TOTAL=$2
BIN="$BUILD/tests/fuzz"
ARTIFACTS="$BUILD/fuzz-artifacts"
FLAGS=(-rss_limit_mb=1024 -timeout=10 -print_final_stats=1)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libpri's spans cannot be freed (tests/lsan.supp); the gateway's fuzzers have spans.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$HERE/../lsan.supp}

# Every fuzzer with a seed corpus must have been built.
fuzzers=()
for corpus in "$HERE"/corpus/*/; do
  name=$(basename "$corpus")
  if [ ! -x "$BIN/$name" ]; then
    echo "### fuzz: $BIN/$name is missing (ninja -C $BUILD fuzzers)" >&2
    exit 1
  fi
  fuzzers+=("$name")
done
share=$((TOTAL / ${#fuzzers[@]}))
[ "$share" -ge 1 ] || share=1

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTIFACTS"
failed=0

for name in "${fuzzers[@]}"; do
  regressions="$HERE/regressions/$name"
  [ -d "$regressions" ] || continue
  for crash in "$regressions"/*; do
    [ -f "$crash" ] || continue
    if ! "$BIN/$name" "${FLAGS[@]}" "$crash" >"$WORK/$name.regression.log" 2>&1; then
      echo "### fuzz: $name crashes again on $crash"
      grep -aE "ERROR|SUMMARY|fuzz check|what\(\)| in gw::" "$WORK/$name.regression.log" | head -n 15 || true
      failed=1
    fi
  done
done
# Fuzz all the same: a known crash must not hide a new one elsewhere.

echo "### fuzz: ${#fuzzers[@]} fuzzers, ${share} s each"
for name in "${fuzzers[@]}"; do
  mkdir -p "$WORK/$name" "$ARTIFACTS/$name"
  cp "$HERE/corpus/$name"/* "$WORK/$name/"
  dict=()
  [ -f "$HERE/$name.dict" ] && dict=(-dict="$HERE/$name.dict")
  log="$ARTIFACTS/$name.log"
  if "$BIN/$name" "${FLAGS[@]}" "${dict[@]}" -max_total_time="$share" \
    -artifact_prefix="$ARTIFACTS/$name/" "$WORK/$name" >"$log" 2>&1; then
    # "#123456 DONE cov: 812 ft: 2301 corp: 95/6120b lim: 4096 exec/s: 4115 rss: 61Mb"
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
    echo "$name: ${done_line:-done}"
  else
    crash=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | cut -d' ' -f5 || true)
    echo "### fuzz: $name FAILED; the input that does it: ${crash:-see $log}"
    grep -aE "ERROR|SUMMARY|fuzz check|what\(\)|runtime error| in gw::" "$log" | head -n 15 || true
    echo "### its log: $log"
    failed=1
  fi
done
exit "$failed"
