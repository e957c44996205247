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
#   apt_upgrade_helper   apt upgrades proxmox-kernel-helper: real apt-get
#                        and dpkg install a package of that name whose
#                        postinst does what the real one's does (9.x and
#                        8.x: configure and triggered run
#                        `proxmox-boot-tool reinit || true`); with
#                        contrib/apt/80beadm in /etc/apt/apt.conf.d, as make
#                        install puts it (the scenario's part), apt runs
#                        beadm's Pre- and Post-Invoke hooks itself.  dpkg's and apt's state
#                        are writable copies (the VM's / is read-only), the
#                        package has no files, and its postinst names the
#                        stand-in proxmox-boot-tool by its path (the real
#                        one's is /usr/sbin, found on PATH).
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

PVE_VAR_MOUNTS=""
PKH_VERSION=0	# each apt_upgrade_helper installs the next version

pve_cleanup() {
	local m
	for m in $PVE_VAR_MOUNTS; do umount "$m" 2>/dev/null || umount -l "$m"; done
	PVE_VAR_MOUNTS=""
	[ -n "$PVE_ETC" ] || return 0
	umount /etc 2>/dev/null || umount -l /etc
	umount "$PVE_ETC" 2>/dev/null || umount -l "$PVE_ETC"
	PVE_ETC=""
}

# _writable_copy DIR: a tmpfs holding a copy of DIR, mounted over it.
_writable_copy() {
	local copy=$T_TMP/writable${1//\//_}
	mkdir -p "$copy" "$1" &&
		mount -t tmpfs -o mode=755 beadm-test-var "$copy" &&
		cp -a "$1/." "$copy/" &&
		mount --bind "$copy" "$1" || return 1
	PVE_VAR_MOUNTS="$1 $copy $PVE_VAR_MOUNTS"
}

apt_upgrade_helper() {
	local pkg=$T_TMP/pkh d
	if [ -z "$PVE_VAR_MOUNTS" ]; then
		for d in /var/lib/dpkg /var/lib/apt /var/cache/apt /var/log; do
			_writable_copy "$d" || { echo "cannot make $d writable"; return 1; }
		done
	fi
	PKH_VERSION=$((PKH_VERSION + 1))
	rm -rf "$pkg"
	mkdir -p "$pkg/DEBIAN" /etc/apt/apt.conf.d || return 1
	cat >"$pkg/DEBIAN/control" <<-EOF
		Package: proxmox-kernel-helper
		Version: 9.0.$PKH_VERSION
		Architecture: all
		Maintainer: beadm tests <tests@beadm.invalid>
		Description: stand-in for Proxmox's proxmox-kernel-helper postinst
	EOF
	cat >"$pkg/DEBIAN/postinst" <<-EOF
		#!/bin/sh
		set -e
		case "\$1" in
		configure|triggered) $PBT reinit || true ;;
		esac
		exit 0
	EOF
	chmod 755 "$pkg/DEBIAN/postinst"
	dpkg-deb --root-owner-group --build "$pkg" "$T_TMP/pkh.deb" >/dev/null || return 1
	DEBIAN_FRONTEND=noninteractive PATH="$(dirname "$BEADM"):$PATH" \
		apt-get install -y -q "$T_TMP/pkh.deb"
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
