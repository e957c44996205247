#!/bin/bash
# A BE's contents are not trusted (imported, unpacked from a tarball,
# upgraded in a chroot, or compromised): nothing in it leads beadm, running
# as root, out of it.  A kernel that is a link to a host file gets no entry
# and no byte of that file reaches the ESPs; a /boot that is a link to a
# host directory is refused by activate and kernel add, which write
# nothing there; a link on the way to where one of the BE's datasets
# mounts makes beadm mount refuse, mounting nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

P=t4080a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve
expect_beadm 0 "init succeeds" -r $R init

# The host's files, which the links in the BEs name by absolute path.
HOST=$T_TMP/host
mkdir -p "$HOST/boot" "$HOST/target"
SECRET="the host's secret $RANDOM$RANDOM"
echo "$SECRET" >"$HOST/secret"
cp "$HOST/secret" "$HOST/boot/vmlinuz-6.1.0-7-pve"
cp "$HOST/secret" "$HOST/boot/initrd.img-6.1.0-7-pve"
host_state() { (cd "$HOST" && find . -printf '%p %y %s\n' | sort); }
host_state >"$T_TMP/host.before"
secret_on_esps() { esp_mount 1 && esp_mount 2 && grep -rlF "$SECRET" "${ESP_DIR[1]}" "${ESP_DIR[2]}"; }

# --- a kernel that is a link to a host file ---------------------------------
expect_beadm 0 "create be2 succeeds" -r $R create be2
_be_dir $R/be2
ln -s "$HOST/secret" "$BE_DIR/boot/vmlinuz-6.1.0-8-pve"
ln -s "$HOST/secret" "$BE_DIR/boot/initrd.img-6.1.0-8-pve"
_be_release
expect_beadm 0 "activate be2 succeeds" -r $R activate be2
for n in 1 2; do
	expect_eq "ESP $n: be2's entries are for its regular kernel only" \
		"$(esp_entry_files $n 'beadm-be2@*' | paste -sd' ')" "beadm-be2@6.1.0-1-pve.conf"
done
expect_eq "no byte of the host's file is on an ESP" "$(secret_on_esps)" ""
run_beadm -r $R kernel list -H be2
expect_eq "kernel list shows no kernel for the links" "$(cut -f1 "$T_TMP/stdout")" "6.1.0-1-pve"

# --- a /boot that is a link to a host directory -----------------------------
expect_beadm 0 "create be3 succeeds" -r $R create be3
_be_dir $R/be3
rm -rf "$BE_DIR/boot"
ln -s "$HOST/boot" "$BE_DIR/boot"
_be_release
for n in 1 2; do esp_files $n >"$T_TMP/esp$n.before"; done
expect_beadm 1 "activate be3 fails" -r $R activate be3
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
	"beadm: the /boot of boot environment 'be3' is a symbolic link that leads to nothing inside it"
expect_eq "... and be2 still boots" "$(pool_bootfs $P)" "$R/be2"
for n in 1 2; do
	esp_files $n >"$T_TMP/esp$n.after"
	check "... and ESP $n is as it was" diff "$T_TMP/esp$n.before" "$T_TMP/esp$n.after"
done
_be_dir $R/pve-1
expect_beadm 1 "kernel add be3 PATH fails" -r $R kernel add be3 "$BE_DIR/boot/vmlinuz-6.1.0-1-pve" \
	--initrd "$BE_DIR/boot/initrd.img-6.1.0-1-pve" --version 6.1.0-9-pve
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
	"beadm: the /boot of boot environment 'be3' is a symbolic link that leads to nothing inside it"
_be_release
expect_eq "no byte of the host's file is on an ESP" "$(secret_on_esps)" ""

# --- a link on the way to a dataset's mount point ---------------------------
zfs create -o canmount=noauto $R/be3/data
_be_dir $R/be3
ln -s "$HOST/target" "$BE_DIR/data" 2>/dev/null || { rmdir "$BE_DIR/data"; ln -s "$HOST/target" "$BE_DIR/data"; }
_be_release
mkdir -p /tmp/t4080-mnt
cp /proc/self/mounts "$T_TMP/mounts.before"
expect_beadm 9 "mount be3 refuses (exit 9)" -r $R mount be3 /tmp/t4080-mnt
expect_eq "... saying why" "$(cat "$T_TMP/stderr")" \
	"beadm: cannot mount $R/be3/data at /tmp/t4080-mnt/data: a symbolic link inside the boot environment is on the way, which could lead out of it; nothing was mounted"
check "... and mounts nothing" cmp /proc/self/mounts "$T_TMP/mounts.before"

host_state >"$T_TMP/host.after"
check "nothing of the host's was changed" diff "$T_TMP/host.before" "$T_TMP/host.after"

done_testing
