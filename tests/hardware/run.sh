#!/usr/bin/env bash
# The project on the real DAHDI kernel driver: Debian's kernel in a QEMU guest,
# DAHDI 2.11 modules built from Debian's dahdi-source, two dahdi_dynamic_loc E1
# spans wired back to back (span 1 = channels 1-31, span 2 = 32-62, D-channels
# 16 and 47). The approach of /work/shared/dahdi-vm, packaged for CI.
#
#   tests/hardware/run.sh BINDIR
#
# BINDIR holds dahdi_span_check and, optionally, pstnsim and pstncall (a build
# tree works: they are looked for below it). Exit 0 only when the guest prints
# "HWTEST: RESULT PASS": dahdi_span_check passed and, when pstnsim and pstncall
# were found, an ISDN call with its audio echo check passed too.
# Needs root (apt-get). Environment:
#   HWTEST_CACHE       kernel image and modules between runs (/var/cache/sipgw-hwtest)
#   HWTEST_VM_TIMEOUT  seconds the guest may run (300)
#   HWTEST_JOBS        make -j for the module build (nproc)
#   HWTEST_KEEP=1      keep the working directory (initramfs, console log)
#   ACCEL              auto|kvm|tcg (auto: KVM only on VT-x/AMD-V)
#   KVER               guest kernel (default: what linux-image-amd64 depends on)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ] || [ ! -d "$1" ]; then echo "usage: $0 BINDIR" >&2; exit 2; fi
BINDIR=$(cd "$1" && pwd)
CACHE=${HWTEST_CACHE:-/var/cache/sipgw-hwtest}
VM_TIMEOUT=${HWTEST_VM_TIMEOUT:-300}
JOBS=${HWTEST_JOBS:-$(nproc)}
ACCEL=${ACCEL:-auto}
T0=$(date +%s.%N)
since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
stamp() { printf '### %6s s  %s\n' "$(since "$T0")" "$*"; }

find_binary() {  # NAME: BINDIR/NAME, else the first one below BINDIR
  if [ -x "$BINDIR/$1" ] && [ -f "$BINDIR/$1" ]; then echo "$BINDIR/$1"; return; fi
  find "$BINDIR" -type f -name "$1" -perm -u+x -print -quit 2>/dev/null
}
CHECK=$(find_binary dahdi_span_check)
PSTNSIM=$(find_binary pstnsim)
PSTNCALL=$(find_binary pstncall)
[ -n "$CHECK" ] || { echo "run.sh: no dahdi_span_check under $BINDIR" >&2; exit 2; }
echo "### binaries: ${CHECK}${PSTNSIM:+ $PSTNSIM}${PSTNCALL:+ $PSTNCALL}"

apt_quiet() { timeout 900 env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@"; }
kernel_version() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -1
}
# One install step for the whole project: build.sh knows how.
install_missing() { "$HERE/../../build.sh" install "$@"; }

KVER=${KVER:-$(kernel_version)}
if [ -z "$KVER" ]; then apt_quiet update; KVER=$(kernel_version); fi
[ -n "$KVER" ] || { echo "run.sh: cannot tell the Debian kernel version" >&2; exit 2; }
install_missing qemu-system-x86 "linux-headers-$KVER" dahdi-source dahdi busybox-static cpio \
  gcc make
stamp "packages ready, guest kernel $KVER"

# The cache is keyed by kernel and dahdi-source version; a lock keeps two CI
# jobs from building into it at once.
DAHDI_VERSION=$(dpkg-query -W -f='${Version}' dahdi-source | tr ':~' '__')
K=$CACHE/$KVER/dahdi-$DAHDI_VERSION
MODULES="dahdi dahdi_dynamic dahdi_dynamic_loc dahdi_echocan_mg2"
mkdir -p "$K"
exec 9>"$CACHE/.lock"
timeout 1800 flock 9

fetch_kernel() {
  local tmp; tmp=$(mktemp -d -p "$K")
  (cd "$tmp" && apt_quiet download "linux-image-$KVER" &&
    dpkg-deb --fsys-tarfile linux-image-"$KVER"_*.deb | tar -x -O "./boot/vmlinuz-$KVER" > vmlinuz)
  mv "$tmp/vmlinuz" "$K/vmlinuz"
  rm -rf "$tmp"
}
build_modules() {
  local src; src=$(mktemp -d -p "$K")
  tar -xjf /usr/src/dahdi.tar.bz2 -C "$src" --strip-components=2
  if ! timeout 1800 make -s -C "/lib/modules/$KVER/build" M="$src/drivers/dahdi" \
      DAHDI_INCLUDE="$src/include" CONFIG_DAHDI=m CONFIG_DAHDI_DYNAMIC=m \
      CONFIG_DAHDI_DYNAMIC_LOC=m CONFIG_DAHDI_ECHOCAN_MG2=m -j"$JOBS" modules > "$src/build.log" 2>&1; then
    tail -30 "$src/build.log"; rm -rf "$src"; echo "run.sh: DAHDI module build failed" >&2; exit 1
  fi
  for m in $MODULES; do strip --strip-debug -o "$K/$m.ko.tmp" "$src/drivers/dahdi/$m.ko"; done
  for m in $MODULES; do mv "$K/$m.ko.tmp" "$K/$m.ko"; done
  rm -rf "$src"
}
if [ -f "$K/vmlinuz" ]; then stamp "kernel image cached"; else
  stamp "fetching linux-image-$KVER"; fetch_kernel; fi
if [ -f "$K/dahdi_echocan_mg2.ko" ]; then stamp "DAHDI modules cached"; else
  stamp "building DAHDI modules (make -j$JOBS)"; build_modules; stamp "modules built"; fi
flock -u 9

BUSYBOX=/bin/busybox
ldd "$BUSYBOX" >/dev/null 2>&1 && { echo "run.sh: $BUSYBOX is not static (busybox-static?)" >&2; exit 2; }

W=$(mktemp -d /tmp/sipgw-hwtest.XXXXXX)
if [ "${HWTEST_KEEP:-0}" = 1 ]; then trap 'echo "### kept $W"' EXIT; else trap 'rm -rf "$W"' EXIT; fi
root=$W/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/dahdi,lib/modules/dahdi,proc,sys,dev,tmp}
cp "$BUSYBOX" "$root/bin/busybox"
cp "$HERE/guest-init" "$root/init"
cp "$HERE/system.conf" "$HERE/spans.conf" "$root/etc/dahdi/"
for m in $MODULES; do cp "$K/$m.ko" "$root/lib/modules/dahdi/"; done
copy_with_libraries() {  # BINARY DIR_IN_GUEST
  cp "$1" "$root/$2/"
  strip --strip-debug "$root/$2/$(basename "$1")" 2>/dev/null || true  # scripts stay as they are
  local lib
  for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
copy_with_libraries /usr/sbin/dahdi_cfg usr/sbin
for binary in "$CHECK" $PSTNSIM $PSTNCALL; do copy_with_libraries "$binary" usr/bin; done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initramfs.gz"
stamp "initramfs $(du -h "$W/initramfs.gz" | cut -f1)"

if [ "$ACCEL" = auto ]; then
  # /dev/kvm backed by kvm_pvm (no VT-x/AMD-V) runs only PVM guest kernels:
  # Debian's kernel would hang in its decompressor. Use the software CPU.
  if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    ACCEL=kvm; else ACCEL=tcg; fi
fi
accel=(-accel tcg); [ "$ACCEL" = kvm ] && accel=(-enable-kvm -cpu host)
stamp "booting the guest ($ACCEL, at most $VM_TIMEOUT s)"
vm_start=$(date +%s.%N)
# Kernel messages go to the log only; the guest's own lines also to stdout.
timeout "$VM_TIMEOUT" qemu-system-x86_64 "${accel[@]}" -machine q35 -smp 2 -m 512 -nographic \
  -no-reboot -nodefaults -serial stdio -net none -kernel "$K/vmlinuz" -initrd "$W/initramfs.gz" \
  -append "console=ttyS0 panic=-1 loglevel=4" < /dev/null 2>&1 | tr -d '\r' | tee "$W/console.log" |
  grep --line-buffered -v -E '^\[ *[0-9]+\.[0-9]+\] ' || true
stamp "guest finished after $(since "$vm_start") s"
if grep -q '^HWTEST: RESULT PASS' "$W/console.log"; then
  echo "### hardware test PASS"
  exit 0
fi
grep -q '^HWTEST: RESULT' "$W/console.log" || { echo "### the guest never finished; its last lines:"; tail -25 "$W/console.log"; }
echo "### hardware test FAIL"
exit 1
