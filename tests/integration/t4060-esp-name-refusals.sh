#!/bin/bash
# With ESPs to write, names that cannot be a file name on FAT, a line of a
# loader entry or a pattern are refused before anything is written, with
# exit status 3: a newline, a space, '..', quotes, 300 characters; and a
# name that differs from an existing BE's only in case (FAT folds case) is
# refused too (3 or 5).  Both ESPs and the pool stay exactly as they were.
# A BE made outside beadm with such a name cannot be activated or
# refreshed (5) until it is renamed.  A list of ESP UUIDs with more than
# UUIDs on a line is refused (2), never cut.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4060a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve
expect_beadm 0 "init succeeds" -r $R init
expect_beadm 0 "create be2 succeeds" -r $R create be2

esps_state() { esp_files 1; esp_files 2; }
esps_state >"$T_TMP/esps.before"
zpool sync $P
remember_state $P
long=$(printf 'x%.0s' {1..300})

for name in $'new\nline' "a b" ".." "it's" 'say"what' "$long"; do
	shown=$(printf '%q' "$name")
	[ ${#shown} -gt 40 ] && shown="${shown:0:20}... (${#name} characters)"
	expect_beadm 3 "create $shown is refused (exit 3)" -r $R create "$name"
	expect_beadm 3 "rename be2 $shown is refused (exit 3)" -r $R rename be2 "$name"
done

# expect_3_or_5 WHAT ARGS...
expect_3_or_5() {
	run_beadm "${@:2}"
	case $RC in
	3 | 5) ok "$1 (exit $RC)" ;;
	*) not_ok "$1 (exit $RC, wanted 3 or 5)"; evidence "$T_TMP/stdout" "$T_TMP/stderr" ;;
	esac
}
expect_3_or_5 "create BE2 (be2 exists) is refused" -r $R create BE2
echo "# stderr: $(cat "$T_TMP/stderr")"
expect_3_or_5 "rename pve-1 Be2 (be2 exists) is refused" -r $R rename pve-1 Be2
expect_3_or_5 "create PVE-1 (pve-1 exists) is refused" -r $R create PVE-1

esps_state >"$T_TMP/esps.after"
check "both ESPs are byte-identical to before" diff "$T_TMP/esps.before" "$T_TMP/esps.after"
expect_unchanged "every refused name (zfs list -t all and local properties)"
for n in 1 2; do check "ESP $n is consistent (no journal, no temporary file)" esp_check $n; done

# A BE made outside beadm whose name differs from another's only in case:
# activating either, or refreshing it, would write the other's entry files.
zfs snapshot $R/be2@case
zfs clone -o canmount=noauto -o mountpoint=/ $R/be2@case $R/BE2
esps_state >"$T_TMP/esps.before"
bootfs_before=$(pool_bootfs $P)
expect_beadm 5 "activate BE2 (made by zfs clone; be2 exists) is refused (exit 5)" -r $R activate BE2
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
	"beadm: boot environment 'BE2' differs from 'be2' only in case, which the EFI system partition (FAT) cannot tell apart: their boot entries would be the same files; rename one of them (beadm rename or zfs rename); nothing was changed"
expect_beadm 5 "activate be2 is refused too" -r $R activate be2
expect_beadm 5 "refresh BE2 is refused" -r $R refresh BE2
esps_state >"$T_TMP/esps.after"
check "both ESPs are byte-identical to before" diff "$T_TMP/esps.before" "$T_TMP/esps.after"
expect_eq "bootfs is unchanged" "$(pool_bootfs $P)" "$bootfs_before"
expect_beadm 0 "beadm rename BE2 be2b succeeds" -r $R rename BE2 be2b
expect_beadm 0 "activate be2b succeeds" -r $R activate be2b

# /etc/kernel/proxmox-boot-uuids is read whole, line by line, as
# proxmox-boot-tool reads it: a line with more than a UUID, or a UUID at
# the end of an overlong line, is refused (exit 2) before anything is
# written, never cut to a UUID; the same ESP listed twice is one ESP.
cp /etc/kernel/proxmox-boot-uuids "$T_TMP/uuids"
esps_state >"$T_TMP/esps.before"
bootfs_before=$(pool_bootfs $P)
{ echo "${ESP_UUID[1]} grub"; echo "${ESP_UUID[2]}"; } >/etc/kernel/proxmox-boot-uuids
expect_beadm 2 "a UUID line with more on it is refused (exit 2)" -r $R activate pve-1
expect_eq "... naming the line" "$(cat "$T_TMP/stderr")" \
	"beadm: /etc/kernel/proxmox-boot-uuids lists '${ESP_UUID[1]} grub', which is not a file system UUID"
{ printf 'x%.0s' {1..300}; echo "${ESP_UUID[1]}"; echo "${ESP_UUID[2]}"; } >/etc/kernel/proxmox-boot-uuids
expect_beadm 2 "a UUID at the end of an overlong line is refused (exit 2)" -r $R activate pve-1
check "... shown cut, with '...'" grep -q "lists 'xxxxxxxxxx.*\.\.\.', which is not" "$T_TMP/stderr"
esps_state >"$T_TMP/esps.after"
check "both ESPs are byte-identical to before" diff "$T_TMP/esps.before" "$T_TMP/esps.after"
expect_eq "bootfs is unchanged" "$(pool_bootfs $P)" "$bootfs_before"
{ echo '# the ESPs'; echo "${ESP_UUID[1]}"; echo; echo "${ESP_UUID[2]}  "; echo "${ESP_UUID[1]}"; } >/etc/kernel/proxmox-boot-uuids
expect_beadm 0 "comments, blank lines, trailing blanks and a repeated UUID are fine" -r $R activate pve-1
check "both ESPs boot pve-1" test "$(esp_default 1)/$(esp_default 2)" = "beadm-pve-1@*/beadm-pve-1@*"
cp "$T_TMP/uuids" /etc/kernel/proxmox-boot-uuids

done_testing
