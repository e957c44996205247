#!/bin/bash
# A beadm killed at any step of a change to the ESPs leaves both of them
# bootable, and the next beadm that opens them (here: list) finishes the
# change: no journal or temporary file left, both ESPs the same, entries
# for exactly the BEs that exist, and the default the one bootfs names.
# For activate, create, rename and destroy, kill beadm before its 1st, 2nd,
# ... file operation on an ESP or step of a create on the pool
# (BEADM_TEST_CRASH_AT) until it completes,
# putting pool and ESPs back as they were before each try.  About 3.5 s per
# crash point in the VM under TCG (76 points: 4.5 minutes alone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4030a
R=$P/ROOT
# TEST_CRASH_STRIDE=K tries only every K-th crash point (1, 1+K, ...), for a
# quicker run; TEST_CRASH_CAP is where a never-ending operation fails.
# tests/vm/run passes TEST_* variables into the VM.
STRIDE=${TEST_CRASH_STRIDE:-1}
CAP=${TEST_CRASH_CAP:-200}
fixture proxmox $P
ALT=$(zpool get -H -o value altroot $P)
VDEV_DIR=$(dirname "$(sed -n 's/^vdev=//p' "$T_TMP/fixture.out")")
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
# Small kernels: every try copies the ESP images and hashes their files.
FAKE_KERNEL_KIB=64

# The state each operation starts from: pve-1 (running, default) with
# entries for 6.1.0-1-pve and a newer 6.1.0-3-pve installed since (no
# entries yet: a clone of it gets both); be2 with its own 6.1.0-4-pve, so
# that destroying it frees store files and renaming it rewrites two entries.
fake_kernels $R/pve-1 6.1.0-1-pve
expect_beadm 0 "init succeeds" -r $R init
expect_beadm 0 "create be2 succeeds" -r $R create be2
fake_kernels $R/be2 6.1.0-4-pve
expect_beadm 0 "refresh be2 succeeds" -r $R refresh be2
fake_kernels $R/pve-1 6.1.0-3-pve
for n in 1 2; do check "the starting state: ESP $n is consistent" esp_check $n; done
check "the starting state: both ESPs are the same" esp_same
expect_eq "the starting state: pve-1 and be2 have entries" "$(esp_entries 1)" "be2 pve-1"
if ! esp_check 1 >/dev/null || ! esp_check 2 >/dev/null || ! esp_same >/dev/null ||
	[ "$(esp_entries 1)" != "be2 pve-1" ]; then
	not_ok "the starting state is not right: no crash tests"
	done_testing
fi

# The starting state, to come back to: a pool checkpoint, the ESP images,
# what was mounted.
zpool sync $P
zpool checkpoint $P || { not_ok "zpool checkpoint"; done_testing; }
esp_save 1
esp_save 2
# esp_sketch N: the names of ESP N's files and loader.conf (cheap: no exec).
esp_sketch() {
	_esp_list $1
	printf '%s\n' "${ESP_LIST[@]}"
	echo "$(<"${ESP_DIR[$1]}/loader/loader.conf")"
}
BASE_SKETCH1=$(esp_sketch 1)
BASE_SKETCH2=$(esp_sketch 2)
BASE_STATE=$(pool_state $P; pool_bootfs $P)
declare -A BASE_SNAPSHOT=() BASE_MOUNTED_AT=()
for name in $(zfs list -H -t snapshot -o name -r $R/pve-1); do BASE_SNAPSHOT[$name]=1; done
REWINDS=0
BASE_MOUNTED=$(zfs list -H -o mountpoint,name,mounted -r $P | awk -F'\t' '$3 == "yes" { print $1 "\t" $2 }' | LC_ALL=C sort)
while IFS= read -r line; do [ -z "$line" ] || BASE_MOUNTED_AT[$line]=1; done <<<"$BASE_MOUNTED"

# fast_state: what the operations change in the pool, for the comparison
# after every try (pool_state's zfs get all costs ~0.5 s in the VM; it is
# compared once per operation, at the end).
fast_state() {
	zfs list -H -t all -o name,origin,canmount,mountpoint,mounted,guid -r $P
	zpool list -H -o bootfs $P
}

# back_to_base UNDO: put pool and ESPs back as they were; prints what
# failed.  A file system left mounted (that was not before) is unmounted
# and reported in $T_TMP/c.mounts.  UNDO (zfs commands for what the
# operation may have done, chosen from the state it is given) is tried
# next; when the pool is still not as it was, it is rewound to the
# checkpoint (export and import: ~3 s in the VM).  Every exec costs about
# 0.1 s in the VM and this runs after each of ~80 tries, so the state is
# read once and looked up in bash.
back_to_base() {
	local undo=$1 mp state name origin canmount mounted rest
	esp_restore 1 2 || echo "the ESPs could not be restored"
	[ "$(esp_sketch 1)" = "$BASE_SKETCH1" ] || echo "ESP 1 is not as it was after esp_restore"
	[ "$(esp_sketch 2)" = "$BASE_SKETCH2" ] || echo "ESP 2 is not as it was after esp_restore"
	state=$(fast_state)
	[ "$state" = "$BASE_FAST" ] && return 0
	while IFS=$'\t' read -r name origin canmount mp mounted rest; do
		[ "$mounted" = yes ] || continue
		[ -n "${BASE_MOUNTED_AT["$mp	$name"]-}" ] && continue
		echo "$WHEN: $name is left mounted ($(awk -v d="$name" '$1 == d { printf "%s ", $2 }' /proc/self/mounts))" >>"$T_TMP/c.mounts"
		zfs unmount "$name"
	done <<<"$state"
	$undo "$state" >/dev/null 2>&1
	[ "$(fast_state)" = "$BASE_FAST" ] && return 0
	rewind
}

# rewind: the pool as it was at the checkpoint.
rewind() {
	local i mp ds
	REWINDS=$((REWINDS + 1))
	# A killed beadm's mounts may keep the pool busy for a moment.
	for ((i = 0; i < 20; i++)); do
		zpool export $P 2>/dev/null && break
		sleep 0.3
	done
	zpool import --rewind-to-checkpoint -o cachefile=none -R "$ALT" -d "$VDEV_DIR" $P ||
		{ echo "cannot rewind $P to its checkpoint"; return 1; }
	while IFS=$'\t' read -r mp ds; do
		[ "$(prop "$ds" mounted)" = yes ] || zfs mount "$ds"
	done <<<"$BASE_MOUNTED"
	zpool checkpoint $P || echo "cannot checkpoint $P again"
	[ "$(fast_state)" = "$BASE_FAST" ] || {
		echo "the pool is not as it was:"
		diff <(echo "$BASE_FAST") <(fast_state)
	}
}

# What each operation may have done to the pool, undone with zfs commands;
# each is given fast_state's output after the try.
# origin_in STATE DATASET: DATASET's origin in STATE; fails when STATE
# has no DATASET.
origin_in() {
	local name origin rest
	while IFS=$'\t' read -r name origin rest; do
		[ "$name" = "$2" ] && { echo "$origin"; return 0; }
	done <<<"$1"
	return 1
}
undo_activate() {
	zpool set bootfs=$R/pve-1 $P
	[ "$(origin_in "$1" $R/pve-1)" = - ] || zfs promote $R/pve-1
}
# A try of create may have left be3 and new snapshots of pve-1's datasets
# (be3's origins: they go after it).
undo_create() {
	local name rest
	local -a snaps=()
	while IFS=$'\t' read -r name rest; do
		case $name in
		$R/be3) zfs destroy -r $R/be3 ;;
		$R/pve-1@* | $R/pve-1/*@*) [ -n "${BASE_SNAPSHOT["$name"]-}" ] || snaps+=("$name") ;;
		esac
	done <<<"$1"
	for name in "${snaps[@]}"; do zfs destroy "$name"; done
}
undo_rename() {
	origin_in "$1" $R/be2 >/dev/null || ! origin_in "$1" $R/be4 >/dev/null || zfs rename -u $R/be4 $R/be2
}
undo_destroy() { :; }	# a destroyed BE comes back only with the checkpoint

BASE_FAST=$(fast_state)

# crash_run ARGS...: beadm ARGS, quietly (no "Killed" from bash), RC set.
crash_run() {
	RC=0
	{ "$BEADM" "$@" >"$T_TMP/stdout" 2>"$T_TMP/stderr" </dev/null || RC=$?; } 2>/dev/null
}

# settled WHEN: after beadm ran to its end (or list repaired): strict
# checks.  Appends problems to the files in $T_TMP/c.*.
settled() {
	local when=$1 n e1 e2 want bootfs
	[ -n "${ESP_DATASETS:-}" ] || ESP_DATASETS=$(zfs list -H -o name -t filesystem)
	for n in 1 2; do esp_check $n >>"$T_TMP/c.strict" || echo "  ($when)" >>"$T_TMP/c.strict"; done
	esp_same >>"$T_TMP/c.same" || echo "  ($when)" >>"$T_TMP/c.same"
	e1=$(esp_entries 1) e2=$(esp_entries 2) want=""
	for bootfs in $ESP_DATASETS; do [[ $bootfs == $R/* && $bootfs != $R/*/* ]] && want+=" ${bootfs#$R/}"; done
	want=$(_sorted_line $want)
	[ "$e1/$e2" = "$want/$want" ] ||
		echo "$when: entries ESP 1: '$e1', ESP 2: '$e2'; BEs: '$want'" >>"$T_TMP/c.entries"
	bootfs=$(pool_bootfs $P)
	want="beadm-${bootfs##*/}@*"
	e1=$(esp_default 1) e2=$(esp_default 2)
	[ "$e1/$e2" = "$want/$want" ] ||
		echo "$when: default ESP 1: '$e1', ESP 2: '$e2'; bootfs $bootfs" >>"$T_TMP/c.default"
	unset ESP_DATASETS
}

# crash_each_step NAME UNDO ARGS...: beadm -r R ARGS, killed at each step
# in turn.
crash_each_step() {
	local name=$1 undo=$2 n points=0 done=0 f t0=$SECONDS
	shift 2
	REWINDS=0
	rm -f "$T_TMP"/c.*
	touch "$T_TMP"/c.{bootable,run,repair,strict,same,entries,default,mounts,restore}
	for ((n = 1; n <= CAP; n += STRIDE)); do
		export BEADM_TEST_CRASH_AT=$n
		crash_run -r $R "$@"
		unset BEADM_TEST_CRASH_AT
		WHEN="BEADM_TEST_CRASH_AT=$n"
		if [ "$RC" -eq 0 ]; then
			done=1
			settled "ran to its end with BEADM_TEST_CRASH_AT=$n"
			back_to_base $undo >>"$T_TMP/c.restore" 2>&1
			break
		fi
		if [ "$RC" -ne 137 ]; then
			{ echo "BEADM_TEST_CRASH_AT=$n: exit $RC, not 137 (killed) or 0:"; cat "$T_TMP/stderr"; } >>"$T_TMP/c.run"
			back_to_base $undo >>"$T_TMP/c.restore" 2>&1
			break
		fi
		points=$((points + 1))
		# (list changes no dataset, unless a create was killed while its
		# BE was marked as in the making, beadm:making: then list removes
		# it; otherwise one zfs list serves both checks)
		ESP_DATASETS=$(zfs list -H -o name,beadm:making -t filesystem)
		making=$(awk -F'\t' -v r=$R '$1 == r { print $2 }' <<<"$ESP_DATASETS")
		ESP_DATASETS=$(cut -f1 <<<"$ESP_DATASETS")
		for f in 1 2; do
			esp_check --after-crash $f >>"$T_TMP/c.bootable" ||
				echo "  (killed before file operation $n)" >>"$T_TMP/c.bootable"
		done
		run_beadm -r $R list
		[ "$RC" -eq 0 ] || { echo "killed at $n: list exit $RC:"; cat "$T_TMP/stderr"; } >>"$T_TMP/c.repair"
		[ "$making" = - ] || unset ESP_DATASETS
		settled "killed before file operation $n, then list"
		back_to_base $undo >>"$T_TMP/c.restore" 2>&1
	done
	# Once per operation, the whole pool_state (local properties too).
	[ "$(pool_state $P; pool_bootfs $P)" = "$BASE_STATE" ] || {
		echo "after all tries, the pool is not as it was:"
		diff <(echo "$BASE_STATE") <(pool_state $P; pool_bootfs $P)
		rewind
	} >>"$T_TMP/c.restore" 2>&1
	echo "# $name: $points crash points, $REWINDS pool rewinds, $((SECONDS - t0)) s"
	if [ $done = 1 ]; then
		ok "$name: runs to its end when not killed (after $points crash points)"
	elif [ -s "$T_TMP/c.run" ]; then
		not_ok "$name: every try is killed or runs to its end"
		evidence "$T_TMP/c.run"
	else
		not_ok "$name: runs to its end within $CAP file operations"
	fi
	[ "$points" -gt 0 ] && ok "$name: was killed at $points points" || not_ok "$name: BEADM_TEST_CRASH_AT killed it at least once"
	expect_no_findings "$name" "$T_TMP/c" \
		bootable:"every kill left both ESPs bootable" \
		repair:"beadm list succeeds after every kill" \
		strict:"after each repair (and at the end) both ESPs are consistent: no journal, no temporary file, no unused store file" \
		same:"after each repair both ESPs hold the same beadm files" \
		entries:"after each repair the entries are those of the BEs that exist" \
		default:"after each repair loader.conf boots the BE bootfs names" \
		mounts:"no kill leaves a file system mounted" \
		restore:"the state before could be restored after each try"
}

t0=$SECONDS
crash_each_step "activate be2" undo_activate activate be2
crash_each_step "create be3 (new kernel to store)" undo_create create be3
crash_each_step "rename be2 be4" undo_rename rename be2 be4
crash_each_step "destroy be2 (frees its kernel)" undo_destroy destroy be2
echo "# crash tests took $((SECONDS - t0)) s"

done_testing
