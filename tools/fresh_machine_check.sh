#!/usr/bin/env bash
# Runs the README's commands on a brand-new Debian bookworm root, as a new
# user would: nothing installed by hand, only what the commands install.
#
#   tools/fresh_machine_check.sh [demo|test|both]     (default: both; as root)
#
# The base root is made once with mmdebstrap and kept as a tarball in
# $MINITF_FRESH_CACHE (default /var/cache/minitf-fresh), so later runs skip
# the download. Each run unpacks it into a new folder, clones the current
# commit there and runs the command with chroot. It prints each command's
# exit code and wall time and exits non-zero if any failed.
#
# Exit codes: 0 all passed, 1 a command failed inside the root, 2 usage,
# 3 the base root could not be made (no network to Debian's archive): the
# caller may treat 3 as "skipped".
set -euo pipefail

what=${1:-both}
case "$what" in
  demo | test | both) ;;
  *)
    echo "usage: $0 [demo|test|both]" >&2
    exit 2
    ;;
esac
if [[ $(id -u) -ne 0 ]]; then
  echo "fresh_machine_check: needs root (mmdebstrap, mount, chroot)" >&2
  exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$repo" rev-parse HEAD)
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
  echo "fresh_machine_check: note: uncommitted changes are not checked; testing commit $commit" >&2
fi
cache=${MINITF_FRESH_CACHE:-/var/cache/minitf-fresh}
base="$cache/bookworm-base.tar"
mirror=${MINITF_FRESH_MIRROR:-http://deb.debian.org/debian}
partial="$cache/bookworm-base.partial.tar"  # mmdebstrap picks the format from the extension

# The README's two commands, read from the README itself so they cannot drift.
readme_command() {
  grep -E '^tools/setup\.sh && ' "$repo/README.md" | grep -E -- "$1" | head -n 1
}
demo_cmd=$(readme_command '--target image_filter')
test_cmd=$(readme_command 'ctest --preset dev')
if [[ -z $demo_cmd || -z $test_cmd ]]; then
  echo "fresh_machine_check: could not find the two commands in README.md" >&2
  exit 2
fi

if [[ ! -s $base ]]; then
  if ! command -v mmdebstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null ||
      { echo "fresh_machine_check: cannot install mmdebstrap" >&2; exit 3; }
  fi
  mkdir -p "$cache"
  echo "== making the base bookworm root (once; cached in $base)"
  if ! mmdebstrap --quiet --variant=important bookworm "$partial" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"; then
    rm -f "$partial"
    echo "fresh_machine_check: WARNING: could not make a bookworm root (no route to Debian's archive?)" >&2
    exit 3
  fi
  mv "$partial" "$base"
fi

root=""
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
  # Never delete through a mount that is still there.
  if [[ -n $root ]] && ! grep -q " $root/" /proc/mounts; then rm -rf "$root"; fi
  root=""
}
trap cleanup EXIT INT TERM

mount_in() {  # mount_in TARGET ARGS...
  local target="$root$1"
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}

# A new root for each command, so each runs on a machine as new as a user's.
make_root() {
  root=$(mktemp -d /var/tmp/minitf-fresh.XXXXXX)
  tar -xf "$base" -C "$root"
  mount_in /proc -t proc proc
  mount_in /sys -t sysfs sysfs
  mount_in /dev --bind /dev
  mount_in /dev/pts --bind /dev/pts
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  git clone --quiet --no-hardlinks "$repo" "$root/root/minitf"
  git -C "$root/root/minitf" checkout --quiet "$commit"
}

failed=0
run_one() {  # run_one NAME COMMAND
  local name=$1 cmd=$2 start rc log="/tmp/fresh_machine_check-$1.log"
  make_root
  echo "== $name (commit ${commit:0:12}): $cmd"
  start=$(date +%s)
  set +e
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb /bin/bash -c "cd /root/minitf && $cmd" >"$log" 2>&1
  rc=$?
  set -e
  tail -n 12 "$log"
  echo "== $name: exit code $rc, wall time $(($(date +%s) - start)) s (full log: $log)"
  if ((rc != 0)); then failed=1; fi
  cleanup
}
if [[ $what == demo || $what == both ]]; then run_one demo "$demo_cmd"; fi
if [[ $what == test || $what == both ]]; then run_one test "$test_cmd"; fi
exit $failed
