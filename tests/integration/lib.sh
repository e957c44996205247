# tests/integration/lib.sh - sourced by every tNNNN-*.sh scenario.
#
# Scenarios run as root inside the test VM (tests/vm/run), each on pools of
# its own, and describe behaviour: every check prints "ok - WHAT" or
# "not ok - WHAT" (with the evidence indented below it).  The scenario's exit
# status is the number of failed checks (capped at 100).
#
# Environment: BEADM is the beadm binary under test (tests/integration/run
# sets it); scenarios may run alone:  tests/vm/run -- tests/integration/t1000-list.sh

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd -P)
BEADM=${BEADM:-$TOP/build/src/beadm}
T_PASS=0
T_FAIL=0
T_POOLS=""
T_TMP=$(mktemp -d /tmp/beadm-test.XXXXXX)
# libzfs leaks a little by design (caches freed at exit are not leaks of ours).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export BEADM_LOCK_WAIT_MS=${BEADM_LOCK_WAIT_MS:-2000}

# uefi_firmware on|off: whether the VM looks started by UEFI.  The test VM
# boots its kernel directly, without firmware, so /sys/firmware/efi is not
# there; the machines the scenarios stand for (and beadm, and
# proxmox-boot-tool, which runs every ESP in GRUB mode without it) want it.
# "on" (the default, for every scenario) lays a tmpfs over /sys/firmware
# with an empty efi/ beside the real entries, bound back; "off" takes it away.
uefi_firmware() {
	local d
	case $1 in
	on)
		[ -d /sys/firmware/efi ] && return 0
		mkdir -p /run/beadm-test-firmware
		mount --bind /sys/firmware /run/beadm-test-firmware
		mount -t tmpfs -o mode=755 beadm-test-firmware /sys/firmware
		mkdir /sys/firmware/efi
		for d in /run/beadm-test-firmware/*; do
			[ -d "$d" ] || continue
			mkdir "/sys/firmware/${d##*/}"
			mount --bind "$d" "/sys/firmware/${d##*/}"
		done ;;
	off)
		mountpoint -q /run/beadm-test-firmware || return 0
		umount -R /sys/firmware
		umount /run/beadm-test-firmware ;;
	esac
}
uefi_firmware on

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# evidence FILE...: show files indented under a failed check.
evidence() { for f in "$@"; do [ -s "$f" ] && sed 's/^/#   /' "$f"; done; return 0; }

# check WHAT COMMAND...: passes when COMMAND exits 0.
check() {
	local what=$1
	shift
	if "$@" >"$T_TMP/out" 2>&1; then
		ok "$what"
	else
		not_ok "$what (exit $?: $*)"
		evidence "$T_TMP/out"
	fi
}

# check_fails WHAT COMMAND...: passes when COMMAND exits non-zero.
check_fails() {
	local what=$1
	shift
	if "$@" >"$T_TMP/out" 2>&1; then
		not_ok "$what (succeeded: $*)"
		evidence "$T_TMP/out"
	else
		ok "$what"
	fi
}

# run_beadm ARGS...: run beadm, keeping stdout in $T_TMP/stdout, stderr in
# $T_TMP/stderr and the exit status in $RC (never fails the scenario).
run_beadm() {
	RC=0
	"$BEADM" "$@" >"$T_TMP/stdout" 2>"$T_TMP/stderr" </dev/null || RC=$?
}

# expect_beadm STATUS WHAT ARGS...: beadm ARGS must exit with STATUS.
expect_beadm() {
	local want=$1 what=$2
	shift 2
	run_beadm "$@"
	if [ "$RC" -eq "$want" ]; then
		ok "$what"
	else
		not_ok "$what (beadm $*: exit $RC, wanted $want)"
		evidence "$T_TMP/stdout" "$T_TMP/stderr"
	fi
}

# expect_no_findings NAME PREFIX KEY:WHAT...: for checks gathered over many
# tries, one line per KEY: ok "NAME: WHAT" when the file PREFIX.KEY is
# empty, else not ok with its first 40 lines as evidence.
expect_no_findings() {
	local name=$1 prefix=$2 f
	shift 2
	for f in "$@"; do
		if [ -s "$prefix.${f%%:*}" ]; then
			not_ok "$name: ${f#*:}"
			head -n 40 "$prefix.${f%%:*}" | sed 's/^/#   /'
		else
			ok "$name: ${f#*:}"
		fi
	done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
	fi
}

# prop DATASET PROPERTY: a property's value, as zfs prints it.
prop() { zfs get -H -o value "$2" "$1" 2>/dev/null; }
# source DATASET PROPERTY: local, default, inherited from ..., -
prop_source() { zfs get -H -o source "$2" "$1" 2>/dev/null; }
exists() { zfs list -H -o name "$1" >/dev/null 2>&1; }
# tmpdirs: the private directories beadm makes in /tmp, one a line; a
# scenario compares them with what they were when it began (scenarios
# before it in the same VM may have left some: t4030 kills beadm).
tmpdirs() { ls -d /tmp/beadm.* 2>/dev/null; }
pool_bootfs() { zpool get -H -o value bootfs "$1"; }

# fixture LAYOUT POOL: a throwaway pool (see tests/vm/fixture), destroyed
# when the scenario ends.
fixture() {
	"$TOP/tests/vm/fixture" "$1" "$2" >"$T_TMP/fixture.out" 2>&1 || {
		echo "Bail out! fixture $1 $2 failed"
		cat "$T_TMP/fixture.out"
		exit 100
	}
	T_POOLS="$T_POOLS $2"
}

# clone_by_hand ROOT FROM NEW: what `beadm create -e FROM NEW` makes, done
# with zfs commands, for scenarios that must not depend on beadm create.
clone_by_hand() {
	local r=$1 from=$2 new=$3 ds cm
	zfs snapshot -r "$r/$from@for-$new"
	zfs list -H -o name,canmount -r "$r/$from" | while IFS=$'\t' read -r ds cm; do
		[ "$cm" = off ] || cm=noauto
		zfs clone -o canmount=$cm "$ds@for-$new" "$r/$new${ds#"$r/$from"}"
	done
	zfs set mountpoint=/ "$r/$new"
}

# pool_state POOL: what a refused command must leave as it was: every
# dataset and snapshot with its origin, canmount, mountpoint, mount state
# and guid, and every property set locally or received.
pool_state() {
	zfs list -H -t all -o name,origin,canmount,mountpoint,mounted,guid -r "$1"
	zfs get -H -r -s local,received all "$1"
}

# pool_props_state POOL: stricter than pool_state, for refusals that must
# not touch any property: the pool's bootfs and every property of every
# dataset, less the ones that move with space accounting.
pool_props_state() {
	zpool get -H -o property,value bootfs "$1"
	zfs get -H -p all -r "$1" | grep -v -e '	written	' -e '	used' -e \
		'	available	' -e '	referenced	' -e 'logical' -e 'compressratio'
}

# remember_state POOL, later expect_unchanged WHAT: passes when POOL's state
# is still what it was when remembered.
remember_state() {
	T_STATE_POOL=$1
	pool_state "$1" >"$T_TMP/state.before"
}
expect_unchanged() {
	pool_state "$T_STATE_POOL" >"$T_TMP/state.after"
	if diff "$T_TMP/state.before" "$T_TMP/state.after" >"$T_TMP/state.diff"; then
		ok "$1: nothing changed"
	else
		not_ok "$1: nothing changed"
		evidence "$T_TMP/state.diff"
	fi
}

# history_mark POOL, later history_txgs POOL WHAT REGEX: the transaction
# groups (one per line) in which POOL's internal history (zpool history -i)
# has logged WHAT ("destroy"; "clone swap" for each dataset rolled back,
# named DATASET/%rollback) on a dataset whose name matches the extended
# regular expression REGEX, since the mark.  history_since POOL prints
# those history lines.
history_mark() { T_HIST_LINES=$(zpool history -i "$1" | wc -l); }
history_since() { zpool history -i "$1" | tail -n +$((T_HIST_LINES + 1)); }
history_txgs() {
	history_since "$1" | sed -nE "s|^[^ ]+ \[txg:([0-9]+)\] $2 ($3) .*|\1|p" | sort -u
}

# T_CLEANUP: names of functions t_cleanup runs first, before the pools are
# destroyed (helpers such as esp.sh add theirs: unmount, detach loops).
T_CLEANUP=""

t_cleanup() {
	local p h
	for h in $T_CLEANUP; do
		"$h" || true
	done
	for p in $T_POOLS; do
		"$TOP/tests/vm/fixture" --destroy "$p" >/dev/null 2>&1 || true
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT

# done_testing: print the tally and exit with the number of failures.
done_testing() {
	echo "# $(basename "$0"): $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -gt 100 ] && exit 100
	exit "$T_FAIL"
}
