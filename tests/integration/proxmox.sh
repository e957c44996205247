# tests/integration/proxmox.sh - Proxmox VE's own boot tools beside beadm,
# for the scenarios that let them act (t4050).  Sourced after esp.sh, with
# pve_etc_writable called before esp_setup:
#
#   pve_etc_writable     a writable copy of the VM's /etc over it (the VM's
#                        / is read-only; proxmox-kernel-helper and beadm
#                        write into /etc/initramfs).  Undone at exit.
#   pve_install POOL/ROOT/BE   proxmox-kernel-helper's hooks installed where
#                        the package puts them (tests/integration/
#                        proxmox-stand-in: what each models and how it
#                        differs), BE the running one; sets PBT (its
#                        proxmox-boot-tool).
#   kernel_postinst KVER a kernel package installed into the running BE
#                        (Debian's linux-image-* postinst, Debian 12 and
#                        13): its files in /boot, then DEB_MAINT_PARAMS=configure
#                        run-parts --arg=KVER --arg=/boot/vmlinuz-KVER
#                        /etc/kernel/postinst.d.  Left out: initramfs-tools'
#                        own postinst.d hook, which makes the initrd (here
#                        made with the kernel) and on Debian 13 runs
#                        post-update.d too: the same hooks once more (the
#                        end-to-end test runs the real one).
#   kernel_postrm KVER   removed: files gone, then postrm.d (remove).
#   update_initramfs_u   update-initramfs -u (initramfs-tools 0.142, 0.148):
#                        the newest kernel's initrd made anew, then
#                        run-parts --arg=KVER --arg=INITRD /etc/initramfs/post-update.d
#                        (INITRAMFS_TOOLS_KERNEL_HOOK unset: run by hand).
# Every hook in those directories runs, beadm's included, as the real
# packages run them; nothing here runs a beadm hook by itself.

PVE_STAND_IN=$TOP/tests/integration/proxmox-stand-in
PVE_ETC=""
T_CLEANUP="$T_CLEANUP pve_cleanup"

pve_etc_writable() {
	[ "$ESP_COUNT" -eq 0 ] || esp_die "pve_etc_writable must come before esp_setup"
	PVE_ETC=$T_TMP/etc
	mkdir -p "$PVE_ETC"
	mount -t tmpfs -o mode=755 beadm-test-etc "$PVE_ETC" &&
		cp -a /etc/. "$PVE_ETC/" &&
		mount --bind "$PVE_ETC" /etc || esp_die "cannot put a writable /etc over the VM's"
}

pve_cleanup() {
	[ -n "$PVE_ETC" ] || return 0
	umount /etc 2>/dev/null || umount -l /etc
	umount "$PVE_ETC" 2>/dev/null || umount -l "$PVE_ETC"
	PVE_ETC=""
}

pve_install() {
	local d
	_be_dir "$1" || esp_die "pve_install: cannot find $1 mounted"
	export PBT_BOOT=$BE_DIR/boot PBT_MOUNTROOT=$T_TMP/espmounts PBT_MOUNT_OPTS=${ESP_MOUNT_OPTS:-rw}
	for d in /etc/kernel/postinst.d /etc/kernel/postrm.d /etc/initramfs/post-update.d; do
		mkdir -p "$d" || esp_die "cannot make $d"
	done
	ln -s "$PVE_STAND_IN/proxmox-auto-removal" /etc/kernel/postinst.d/proxmox-auto-removal &&
		ln -s "$PVE_STAND_IN/zz-proxmox-boot" /etc/kernel/postinst.d/zz-proxmox-boot &&
		ln -s "$PVE_STAND_IN/zz-proxmox-boot" /etc/kernel/postrm.d/zz-proxmox-boot &&
		ln -s "$PVE_STAND_IN/proxmox-boot-sync" /etc/initramfs/post-update.d/proxmox-boot-sync ||
		esp_die "cannot install the proxmox-kernel-helper stand-in"
	PBT=$PVE_STAND_IN/proxmox-boot-tool
}

# The hooks find beadm on PATH, as on a host where it is installed.
_pve_path() { PATH="$(dirname "$BEADM"):$PATH" "$@"; }

kernel_postinst() {
	fake_kernels "$BEADM_TEST_ROOTFS" "$1" || return 1
	DEB_MAINT_PARAMS=configure _pve_path run-parts --report --exit-on-error \
		--arg="$1" --arg="/boot/vmlinuz-$1" /etc/kernel/postinst.d
}

kernel_postrm() {
	remove_kernels "$BEADM_TEST_ROOTFS" "$1" || return 1
	DEB_MAINT_PARAMS=remove _pve_path run-parts --report --exit-on-error \
		--arg="$1" --arg="/boot/vmlinuz-$1" /etc/kernel/postrm.d
}

update_initramfs_u() {
	local k
	k=$(ls "$PBT_BOOT" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
	[ -n "$k" ] || return 1
	head -c 65536 /dev/urandom >"$PBT_BOOT/initrd.img-$k" || return 1
	env -u INITRAMFS_TOOLS_KERNEL_HOOK PATH="$(dirname "$BEADM"):$PATH" \
		run-parts --arg="$k" --arg="/boot/initrd.img-$k" /etc/initramfs/post-update.d
}
