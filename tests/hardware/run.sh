#!/usr/bin/env bash
# Runs the project on the real DAHDI kernel driver: Debian's kernel in a QEMU
# guest, DAHDI modules built from Debian's dahdi-source, two dahdi_dynamic_loc
# E1 spans back to back. Adapted from ../shared/dahdi-vm.
#   tests/hardware/run.sh DIR_WITH_dahdi_span_check PSTNSIM PSTNCALL
# env: HWTEST_CACHE (kernel image, modules; default /var/cache/sipgw-hwtest),
#      ACCEL=auto|kvm|tcg, KVER (default: Debian's current linux-image-amd64)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BINDIR=$1 PSTNSIM=${2:-} PSTNCALL=${3:-}
CACHE=${HWTEST_CACHE:-/var/cache/sipgw-hwtest}
ACCEL=${ACCEL:-auto}
stamp() { echo "### $(date +%T) $*"; }

install_missing() { "$HERE/../../build.sh" install "$@"; }

KVER=${KVER:-$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -1)}
if [ -z "$KVER" ]; then apt-get update -qq; KVER=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -1); fi
install_missing qemu-system-x86 "linux-headers-$KVER" dahdi-source dahdi busybox-static cpio gcc make kmod
mkdir -p "$CACHE/$KVER"
K=$CACHE/$KVER

if [ ! -f "$K/vmlinuz" ]; then
  stamp "fetching the kernel image $KVER"
  (cd "$K" && rm -f linux-image-*.deb && apt-get download -qq "linux-image-$KVER" &&
   dpkg-deb --fsys-tarfile linux-image-"$KVER"_*.deb | tar -x -O "./boot/vmlinuz-$KVER" > vmlinuz.tmp &&
   mv vmlinuz.tmp vmlinuz && rm -f linux-image-*.deb)
fi
if [ ! -f "$K/dahdi_dynamic_loc.ko" ]; then
  stamp "building the DAHDI modules for $KVER"
  src=$(mktemp -d)
  tar -xjf /usr/src/dahdi.tar.bz2 -C "$src" --strip-components=2
  make -s -C "/lib/modules/$KVER/build" M="$src/drivers/dahdi" DAHDI_INCLUDE="$src/include" \
    CONFIG_DAHDI=m CONFIG_DAHDI_DYNAMIC=m CONFIG_DAHDI_DYNAMIC_LOC=m -j"$(nproc)" modules >/dev/null 2>&1
  for m in dahdi dahdi_dynamic dahdi_dynamic_loc; do
    strip --strip-debug -o "$K/$m.ko" "$src/drivers/dahdi/$m.ko"
  done
  rm -rf "$src"
fi

W=$(mktemp -d /tmp/sipgw-hwtest.XXXX)
trap 'rm -rf "$W"' EXIT
stamp "initramfs in $W"
root=$W/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/dahdi,lib/modules/dahdi,proc,sys,dev,tmp}
bb=$(mktemp -d -p "$W")
(cd "$bb" && apt-get download -qq busybox-static && dpkg-deb -x busybox-static_*.deb x)
cp "$bb/x/bin/busybox" "$root/bin/"
cp "$HERE/guest-init" "$root/init"
cp "$HERE/system.conf" "$HERE/spans.conf" "$root/etc/dahdi/"
cp "$K"/*.ko "$root/lib/modules/dahdi/"
copy_with_libraries() {  # BINARY DESTDIR
  cp "$1" "$root/$2/"
  for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}
for tool in dahdi_cfg; do copy_with_libraries "/usr/sbin/$tool" usr/sbin; done
copy_with_libraries "$BINDIR/dahdi_span_check" usr/bin
[ -n "$PSTNSIM" ] && copy_with_libraries "$PSTNSIM" usr/bin
[ -n "$PSTNCALL" ] && copy_with_libraries "$PSTNCALL" usr/bin
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initramfs.gz"

if [ "$ACCEL" = auto ]; then
  # /dev/kvm backed by kvm_pvm runs only PVM guest kernels: use the software CPU.
  if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then ACCEL=kvm; else ACCEL=tcg; fi
fi
accel="-accel tcg"; [ "$ACCEL" = kvm ] && accel="-enable-kvm -cpu host"
stamp "booting the guest ($ACCEL)"
start=$(date +%s)
timeout 600 qemu-system-x86_64 $accel -machine q35 -smp 2 -m 512 -nographic -no-reboot \
  -nodefaults -serial stdio -net none -kernel "$K/vmlinuz" -initrd "$W/initramfs.gz" \
  -append "console=ttyS0 panic=-1 loglevel=4" 2>&1 | tr -d '\r' | tee "$W/console.log" |
  grep -v -E '^\[ *[0-9]+\.[0-9]+\] ' || true
stamp "guest ran $(( $(date +%s) - start )) s"
grep -q "HWTEST: RESULT PASS" "$W/console.log"
