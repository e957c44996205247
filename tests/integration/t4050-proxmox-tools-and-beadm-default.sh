#!/bin/bash
# Proxmox VE's own boot tools act beside beadm: proxmox-kernel-helper's
# hooks and proxmox-boot-tool (tests/integration/proxmox-stand-in, which
# behaves as the real 8.1.4 and 9.x do) rewrite loader.conf's default to
# Proxmox's entries on every ESP.  Per trigger, what the BE beadm activated
# then is:
#   a kernel installed or removed, update-initramfs -u: beadm's hook runs
#       after Proxmox's (postinst.d, postrm.d, post-update.d) and be2 boots;
#   proxmox-boot-tool refresh, reinit and kernel pin (which run no hook):
#       Proxmox's entries boot; beadm list and check say so, check names
#       each ESP, the cause and the fix, and beadm refresh puts be2 back;
#   apt upgrading proxmox-kernel-helper (real apt and dpkg; its postinst
#       runs reinit): apt's Post-Invoke, beadm apt-hook --after, and be2
#       boots.
# Proxmox's files are never changed by beadm, and its entries keep booting
# the kernels it copied.  Where proxmox-boot-tool runs an ESP in GRUB mode
# (GRUB's EFI binary on it, or a machine not started by UEFI), check says
# so and every command that would write entries refuses, changing nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"
. "$(dirname "$0")/proxmox.sh"

P=t4050a
R=$P/ROOT
HOOKS="/etc/kernel/postinst.d/zzz-beadm /etc/kernel/postrm.d/zzz-beadm /etc/initramfs/post-update.d/zzz-beadm"
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
pve_etc_writable
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve 6.1.0-2-pve
pve_install $R/pve-1

# --- beadm's hooks, where Proxmox's run --------------------------------------
for h in $HOOKS; do check_fails "no hook $h before init" test -e "$h"; done
expect_beadm 0 "init succeeds" -r $R init
for h in $HOOKS; do
	check "init installs $h, byte-identical to contrib/zzz-beadm" cmp "$TOP/contrib/zzz-beadm" "$h"
	check "... executable (run-parts skips other files)" test -x "$h"
done
expect_eq "run-parts runs beadm's kernel hook after zz-proxmox-boot" \
	"$(run-parts --test /etc/kernel/postinst.d | xargs -n1 basename | paste -sd' ')" \
	"proxmox-auto-removal zz-proxmox-boot zzz-beadm"
expect_eq "... and its removal hook after Proxmox's" \
	"$(run-parts --test /etc/kernel/postrm.d | xargs -n1 basename | paste -sd' ')" "zz-proxmox-boot zzz-beadm"
expect_eq "... and its initramfs hook after proxmox-boot-sync" \
	"$(run-parts --test /etc/initramfs/post-update.d | xargs -n1 basename | paste -sd' ')" "proxmox-boot-sync zzz-beadm"
echo "# local change" >>/etc/kernel/postrm.d/zzz-beadm
expect_beadm 0 "init again succeeds" -r $R init
check "... and keeps a hook that is there already" grep -qx "# local change" /etc/kernel/postrm.d/zzz-beadm
cp "$TOP/contrib/zzz-beadm" /etc/kernel/postrm.d/zzz-beadm

expect_beadm 0 "create be2 succeeds" -r $R create be2
expect_beadm 0 "activate be2 succeeds" -r $R activate be2
expect_eq "loader.conf boots be2" "$(esp_default 1)/$(esp_default 2)" 'beadm-be2@*/beadm-be2@*'

# be2_boots WHAT: after WHAT, both ESPs boot be2, and list and check say so.
be2_boots() {
	local n
	for n in 1 2; do
		expect_eq "$1: ESP $n boots be2" "$(esp_default $n)" 'beadm-be2@*'
		check "$1: ESP $n is consistent" esp_check $n
	done
	check "$1: both ESPs hold the same beadm files" esp_same
	expect_eq "$1: beadm list marks be2 R" "$(active_bes $P R)" be2
	expect_beadm 0 "$1: beadm check exits 0" -r $R check
}
# proxmox_boots WHAT DEFAULT: WHAT left DEFAULT in loader.conf; list and
# check tell the truth, and beadm refresh puts be2 back.
proxmox_boots() {
	local what=$1 deflt=$2 n
	expect_eq "$what: loader.conf says $deflt" "$(esp_default 1)/$(esp_default 2)" "$deflt/$deflt"
	expect_eq "$what: beadm list marks pve-1 R (Proxmox's entries boot it)" "$(active_bes $P R)" pve-1
	expect_beadm 1 "$what: beadm check finds problems (exit 1)" -r $R check
	for n in 1 2; do
		check "$what: check names ESP $n, what it boots, the likely cause and the fix" grep -qxF \
			"problem: ESP ${ESP_UUID[n]} boots pve-1 by default (loader.conf: default $deflt), not be2 as beadm set it: proxmox-boot-tool (its refresh, reinit, kernel pin or kernel hooks) rewrote loader.conf — fix: run 'beadm refresh' to write beadm's default back on every ESP" \
			"$T_TMP/stdout"
		esp_foreign_files $n >"$T_TMP/foreign$n.before"
	done
	expect_beadm 0 "$what: beadm refresh succeeds" -r $R refresh
	for n in 1 2; do
		esp_foreign_files $n >"$T_TMP/foreign$n.after"
		check "$what: ESP $n: beadm refresh left Proxmox's files as they were" \
			diff "$T_TMP/foreign$n.before" "$T_TMP/foreign$n.after"
		check "ESP $n: loader.conf keeps Proxmox's timeout line" grep -qx 'timeout 3' "${ESP_DIR[n]}/loader/loader.conf"
	done
	be2_boots "$what, then beadm refresh"
}
# proxmox_entry_boots N KVER: Proxmox's entry for KVER on ESP N boots the
# running BE's kernel and initrd, byte for byte.
proxmox_entry_boots() {
	local d=${ESP_DIR[$1]} k=$2
	grep -qx "linux    /EFI/proxmox/$k/vmlinuz-$k" "$d/loader/entries/proxmox-$k.conf" &&
		grep -qx "options  root=ZFS=$R/pve-1 boot=zfs quiet" "$d/loader/entries/proxmox-$k.conf" &&
		cmp "$PBT_BOOT/vmlinuz-$k" "$d/EFI/proxmox/$k/vmlinuz-$k" &&
		cmp "$PBT_BOOT/initrd.img-$k" "$d/EFI/proxmox/$k/initrd.img-$k"
}
# pve1_kernels N: the kernels of the running BE's entries on ESP N.
pve1_kernels() { esp_entry_files $1 'beadm-pve-1@*' | sed 's/^beadm-pve-1@//; s/\.conf$//' | paste -sd' '; }

# --- a kernel installed: Proxmox's hook, then beadm's ----------------------
check "a kernel package's postinst runs its hooks" kernel_postinst 6.1.0-3-pve
for n in 1 2; do
	check "kernel install: ESP $n: Proxmox's entry for it boots the new kernel" proxmox_entry_boots $n 6.1.0-3-pve
	expect_eq "kernel install: ESP $n: the running BE's entries are for its newest two kernels" \
		"$(pve1_kernels $n)" "6.1.0-2-pve 6.1.0-3-pve"
done
be2_boots "kernel install"

# --- update-initramfs -u: proxmox-boot-sync, then beadm's hook --------------
check "update-initramfs -u runs its post-update hooks" update_initramfs_u
want=$(sha256sum <"$PBT_BOOT/initrd.img-6.1.0-3-pve" | cut -d' ' -f1)
for n in 1 2; do
	check "update-initramfs: ESP $n: Proxmox's entry has the new initrd" proxmox_entry_boots $n 6.1.0-3-pve
	f=$(entry_field $n beadm-pve-1@6.1.0-3-pve.conf initrd)
	expect_eq "update-initramfs: ESP $n: the running BE's entry boots the new initrd" \
		"$(sha256sum <"${ESP_DIR[n]}$f" | cut -d' ' -f1)" "$want"
done
be2_boots "update-initramfs -u"

# --- a kernel removed: Proxmox's hook, then beadm's -------------------------
check "a kernel package's postrm runs its hooks" kernel_postrm 6.1.0-3-pve
for n in 1 2; do
	check_fails "kernel removal: ESP $n: Proxmox's entry for it is gone" test -e "${ESP_DIR[n]}/loader/entries/proxmox-6.1.0-3-pve.conf"
	expect_eq "kernel removal: ESP $n: the running BE's entries are for the kernels it has" \
		"$(pve1_kernels $n)" "6.1.0-1-pve 6.1.0-2-pve"
done
be2_boots "kernel removal"

# --- proxmox-boot-tool by hand: no hook runs --------------------------------
check "proxmox-boot-tool refresh" "$PBT" refresh
for n in 1 2; do check "refresh: ESP $n: Proxmox's entries boot its kernels" proxmox_entry_boots $n 6.1.0-2-pve; done
proxmox_boots "proxmox-boot-tool refresh" 'proxmox-*'

check "proxmox-boot-tool reinit" "$PBT" reinit
expect_eq "reinit: loader.conf is rewritten whole" "$(cat "${ESP_DIR[1]}/loader/loader.conf")" $'timeout 3\ndefault proxmox-*'
proxmox_boots "proxmox-boot-tool reinit" 'proxmox-*'

# --- dpkg runs reinit: apt's Post-Invoke puts beadm's default back ----------
# (A timeout of 5 on ESP 1 first: reinit's "timeout 3" shows it ran.)
esp_mount 1 && sed -i "s/^timeout 3$/timeout 5/" "${ESP_DIR[1]}/loader/loader.conf"
cp "$TOP/contrib/apt/80beadm" /etc/apt/apt.conf.d/80beadm
check "apt upgrades proxmox-kernel-helper (its postinst: reinit; then beadm apt-hook --after)" apt_upgrade_helper
check "... its postinst rewrote loader.conf" grep -qx 'timeout 3' "${ESP_DIR[1]}/loader/loader.conf"
be2_boots "apt upgrading proxmox-kernel-helper"
rm /etc/apt/apt.conf.d/80beadm
check "the same without beadm's apt hook" apt_upgrade_helper
proxmox_boots "apt upgrading proxmox-kernel-helper without beadm's apt hook" 'proxmox-*'
mv /etc/kernel/postinst.d/zzz-beadm "$T_TMP/zzz-beadm"
check "proxmox-boot-tool reinit, with beadm's kernel hook away (as before beadm init)" "$PBT" reinit
expect_beadm 0 "... then apt-hook --after exits 0" -r $R apt-hook --after
expect_eq "... and says and writes nothing: Proxmox's default stays" \
	"$(cat "$T_TMP/stdout" "$T_TMP/stderr")$(esp_default 1)/$(esp_default 2)" 'proxmox-*/proxmox-*'
mv "$T_TMP/zzz-beadm" /etc/kernel/postinst.d/zzz-beadm
expect_beadm 0 "beadm refresh" -r $R refresh

check "proxmox-boot-tool kernel pin 6.1.0-1-pve" "$PBT" kernel pin 6.1.0-1-pve
check "... then refresh" "$PBT" refresh
proxmox_boots "kernel pin, refresh" 'proxmox-6.1.0-1-pve.conf'
check "proxmox-boot-tool kernel pin 6.1.0-2-pve --next-boot" "$PBT" kernel pin 6.1.0-2-pve --next-boot
check "... then refresh" "$PBT" refresh
proxmox_boots "kernel pin --next-boot, refresh" 'proxmox-6.1.0-2-pve.conf'
# The pin stays: the next kernel hook puts beadm's default back over it.
check "kernel install with a pinned kernel" kernel_postinst 6.1.0-4-pve
be2_boots "kernel install with a pinned kernel"
check "proxmox-boot-tool kernel unpin" "$PBT" kernel unpin

# --- a trial survives Proxmox's hooks ---------------------------------------
expect_beadm 0 "create be3 succeeds" -r $R create be3
expect_beadm 0 "activate --try be3 succeeds" -r $R activate --try be3
check "a kernel package's postinst runs its hooks during the trial" kernel_postinst 6.1.0-5-pve
for n in 1 2; do
	expect_eq "trial, kernel install: ESP $n still boots the trial" "$(esp_default $n)" 'beadm~*'
	check "trial, kernel install: ESP $n is consistent" esp_check $n
done
expect_eq "trial, kernel install: beadm list marks be3 R (systemd-boot boots the trial)" "$(active_bes $P R)" be3
expect_beadm 0 "trial, kernel install: beadm check exits 0" -r $R check
expect_beadm 0 "activate be2 ends the trial" -r $R activate be2
be2_boots "after the trial"

# --- GRUB mode -----------------------------------------------------------------
# An ESP proxmox-boot-tool runs in GRUB mode (Secure Boot installs put
# GRUB's EFI binary there): GRUB ignores systemd-boot entries.
mkdir -p "${ESP_DIR[2]}/EFI/proxmox"
echo "fake GRUB" >"${ESP_DIR[2]}/EFI/proxmox/grubx64.efi"
sync
expect_beadm 1 "with ESP 2 in GRUB mode, check exits 1" -r $R check
check "check says ESP 2 is in GRUB mode" grep -qxF \
	"problem: ESP ${ESP_UUID[2]} is in GRUB mode (it holds EFI/proxmox/grubx64.efi): GRUB boots from it and ignores beadm's systemd-boot entries — fix: beadm does not drive GRUB yet: boot environments on this ESP need the systemd-boot mode of proxmox-boot-tool" \
	"$T_TMP/stdout"
check "... and that ESP 1 boots be2" grep -qxF \
	"ok: ESP ${ESP_UUID[1]} boots be2 by default (loader.conf: default beadm-be2@*)" "$T_TMP/stdout"
# Every command that would write systemd-boot entries or a default there
# refuses before it changes anything.
BEFORE=$(pool_state $P; pool_bootfs $P)
for n in 1 2; do esp_files $n >"$T_TMP/grub$n.before"; done
expect_beadm 9 "GRUB mode: create refuses (exit 9)" -r $R create be4
check "... saying which ESP and why" grep -qF "ESP ${ESP_UUID[2]} is in GRUB mode (it holds EFI/proxmox/grubx64.efi)" "$T_TMP/stderr"
expect_beadm 9 "GRUB mode: activate refuses" -r $R activate be3
expect_beadm 9 "GRUB mode: activate --try refuses" -r $R activate --try be3
expect_beadm 9 "GRUB mode: refresh refuses" -r $R refresh
expect_beadm 9 "GRUB mode: init refuses" -r $R init
expect_eq "GRUB mode: the refusals changed no dataset, property or bootfs" "$(pool_state $P; pool_bootfs $P)" "$BEFORE"
for n in 1 2; do
	esp_files $n >"$T_TMP/grub$n.after"
	check "GRUB mode: the refusals changed no file on ESP $n" diff "$T_TMP/grub$n.before" "$T_TMP/grub$n.after"
done
rm -f "${ESP_DIR[2]}/EFI/proxmox/grubx64.efi"
sync

# A machine not started by UEFI (legacy BIOS: no /sys/firmware/efi):
# proxmox-boot-tool runs every ESP in GRUB mode, and its refresh leaves
# loader.conf alone.
uefi_firmware off
expect_beadm 1 "without UEFI firmware, check exits 1" -r $R check
for n in 1 2; do
	check "check says ESP $n is in GRUB mode, the machine not started by UEFI" grep -qxF \
		"problem: ESP ${ESP_UUID[$n]} is in GRUB mode (this machine did not start by UEFI (no /sys/firmware/efi)): GRUB boots from it and ignores beadm's systemd-boot entries — fix: beadm does not drive GRUB yet: boot environments need the machine started by UEFI, where proxmox-boot-tool uses systemd-boot" \
		"$T_TMP/stdout"
done
BEFORE=$(pool_state $P; pool_bootfs $P)
for n in 1 2; do esp_files $n >"$T_TMP/bios$n.before"; done
expect_beadm 9 "no UEFI: create refuses (exit 9)" -r $R create be4
check "... saying why" grep -qF "ESP ${ESP_UUID[1]} is in GRUB mode (this machine did not start by UEFI (no /sys/firmware/efi))" "$T_TMP/stderr"
expect_beadm 9 "no UEFI: activate refuses" -r $R activate be3
expect_beadm 2 "no UEFI: activate -t refuses (no EFI variables for a one-shot boot)" -r $R activate -t be3
check "... saying why" grep -qF "(was this system booted through UEFI?); nothing was changed" "$T_TMP/stderr"
expect_beadm 9 "no UEFI: activate --try refuses" -r $R activate --try be3
expect_beadm 9 "no UEFI: refresh refuses" -r $R refresh
expect_beadm 9 "no UEFI: init refuses" -r $R init
"$PBT" refresh >"$T_TMP/pbt.out" 2>&1
check "no UEFI: proxmox-boot-tool refresh takes the GRUB path (not modelled: skipped)" \
	grep -q "is in GRUB mode" "$T_TMP/pbt.out"
expect_eq "no UEFI: the refusals changed no dataset, property or bootfs" "$(pool_state $P; pool_bootfs $P)" "$BEFORE"
for n in 1 2; do
	esp_files $n >"$T_TMP/bios$n.after"
	check "no UEFI: nothing changed a file on ESP $n" diff "$T_TMP/bios$n.before" "$T_TMP/bios$n.after"
done
uefi_firmware on
expect_beadm 0 "started by UEFI again, check passes" -r $R check
expect_eq "bootfs still names be2" "$(pool_bootfs $P)" "$R/be2"

done_testing
