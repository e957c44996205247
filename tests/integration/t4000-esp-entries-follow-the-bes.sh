#!/bin/bash
# On two Proxmox ESPs, beadm's boot entries follow the BEs through init,
# create, activate, rename and destroy: after every step both ESPs are
# bootable and hold the same beadm files, there are entries for exactly the
# BEs that exist, each with the right title, version, kernel and root=,
# loader.conf boots the BE that beadm list marks R and keeps its other
# lines, and no file beadm does not own has changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4000a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve 6.1.0-2-pve
KVERS="6.1.0-1-pve 6.1.0-2-pve"
declare -A KH IH
for k in $KVERS; do
	KH[$k]=$(kernel_hash "$k" vmlinuz)
	IH[$k]=$(kernel_hash "$k" initrd.img)
done
for n in 1 2; do esp_foreign_files $n >"$T_TMP/foreign$n.before"; done
mounts_outside_tests >"$T_TMP/mounts.before"

# after STEP DEFAULT_BE "BE..." : the checks every step must pass.
after() {
	local step=$1 want=$2 bes=$3 n
	for n in 1 2; do
		check "$step: ESP $n is consistent and bootable" esp_check $n
		expect_eq "$step: ESP $n has entries for exactly the BEs $bes" "$(esp_entries $n)" "$bes"
		expect_eq "$step: ESP $n's loader.conf boots $want" "$(esp_default $n)" "beadm-$want@*"
		check "$step: ESP $n's loader.conf keeps its timeout line" grep -qx 'timeout 3' "${ESP_DIR[n]}/loader/loader.conf"
		esp_foreign_files $n >"$T_TMP/foreign$n.after"
		check "$step: ESP $n's files that are not beadm's are byte-identical" \
			diff "$T_TMP/foreign$n.before" "$T_TMP/foreign$n.after"
	done
	check "$step: both ESPs hold the same beadm files" esp_same
	expect_eq "$step: the BEs are $bes" "$(bes_that_exist $P)" "$bes"
	expect_eq "$step: beadm list marks $want R" "$(active_bes $P R)" "$want"
}

# entries_right BE: BE's two entries say what doc/esp.md says they say.
entries_right() {
	local be=$1 k f
	expect_eq "$be has one entry per kernel" "$(esp_entry_files 1 "beadm-$be@*" | paste -sd' ')" \
		"beadm-$be@6.1.0-1-pve.conf beadm-$be@6.1.0-2-pve.conf"
	for k in $KVERS; do
		f=beadm-$be@$k.conf
		case $(entry_field 1 "$f" title) in
		*"$be"*) ok "$f: the title names the BE" ;;
		*) not_ok "$f: the title names the BE"; evidence "${ESP_DIR[1]}/loader/entries/$f" ;;
		esac
		expect_eq "$f: version" "$(entry_field 1 "$f" version)" "$k"
		expect_eq "$f: options boot the BE's dataset with /etc/kernel/cmdline" \
			"$(entry_field 1 "$f" options)" "root=ZFS=$R/$be boot=zfs quiet"
		expect_eq "$f: linux is the kernel's store file" "$(entry_field 1 "$f" linux)" "/beadm/store/${KH[$k]}"
		expect_eq "$f: initrd is the initrd's store file" "$(entry_field 1 "$f" initrd)" "/beadm/store/${IH[$k]}"
	done
}

check "before init: both ESPs boot Proxmox's entry" esp_check 1
expect_beadm 0 "init succeeds" -r $R init
after "init" pve-1 "pve-1"
entries_right pve-1
expect_eq "init: loader.conf is marked as beadm's" "$(head -n 1 "${ESP_DIR[1]}/loader/loader.conf")" "# written by beadm"
expect_eq "init: each kernel and initrd is stored once" "$(esp_store_count 1)/$(esp_store_count 2)" "4/4"
expect_eq "init: bootfs unchanged" "$(pool_bootfs $P)" "$R/pve-1"
expect_eq "init: the installer's BE, canmount=on, is noauto (no zfs mount -a over another BE's /)" \
	"$(prop $R/pve-1 canmount)/$(prop $R/pve-1 mounted)" noauto/yes

expect_beadm 0 "create be2 succeeds" -r $R create be2
after "create be2" pve-1 "be2 pve-1"
entries_right be2
expect_beadm 0 "create be3 succeeds" -r $R create be3
after "create be3" pve-1 "be2 be3 pve-1"
expect_eq "create: identical kernels are not stored again" "$(esp_store_count 1)/$(esp_store_count 2)" "4/4"

expect_beadm 0 "activate be2 succeeds" -r $R activate be2
after "activate be2" be2 "be2 be3 pve-1"
expect_eq "activate be2: bootfs names it" "$(pool_bootfs $P)" "$R/be2"
entries_right be2

expect_beadm 0 "rename be3 be4 succeeds" -r $R rename be3 be4
after "rename be3 be4" be2 "be2 be4 pve-1"
entries_right be4
expect_eq "rename: no entry names be3 any more" "$(grep -lw "be3" "${ESP_DIR[1]}"/loader/entries/beadm* "${ESP_DIR[2]}"/loader/entries/beadm* 2>/dev/null)" ""

expect_beadm 0 "destroy be4 succeeds" -r $R destroy be4
after "destroy be4" be2 "be2 pve-1"
expect_eq "destroy: the store still holds the kernels the others use" "$(esp_store_count 1)/$(esp_store_count 2)" "4/4"
entries_right pve-1
# A command line that does not fit is an error, never cut or dropped: one
# of 5000 bytes (OpenZFS takes up to 8191) in beadm:cmdline.
long="root=ZFS=$R/be2 $(head -c 4980 /dev/zero | tr '\0' x)"
zfs set beadm:cmdline="$long" $R/be2
for n in 1 2; do esp_files $n >"$T_TMP/long$n.before"; done
expect_beadm 2 "refresh with a 5000-byte beadm:cmdline fails" -r $R refresh be2
expect_eq "... saying where and how long it is" "$(cat "$T_TMP/stderr")" \
	"beadm: the kernel command line in beadm:cmdline of $R/be2 is ${#long} bytes long; beadm writes at most 4095"
for n in 1 2; do
	esp_files $n >"$T_TMP/long$n.after"
	check "... and changes nothing on ESP $n" diff "$T_TMP/long$n.before" "$T_TMP/long$n.after"
done
zfs inherit beadm:cmdline $R/be2
expect_beadm 0 "refresh without it succeeds" -r $R refresh be2
after "refresh be2" be2 "be2 pve-1"

# A rollback changes the kernels in the BE's /boot: its entries follow,
# with none left for a kernel only the rolled-back state had.
be2_kernels() { esp_entry_files $1 'beadm-be2@*' | sed 's/^beadm-be2@//; s/\.conf$//' | paste -sd' '; }
expect_beadm 0 "snapshot be2 before-upgrade" -r $R snapshot be2 before-upgrade
check "a kernel upgrade in be2" fake_kernels $R/be2 6.1.0-3-pve
expect_beadm 0 "refresh be2" -r $R refresh be2
expect_eq "be2 has entries for its newest two kernels" "$(be2_kernels 1)" "6.1.0-2-pve 6.1.0-3-pve"
expect_beadm 0 "rollback be2@before-upgrade succeeds" -r $R rollback be2@before-upgrade
for n in 1 2; do
	expect_eq "rollback: ESP $n has be2's entries for the kernels it has again" "$(be2_kernels $n)" "6.1.0-1-pve 6.1.0-2-pve"
done
after "rollback be2" be2 "be2 pve-1"

mounts_outside_tests >"$T_TMP/mounts.after"
check "beadm left no mount behind (it mounts ESPs in a namespace of its own)" \
	diff "$T_TMP/mounts.before" "$T_TMP/mounts.after"

# --- the ESPs are the machine's: a BE root on another pool ------------------
# A change of the other root, killed half-way, is finished by that root's
# beadm only: this root's leaves its journal alone and changes nothing on
# the ESPs until it is finished (before, a list here "finished" it by
# deleting the other root's entries).
Q=t4000b
fixture proxmox $Q
check "kernels in the other pool's BE" fake_kernels $Q/ROOT/pve-1 6.1.0-1-pve
journal() { esp_mount 1 && cat "${ESP_DIR[1]}/beadm/journal" 2>/dev/null; }
for n in $(seq 2 40); do
	BEADM_TEST_CRASH_AT=$n run_beadm -r $Q/ROOT create -e pve-1 qbe
	[ "$RC" -eq 137 ] && journal | grep -qx "root $Q/ROOT" && break
	"$BEADM" -r $Q/ROOT destroy -F qbe >/dev/null 2>&1
done
check "a create on $Q/ROOT killed half-way left its journal, naming its root" sh -c "test $RC -eq 137"
journal >"$T_TMP/journal.before"
for n in 1 2; do esp_files $n >"$T_TMP/other$n.before"; done
expect_beadm 0 "list on $R succeeds" -r $R list
expect_eq "... and leaves the other root's journal as it was" "$(journal)" "$(cat "$T_TMP/journal.before")"
expect_beadm 7 "activate on $R is refused while it is there (exit 7)" -r $R activate pve-1
expect_eq "... saying whose change to finish, and how" "$(cat "$T_TMP/stderr")" \
	"beadm: the EFI system partitions hold an interrupted change of the boot environments of $Q/ROOT; finish it first with 'beadm -r $Q/ROOT refresh' (if that BE root is gone for good, delete beadm/journal on every ESP); nothing was changed"
expect_beadm 1 "check on $R names it (exit 1)" -r $R check
check "... with the fix" grep -qxF \
	"problem: the EFI system partitions hold an interrupted change of the boot environments of $Q/ROOT, which beadm finishes only for that BE root — fix: run 'beadm -r $Q/ROOT refresh'" "$T_TMP/stdout"
for n in 1 2; do
	esp_files $n >"$T_TMP/other$n.after"
	check "ESP $n is as the killed run left it" diff "$T_TMP/other$n.before" "$T_TMP/other$n.after"
done
expect_beadm 0 "list on $Q/ROOT finishes it" -r $Q/ROOT list
expect_eq "... and the journal is gone" "$(journal)" ""
expect_beadm 0 "then activate on $R succeeds" -r $R activate pve-1
expect_eq "... and pve-1 boots" "$(esp_default 1)/$(esp_default 2)" 'beadm-pve-1@*/beadm-pve-1@*'

done_testing
