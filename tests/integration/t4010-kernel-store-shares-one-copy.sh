#!/bin/bash
# BEs that boot the same kernel share one copy of it on each ESP
# (beadm/store/<sha256>), and that copy is freed on both ESPs with the last
# entry that names it, not before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4010a
R=$P/ROOT
fixture proxmox $P
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve
K1=$(kernel_hash 6.1.0-1-pve vmlinuz)
I1=$(kernel_hash 6.1.0-1-pve initrd.img)

# stored WHAT yes|no HASH...: are these store files on both ESPs?
stored() {
	local what=$1 want=$2 h n got=""
	shift 2
	for n in 1 2; do
		for h in "$@"; do
			if [ -f "${ESP_DIR[n]}/beadm/store/$h" ]; then got="$got yes"; else got="$got no"; fi
		done
	done
	expect_eq "$what" "$got" "$(for n in 1 2; do for h in "$@"; do printf ' %s' "$want"; done; done)"
}
consistent() {
	check "$1: ESP 1 is consistent (no store file without an entry)" esp_check 1
	check "$1: ESP 2 is consistent (no store file without an entry)" esp_check 2
	check "$1: both ESPs hold the same beadm files" esp_same
}

# No running BE here (the VM's / is not ZFS), so pve-1 can go in the end.
expect_beadm 0 "init pve-1 succeeds" -r $R init pve-1
expect_beadm 0 "create be2 succeeds" -r $R create be2
expect_beadm 0 "create be3 succeeds" -r $R create be3
expect_eq "three BEs have entries" "$(esp_entries 1)/$(esp_entries 2)" "be2 be3 pve-1/be2 be3 pve-1"
expect_eq "one store file per distinct kernel and initrd on each ESP" "$(esp_store_count 1)/$(esp_store_count 2)" "2/2"
stored "the kernel and initrd are stored under their sha256" yes "$K1" "$I1"
consistent "three BEs"

# A fourth BE with another kernel only, so that pve-1 can stop being the
# default: its /boot loses 6.1.0-1-pve and gains 6.1.0-5-pve.
expect_beadm 0 "create newk succeeds" -r $R create newk
remove_kernels $R/newk 6.1.0-1-pve
fake_kernels $R/newk 6.1.0-5-pve
K5=$(kernel_hash 6.1.0-5-pve vmlinuz)
I5=$(kernel_hash 6.1.0-5-pve initrd.img)
expect_beadm 0 "refresh newk succeeds" -r $R refresh newk
expect_eq "newk's entries name its one kernel" "$(esp_entry_files 1 'beadm-newk@*')" "beadm-newk@6.1.0-5-pve.conf"
expect_eq "the store holds both kernels and initrds" "$(esp_store_count 1)/$(esp_store_count 2)" "4/4"
stored "the new kernel is stored on both ESPs" yes "$K5" "$I5"
consistent "newk"
expect_beadm 0 "activate newk succeeds" -r $R activate newk

expect_beadm 0 "destroy be2 succeeds" -r $R destroy be2
stored "destroy be2: the shared kernel stays (be3 and pve-1 use it)" yes "$K1" "$I1"
consistent "destroy be2"
expect_beadm 0 "destroy be3 succeeds" -r $R destroy be3
stored "destroy be3: the shared kernel stays (pve-1 uses it)" yes "$K1" "$I1"
expect_eq "destroy be3: still 4 store files" "$(esp_store_count 1)/$(esp_store_count 2)" "4/4"
consistent "destroy be3"

# pve-1 is still mounted where the fixture put it, with the pool's other
# file systems inside it, which beadm rightly refuses to unmount: unmount
# those, as after a boot into newk.
boot_into $P newk
unset BEADM_TEST_ROOTFS
expect_beadm 0 "destroy the last user, pve-1, succeeds" -r $R destroy pve-1
stored "destroy pve-1: its kernel and initrd are freed on both ESPs" no "$K1" "$I1"
stored "destroy pve-1: newk's kernel stays" yes "$K5" "$I5"
expect_eq "destroy pve-1: 2 store files left on each ESP" "$(esp_store_count 1)/$(esp_store_count 2)" "2/2"
expect_eq "destroy pve-1: only newk has entries" "$(esp_entries 1)/$(esp_entries 2)" "newk/newk"
consistent "destroy pve-1"

done_testing
