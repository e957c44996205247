#!/bin/bash
# proxmox-boot-tool refresh rewrites loader.conf (default proxmox-*) and its
# own entries; the kernel hook beadm init installs (contrib/zzz-beadm) then
# puts beadm's default back on every ESP, writes the running BE's entries
# for its new kernel, and leaves Proxmox's files exactly as Proxmox wrote
# them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4050a
R=$P/ROOT
HOOK=/etc/kernel/postinst.d/zzz-beadm
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve 6.1.0-2-pve

check_fails "no kernel hook before init" test -e $HOOK
expect_beadm 0 "init succeeds" -r $R init
check "init installs the kernel hook, byte-identical to contrib/zzz-beadm" cmp "$TOP/contrib/zzz-beadm" $HOOK
check "... executable (run-parts skips other files)" test -x $HOOK
echo "# local change" >>$HOOK
expect_beadm 0 "init again succeeds" -r $R init
check "... and keeps a hook that is there already" grep -qx "# local change" $HOOK
cp "$TOP/contrib/zzz-beadm" $HOOK

expect_beadm 0 "create be2 succeeds" -r $R create be2
expect_beadm 0 "activate be2 succeeds" -r $R activate be2
expect_eq "loader.conf boots be2" "$(esp_default 1)/$(esp_default 2)" 'beadm-be2@*/beadm-be2@*'

# A new kernel in the running BE, and what proxmox-boot-tool refresh does
# with it on each ESP: copy it, write an entry per kernel, reset loader.conf.
fake_kernels $R/pve-1 6.1.0-3-pve
for n in 1 2; do
	d=${ESP_DIR[n]}
	for k in 6.1.0-1-pve 6.1.0-3-pve; do
		mkdir -p "$d/EFI/proxmox/$k"
		echo "fake Proxmox kernel $k, refreshed" >"$d/EFI/proxmox/$k/vmlinuz-$k"
		echo "fake Proxmox initrd $k, refreshed" >"$d/EFI/proxmox/$k/initrd.img-$k"
		printf '%s\n' "title    Proxmox Virtual Environment" "version  $k" \
			"options  root=ZFS=$R/pve-1 boot=zfs" "linux    /EFI/proxmox/$k/vmlinuz-$k" \
			"initrd   /EFI/proxmox/$k/initrd.img-$k" >"$d/loader/entries/proxmox-$k.conf"
	done
	printf 'timeout 3\ndefault proxmox-*\n' >"$d/loader/loader.conf"
	esp_foreign_files $n >"$T_TMP/foreign$n.refreshed"
done
sync
expect_eq "after the refresh, loader.conf boots proxmox-*" "$(esp_default 1)/$(esp_default 2)" 'proxmox-*/proxmox-*'

# check tells the truth: what each ESP boots now, why, and the fix.
expect_beadm 1 "after the refresh, check finds problems (exit 1)" -r $R check
for n in 1 2; do
	check "check names ESP $n, what it boots, the likely cause and the fix" grep -qxF \
		"problem: ESP ${ESP_UUID[n]} boots pve-1 by default (loader.conf: default proxmox-*), not be2 as beadm set it: proxmox-boot-tool (its refresh, reinit, kernel pin or kernel hooks) rewrote loader.conf — fix: run 'beadm refresh' to write beadm's default back on every ESP" \
		"$T_TMP/stdout"
done

# The hook as the kernel's postinst runs it (run-parts, KVER and image).
if PATH="$(dirname "$BEADM"):$PATH" $HOOK 6.1.0-3-pve /boot/vmlinuz-6.1.0-3-pve \
	</dev/null >"$T_TMP/hook.out" 2>&1; then
	ok "the kernel hook succeeds"
else
	not_ok "the kernel hook succeeds (exit $?)"
	evidence "$T_TMP/hook.out"
fi
for n in 1 2; do
	expect_eq "ESP $n: loader.conf boots be2 again" "$(esp_default $n)" 'beadm-be2@*'
	check "ESP $n: loader.conf keeps its timeout line" grep -qx 'timeout 3' "${ESP_DIR[n]}/loader/loader.conf"
	esp_foreign_files $n >"$T_TMP/foreign$n.after"
	check "ESP $n: Proxmox's entries and kernels are byte-identical to what refresh wrote" \
		diff "$T_TMP/foreign$n.refreshed" "$T_TMP/foreign$n.after"
	expect_eq "ESP $n: the running BE's entries are for its newest two kernels" \
		"$(esp_entry_files $n 'beadm-pve-1@*' | paste -sd' ')" \
		"beadm-pve-1@6.1.0-2-pve.conf beadm-pve-1@6.1.0-3-pve.conf"
	expect_eq "ESP $n: be2's entries are unchanged" "$(esp_entry_files $n 'beadm-be2@*' | paste -sd' ')" \
		"beadm-be2@6.1.0-1-pve.conf beadm-be2@6.1.0-2-pve.conf"
	check "ESP $n is consistent" esp_check $n
done
check "both ESPs hold the same beadm files" esp_same
expect_beadm 0 "after the hook, check exits 0" -r $R check
for n in 1 2; do
	check "check says ESP $n boots be2" grep -qxF \
		"ok: ESP ${ESP_UUID[n]} boots be2 by default (loader.conf: default beadm-be2@*)" "$T_TMP/stdout"
done

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
rm -f "${ESP_DIR[2]}/EFI/proxmox/grubx64.efi"
sync
expect_eq "bootfs still names be2" "$(pool_bootfs $P)" "$R/be2"
expect_eq "beadm list marks be2 R" "$(active_bes $P R)" be2

done_testing
