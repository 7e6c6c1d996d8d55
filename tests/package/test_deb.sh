#!/usr/bin/env bash
# The .deb in a clean Debian 12 root: made with debootstrap (minbase), the
# package installed there with apt (which must find every library it
# needs), its postinst run (the sipgw user in the dahdi group, the data
# directory), then the daemon started inside that root as the unit starts
# it, as user sipgw, and its web page and SIP port answering.
# Usage: test_deb.sh PACKAGE.deb   (as root; needs Debian's mirror)
set -euo pipefail
DEB=$(realpath "$1")
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOT=$(mktemp -d /tmp/sipgw-deb-root.XXXXXX)
chmod 755 "$ROOT"  # its / : every user of the root must pass it
PORT=$((24000 + $$ % 500 * 2))
mounted=()
cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" || true; done
  [ -n "${KEEP_ROOT:-}" ] && echo "kept $ROOT" || rm -rf "$ROOT"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for debootstrap and chroot"; exit 77; }
echo "### debootstrap bookworm (minbase) into $ROOT"
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
  { tail -20 "$ROOT.debootstrap.log"; fail "debootstrap"; }
rm -f "$ROOT.debootstrap.log"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp "$DEB" "$ROOT/tmp/sipgw.deb"
echo "### apt-get install ./sipgw.deb in the clean root"
chroot "$ROOT" apt-get update -qq
DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get install -y -qq --no-install-recommends \
  /tmp/sipgw.deb >"$ROOT/tmp/install.log" 2>&1 || { tail -30 "$ROOT/tmp/install.log"; fail "install"; }
grep -q "Its web page is https" "$ROOT/tmp/install.log" || fail "postinst said nothing"

echo "### what postinst made"
chroot "$ROOT" id sipgw | grep -q "(dahdi)" || fail "sipgw is not in group dahdi: $(chroot "$ROOT" id sipgw)"
[ "$(chroot "$ROOT" stat -c '%U %a' /var/lib/sipgw)" = "sipgw 750" ] ||
  fail "/var/lib/sipgw: $(chroot "$ROOT" stat -c '%U %a' /var/lib/sipgw)"
[ -f "$ROOT/usr/lib/systemd/system/sipgw.service" ] || fail "no unit"
chroot "$ROOT" dpkg-query -W -f='${Conffiles}\n' sipgw | grep -q /etc/sipgw/sipgw.env ||
  fail "sipgw.env is not a conffile"

echo "### the daemon, started as the unit starts it, as user sipgw"
for dir in proc dev; do mount --bind "/$dir" "$ROOT/$dir" && mounted+=("$ROOT/$dir"); done
chroot --userspec=sipgw:sipgw "$ROOT" /usr/sbin/sipgw --data-dir /var/lib/sipgw --demo \
  --bind 127.0.0.1 --sip-port "$PORT" --sip-tls-port 0 --http-port $((PORT + 1)) --rtp-ports 40000-40099 \
  >"$ROOT/tmp/sipgw.log" 2>&1 &
daemon=$!
for _ in $(seq 200); do
  grep -q "spans up, taking calls" "$ROOT/tmp/sipgw.log" && break
  kill -0 "$daemon" 2>/dev/null || { cat "$ROOT/tmp/sipgw.log"; fail "sipgw exited"; }
  sleep 0.1
done
grep -q "spans up, taking calls" "$ROOT/tmp/sipgw.log" || { cat "$ROOT/tmp/sipgw.log"; fail "not up"; }
[ "$(chroot "$ROOT" stat -c '%U %a' /var/lib/sipgw/initial-admin-password)" = "sipgw 600" ] ||
  fail "initial-admin-password is not sipgw's alone"
password=$(cat "$ROOT/var/lib/sipgw/initial-admin-password")
answer=$(curl -sk "https://127.0.0.1:$((PORT + 1))/api/login" -H "Content-Type: application/json" \
  -d "{\"user\":\"admin\",\"password\":\"$password\"}")
echo "$answer" | grep -q '"csrf"' || fail "log-in: $answer"
sipgwctl_status=$(chroot "$ROOT" /usr/sbin/sipgwctl --data-dir /var/lib/sipgw status)
echo "$sipgwctl_status" | grep -q "span span1/a link up" || fail "status: $sipgwctl_status"
kill -TERM "$daemon"
wait "$daemon" || fail "sipgw did not stop cleanly"
daemon=
echo "### apt-get purge"
chroot "$ROOT" apt-get purge -y -qq sipgw >/dev/null 2>&1 || fail "purge"
[ ! -e "$ROOT/var/lib/sipgw" ] || fail "purge left /var/lib/sipgw"
echo "PASS: the .deb installs in a clean Debian 12 root, runs there as sipgw, and purges"
