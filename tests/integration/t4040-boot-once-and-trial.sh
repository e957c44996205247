#!/bin/bash
# Boot once (activate -t/-T) sets and clears systemd-boot's
# LoaderEntryOneShot variable and nothing else, and is refused without
# efivarfs.  A trial boot (activate --try) boots the BE on trial while it has
# tries left and the old default after that, as systemd-boot would; bless
# ends the trial keeping whichever BE actually runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4040a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve 6.1.0-2-pve
expect_beadm 0 "init succeeds" -r $R init
expect_beadm 0 "create be2 succeeds" -r $R create be2

EFIVARS=$T_TMP/efivars
mkdir -p "$EFIVARS"
export BEADM_TEST_EFIVARS=$EFIVARS
VAR=$EFIVARS/LoaderEntryOneShot-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
# efivar VALUE: attributes 7 (non-volatile, boot and runtime), UTF-16LE, NUL.
efivar() {
	local s=$1 i
	printf '\x07\x00\x00\x00'
	for ((i = 0; i < ${#s}; i++)); do printf '%s\x00' "${s:i:1}"; done
	printf '\x00\x00'
}
esps_state() { esp_files 1; esp_files 2; }
esps_state >"$T_TMP/esps.before"
remember_state $P

# --- boot once ---------------------------------------------------------------
expect_beadm 0 "activate -t be2 succeeds" -r $R activate -t be2
efivar 'beadm-be2@*' >"$T_TMP/var.want"
if cmp "$T_TMP/var.want" "$VAR" >/dev/null 2>&1; then
	ok "LoaderEntryOneShot holds 07 00 00 00, 'beadm-be2@*' in UTF-16LE, 00 00"
else
	not_ok "LoaderEntryOneShot holds 07 00 00 00, 'beadm-be2@*' in UTF-16LE, 00 00"
	echo "#   want: $(od -An -tx1 "$T_TMP/var.want" | tr -s ' \n' ' ')"
	echo "#   got:  $(od -An -tx1 "$VAR" 2>&1 | tr -s ' \n' ' ')"
fi
expect_eq "beadm list marks be2 T" "$(active_bes $P T)" be2
expect_eq "... and pve-1 still R" "$(active_bes $P R)" pve-1
esps_state >"$T_TMP/esps.after"
check "activate -t changed no file on the ESPs" diff "$T_TMP/esps.before" "$T_TMP/esps.after"
expect_unchanged "activate -t (bootfs included)"
expect_eq "bootfs still names pve-1" "$(pool_bootfs $P)" "$R/pve-1"

expect_beadm 0 "activate -T be2 succeeds" -r $R activate -T be2
check_fails "LoaderEntryOneShot is gone" test -e "$VAR"
expect_eq "beadm list marks no BE T" "$(active_bes $P T)" ""
esps_state >"$T_TMP/esps.after"
check "activate -T changed no file on the ESPs" diff "$T_TMP/esps.before" "$T_TMP/esps.after"

unset BEADM_TEST_EFIVARS
expect_beadm_fails() {	# WHAT ARGS...: beadm must fail
	run_beadm "${@:2}"
	if [ "$RC" -ne 0 ]; then ok "$1 (exit $RC)"; else not_ok "$1 (exit 0)"; evidence "$T_TMP/stdout"; fi
}
expect_beadm_fails "without efivarfs, activate -t is refused" -r $R activate -t be2
echo "# stderr: $(cat "$T_TMP/stderr")"
expect_eq "... with one line on stderr" "$(wc -l <"$T_TMP/stderr")" 1
expect_beadm_fails "without efivarfs, activate -T is refused" -r $R activate -T be2
check_fails "... no variable was written anywhere" test -e "$VAR"
esps_state >"$T_TMP/esps.after"
check "... and the ESPs are unchanged" diff "$T_TMP/esps.before" "$T_TMP/esps.after"
expect_unchanged "refused activate -t/-T"
export BEADM_TEST_EFIVARS=$EFIVARS

# --- trial boot ----------------------------------------------------------------
TRY='beadm~try-be2@6.1.0-2-pve'
FALLBACK='beadm~fallback-pve-1@6.1.0-2-pve.conf'
# trial_files N: the beadm~ entries on ESP N, one line.
trial_files() { esp_entry_files "$1" 'beadm~*' | paste -sd' '; }
# boot_failed FROM TO: systemd-boot counting a boot of the trial entry down.
boot_failed() {
	local n
	for n in 1 2; do
		mv "${ESP_DIR[n]}/loader/entries/$TRY+$1.conf" "${ESP_DIR[n]}/loader/entries/$TRY+$2.conf" ||
			not_ok "rename $TRY+$1.conf to +$2 on ESP $n"
	done
}

expect_beadm 0 "activate --try be2 succeeds" -r $R activate --try be2
for n in 1 2; do
	expect_eq "ESP $n: a trial entry with 3 tries (newest kernel) and a fallback to pve-1" \
		"$(trial_files $n)" "$FALLBACK $TRY+3.conf"
	expect_eq "ESP $n: loader.conf boots beadm~*" "$(esp_default $n)" 'beadm~*'
	check "ESP $n is consistent" esp_check $n
done
check "both ESPs hold the same beadm files" esp_same
expect_eq "the fallback entry boots pve-1" "$(entry_field 1 "$FALLBACK" options)" "root=ZFS=$R/pve-1 boot=zfs quiet"
expect_eq "the trial entry boots be2" "$(entry_field 1 "$TRY+3.conf" options)" "root=ZFS=$R/be2 boot=zfs quiet"
expect_eq "bootfs still names pve-1" "$(pool_bootfs $P)" "$R/pve-1"
expect_eq "beadm list marks be2 R (systemd-boot boots the trial)" "$(active_bes $P R)" be2

boot_failed 3 2-1
expect_eq "one failed boot (+2-1): be2 still R" "$(active_bes $P R)" be2
boot_failed 2-1 1-2
expect_eq "two failed boots (+1-2): be2 still R" "$(active_bes $P R)" be2
boot_failed 1-2 0-3
expect_eq "three failed boots (+0-3): the fallback, pve-1, is R" "$(active_bes $P R)" pve-1
for n in 1 2; do check "ESP $n is bootable with no tries left" esp_check $n; done

export BEADM_TEST_ROOTFS=$R/pve-1
expect_beadm 0 "bless on the fallback (pve-1 runs) succeeds" -r $R bless
echo "# bless said: $(cat "$T_TMP/stdout" "$T_TMP/stderr")"
expect_eq "... and says what it did" "$([ -s "$T_TMP/stdout" ] && echo said)" said
for n in 1 2; do
	expect_eq "ESP $n: the trial's entries are gone" "$(trial_files $n)" ""
	expect_eq "ESP $n: loader.conf boots pve-1" "$(esp_default $n)" 'beadm-pve-1@*'
	check "ESP $n is consistent" esp_check $n
done
check "both ESPs hold the same beadm files" esp_same
expect_eq "bootfs names pve-1" "$(pool_bootfs $P)" "$R/pve-1"
expect_eq "beadm list marks pve-1 R" "$(active_bes $P R)" pve-1
expect_eq "entries of pve-1 and be2 are still there" "$(esp_entries 1)/$(esp_entries 2)" "be2 pve-1/be2 pve-1"

# A second trial, with 5 tries, that boots: bless in be2 makes it the default.
expect_beadm 0 "activate --try --tries 5 be2 succeeds" -r $R activate --try --tries 5 be2
expect_eq "the trial entry has 5 tries" "$(trial_files 1)" "$FALLBACK $TRY+5.conf"
boot_failed 5 4-1	# systemd-boot counts the boot that then succeeds
boot_into $P be2	# mounts and BEADM_TEST_ROOTFS as in be2
expect_beadm 0 "bless in the BE on trial (be2 runs) succeeds" -r $R bless
echo "# bless said: $(cat "$T_TMP/stdout" "$T_TMP/stderr")"
for n in 1 2; do
	expect_eq "ESP $n: the trial's entries are gone" "$(trial_files $n)" ""
	expect_eq "ESP $n: loader.conf boots be2" "$(esp_default $n)" 'beadm-be2@*'
	check "ESP $n is consistent" esp_check $n
done
check "both ESPs hold the same beadm files" esp_same
expect_eq "bootfs names be2" "$(pool_bootfs $P)" "$R/be2"
expect_eq "beadm list marks be2 R" "$(active_bes $P R)" be2
expect_eq "entries of pve-1 and be2 are still there" "$(esp_entries 1)/$(esp_entries 2)" "be2 pve-1/be2 pve-1"

done_testing
