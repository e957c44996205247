#!/bin/bash
# The generic systemd-boot backend: no proxmox-boot-uuids, one ESP that is
# already mounted (here where beadm:esp says, with beadm:bootloader=
# systemd-boot).  init, create, activate and destroy keep its entries right,
# and the distribution's own entry (<machine-id>-<kver>.conf, as
# kernel-install writes it) and files are never touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4070a
R=$P/ROOT
MID=0123456789abcdef0123456789abcdef
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 1
rm -f /etc/kernel/proxmox-boot-uuids
D=${ESP_DIR[1]}
# What kernel-install (Debian's systemd-boot) leaves on an ESP.
mkdir -p "$D/$MID/6.1.0-1"
echo "fake Debian kernel" >"$D/$MID/6.1.0-1/linux"
echo "fake Debian initrd" >"$D/$MID/6.1.0-1/initrd.img-6.1.0-1"
printf '%s\n' "title      Debian GNU/Linux 12 (bookworm)" "version    6.1.0-1" "machine-id $MID" \
	"sort-key   debian" "options    root=ZFS=$R/pve-1 boot=zfs" "linux      /$MID/6.1.0-1/linux" \
	"initrd     /$MID/6.1.0-1/initrd.img-6.1.0-1" >"$D/loader/entries/$MID-6.1.0-1.conf"
printf 'timeout 3\ndefault %s-*\n' "$MID" >"$D/loader/loader.conf"
zfs set beadm:bootloader=systemd-boot beadm:esp="$D" $R
fake_kernels $R/pve-1 6.1.0-1-pve 6.1.0-2-pve
check "before init: the ESP boots Debian's entry" esp_check 1
esp_foreign_files 1 >"$T_TMP/foreign.before"
mounts_outside_tests >"$T_TMP/mounts.before"

# after STEP DEFAULT_BE "BE...": the checks after every step.
after() {
	check "$1: the ESP is consistent and bootable" esp_check 1
	expect_eq "$1: entries for exactly the BEs $3" "$(esp_entries 1)" "$3"
	expect_eq "$1: loader.conf boots $2" "$(esp_default 1)" "beadm-$2@*"
	check "$1: loader.conf keeps its timeout line" grep -qx 'timeout 3' "$D/loader/loader.conf"
	esp_foreign_files 1 >"$T_TMP/foreign.after"
	check "$1: Debian's entry and files are byte-identical" diff "$T_TMP/foreign.before" "$T_TMP/foreign.after"
	expect_eq "$1: beadm list marks $2 R" "$(active_bes $P R)" "$2"
}

expect_beadm 0 "init succeeds" -r $R init
after "init" pve-1 "pve-1"
expect_eq "init: the entry boots pve-1" "$(entry_field 1 'beadm-pve-1@6.1.0-2-pve.conf' options)" \
	"root=ZFS=$R/pve-1 boot=zfs quiet"
expect_beadm 0 "create be2 succeeds" -r $R create be2
after "create be2" pve-1 "be2 pve-1"
expect_beadm 0 "activate be2 succeeds" -r $R activate be2
after "activate be2" be2 "be2 pve-1"
expect_eq "activate be2: bootfs names it" "$(pool_bootfs $P)" "$R/be2"
expect_beadm 0 "create be3 succeeds" -r $R create be3
after "create be3" be2 "be2 be3 pve-1"
expect_beadm 0 "destroy be3 succeeds" -r $R destroy be3
after "destroy be3" be2 "be2 pve-1"
expect_beadm 0 "activate pve-1 succeeds" -r $R activate pve-1
expect_beadm 0 "destroy be2 succeeds" -r $R destroy be2
after "destroy be2" pve-1 "pve-1"
mounts_outside_tests >"$T_TMP/mounts.after"
check "beadm mounted nothing (the ESP is mounted already)" diff "$T_TMP/mounts.before" "$T_TMP/mounts.after"

done_testing
