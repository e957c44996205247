#!/bin/bash
# beadm create --empty makes a BE that is cloned from nothing, laid out like
# the others; beadm install fills a new BE from a root file-system tarball
# (.tar, .tar.gz, .tar.xz, .tar.zst) with contents, modes and owners kept,
# and leaves it unmounted and ready: activated, its kernels get entries on
# both ESPs.  A truncated or corrupt tarball, one that reaches outside the
# BE, and a SIGTERM halfway each fail with one clear error and leave no BE
# (--keep-failed keeps it); refusals change nothing; --copy-config copies
# the running system's hostid, kernel command line, ESP UUIDs and the fstab
# lines of file systems outside the BEs.
#
# The tarballs are made here with the host's tar, gzip, xz and zstd (the
# VM's / is the host's).  The VM's / is read-only, so --copy-config reads a
# fake running system from BEADM_TEST_SYSTEM_ROOT instead of /.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp.sh"

# An install adds no private mount point in /tmp (lib.sh's tmpdirs).
TMPDIRS_BEFORE=$(tmpdirs)

for tool in tar gzip xz zstd; do
	command -v $tool >/dev/null || { echo "Bail out! $tool is missing in the VM"; exit 100; }
done

P=t6000a
R=$P/ROOT
fixture proxmox $P
export BEADM_TEST_ROOTFS=$R/pve-1
# A setting of the BE root that a new BE must inherit; lz4 also turns the
# zeros of the interrupt test below into holes.
zfs set compression=lz4 $R
K=6.1.0-7-amd64

# --- create --empty ----------------------------------------------------------
expect_beadm 0 "create --empty e1 succeeds" -r $R create --empty -d "for a new system" e1
expect_eq "e1 is not a clone (origin -)" "$(prop $R/e1 origin)" "-"
expect_eq "e1 has mountpoint / as the other BEs, set on itself" \
	"$(prop $R/e1 mountpoint)/$(prop_source $R/e1 mountpoint)" "$(prop $R/pve-1 mountpoint)/local"
expect_eq "e1 is canmount=noauto and not mounted" "$(prop $R/e1 canmount)/$(prop $R/e1 mounted)" noauto/no
expect_eq "e1 inherits the BE root's settings" "$(prop $R/e1 compression)/$(prop_source $R/e1 compression)" \
	"lz4/inherited from $R"
expect_eq "e1 has its description" "$(prop $R/e1 beadm:description)" "for a new system"
mkdir -p "$T_TMP/m"
expect_beadm 0 "e1 mounts" -r $R mount e1 "$T_TMP/m"
expect_eq "e1 is empty" "$(ls -A "$T_TMP/m")" ""
expect_beadm 0 "e1 unmounts" -r $R umount e1
remember_state $P
expect_beadm 5 "create --empty refuses a taken name" -r $R create --empty e1
expect_beadm 3 "create --empty refuses a bad name" -r $R create --empty 'bad/name'
expect_beadm 2 "create --empty refuses -e" -r $R create --empty -e pve-1 e2
expect_unchanged "create --empty refusals"
expect_beadm 0 "an empty BE destroys" -r $R destroy -y e1

# --- the tarballs --------------------------------------------------------------
S=$T_TMP/stage
mkdir -p "$S"/{etc,bin,sbin,boot,tmp,usr/share}
echo t6000 >"$S/etc/hostname"
printf 'proc /proc proc defaults 0 0\nUUID=0000-0001 /boot/efi vfat umask=0077 0 1\n' >"$S/etc/fstab"
ln -s /usr/share/zoneinfo/Etc/UTC "$S/etc/localtime"
ln -s ../etc/hostname "$S/usr/share/name"
printf '#!/bin/sh\necho init\n' >"$S/sbin/init"
chmod 755 "$S/sbin/init"
echo su >"$S/bin/su"
chown 1234:1234 "$S/bin/su"
chmod 4755 "$S/bin/su"	# after chown, which clears set-id bits
chmod 1777 "$S/tmp"
_fake_file "vmlinuz-$K" 512 && cp "$FAKE_FILE" "$S/boot/vmlinuz-$K"
_fake_file "initrd.img-$K" 128 && cp "$FAKE_FILE" "$S/boot/initrd.img-$K"
# tree DIR: every path with its type, mode, owner, link target; file sizes.
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m %U:%G %l\n' &&
		find . -type f -printf '%p %s\n') | LC_ALL=C sort
}
tree "$S" >"$T_TMP/tree.want"
A=$T_TMP/arch
mkdir -p "$A"
tar -C "$S" -cf "$A/root.tar" .
gzip -c "$A/root.tar" >"$A/root.tar.gz"
xz -c "$A/root.tar" >"$A/root.tar.xz"
zstd -q -c "$A/root.tar" >"$A/root.tar.zst"

# installed BE: the checks for a BE installed from the stage.
installed() {
	local be=$1 what=$2
	expect_eq "$what: $be is not a clone, canmount=noauto, not mounted" \
		"$(prop $R/$be origin)/$(prop $R/$be canmount)/$(prop $R/$be mounted)" "-/noauto/no"
	expect_eq "$what: no temporary mount point is left" "$(tmpdirs)" "$TMPDIRS_BEFORE"
	run_beadm -r $R mount "$be" "$T_TMP/m"
	tree "$T_TMP/m" >"$T_TMP/tree.got"
	check "$what: every file, link and directory with its type, mode, owner and size" \
		diff "$T_TMP/tree.want" "$T_TMP/tree.got"
	check "$what: the kernel's bytes" cmp "$S/boot/vmlinuz-$K" "$T_TMP/m/boot/vmlinuz-$K"
	check "$what: nothing was copied from the running system" test ! -e "$T_TMP/m/etc/hostid"
	run_beadm -r $R umount "$be"
}

for ext in tar tar.gz tar.xz tar.zst; do
	be=from-${ext//./-}
	expect_beadm 0 "install $be from a .$ext succeeds" -r $R install "$be" "$A/root.$ext"
	check "install .$ext: says what it did" grep -q "Installed BE '$be'" "$T_TMP/stdout"
	installed "$be" ".$ext"
done

# --- failures: nothing is left ------------------------------------------------
size=$(stat -c %s "$A/root.tar")
head -c $((size / 2)) "$A/root.tar" >"$A/truncated.tar"
head -c 5000 /dev/urandom >"$A/garbage.tar.gz"
# failed WHAT NEWBE FILE: install fails with one line, leaving nothing.
failed() {
	local what=$1 be=$2 file=$3
	remember_state $P
	run_beadm -r $R install "$be" "$file"
	expect_eq "$what: install fails with exit 1" "$RC" 1
	expect_eq "$what: one error line" "$(wc -l <"$T_TMP/stderr")" 1
	[ "$(wc -l <"$T_TMP/stderr")" -eq 1 ] || evidence "$T_TMP/stderr"
	check "$what: no BE $be" test -z "$(zfs list -H -o name $R/$be 2>/dev/null)"
	expect_unchanged "$what"
	expect_eq "$what: no temporary mount point is left" "$(tmpdirs)" "$TMPDIRS_BEFORE"
}
failed "a truncated tarball" trunc "$A/truncated.tar"
check "a truncated tarball: the error says truncated and that the BE was destroyed" \
	grep -qi "truncated.*destroyed" "$T_TMP/stderr"
failed "a corrupt tarball" garbage "$A/garbage.tar.gz"
check "a corrupt tarball: the error says why" grep -q "not a tar archive" "$T_TMP/stderr"

expect_beadm 1 "--keep-failed: a truncated tarball still fails" -r $R install --keep-failed kept "$A/truncated.tar"
check "--keep-failed: the half-made BE is kept" exists $R/kept
check "--keep-failed: the error says so" grep -q "is kept (--keep-failed)" "$T_TMP/stderr"
expect_eq "--keep-failed: the kept BE is not mounted" "$(prop $R/kept mounted)" no
expect_beadm 0 "--keep-failed: the kept BE destroys" -r $R destroy -y kept

# Entries that reach outside the BE: '../' and absolute paths.
mkdir -p "$T_TMP/w/sub"
echo evil >"$T_TMP/w/t6000-evil"
(cd "$T_TMP/w/sub" && tar -cPf "$A/dotdot.tar" ../t6000-evil 2>/dev/null)
tar -cPf "$A/absolute.tar" "$T_TMP/w/t6000-evil" 2>/dev/null
rm -f "$T_TMP/w/t6000-evil"
failed "an archive with ../" dotdot "$A/dotdot.tar"
failed "an archive with an absolute path" absolute "$A/absolute.tar"
check "nothing was written outside the BE" test ! -e /tmp/t6000-evil -a ! -e "$T_TMP/w/t6000-evil"

# --- refusals change nothing ---------------------------------------------------
remember_state $P
expect_beadm 5 "install refuses a taken name" -r $R install pve-1 "$A/root.tar"
expect_beadm 3 "install refuses a bad name" -r $R install 'bad/name' "$A/root.tar"
expect_beadm 4 "install refuses a missing file" -r $R install new "$A/nope.tar"
expect_beadm 2 "install refuses an unknown kind of source" -r $R install new http://example.org/root.tar
expect_beadm 2 "install refuses a directory" -r $R install new "$A"
expect_beadm 2 "install wants NEWBE and SOURCE" -r $R install new
expect_unchanged "install refusals"

# --- an interrupt removes the half-made BE -------------------------------------
# 1 GiB of zeros: a few kilobytes of zstd, seconds to write out.
truncate -s 1G "$T_TMP/w/zeros"
tar -C "$T_TMP/w" -cf - zeros | zstd -q -1 -T0 -c >"$A/big.tar.zst"
rm -f "$T_TMP/w/zeros"
remember_state $P
"$BEADM" -r $R install big "$A/big.tar.zst" >"$T_TMP/stdout" 2>"$T_TMP/stderr" </dev/null &
pid=$!
for i in $(seq 100); do exists $R/big && break; sleep 0.1; done
sleep 0.5
kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_eq "SIGTERM: beadm ends by the signal (exit 143)" "$rc" 143
check "SIGTERM: it says it was interrupted and destroyed the BE" grep -q "interrupted.*destroyed" "$T_TMP/stderr"
expect_unchanged "SIGTERM"
expect_eq "SIGTERM: no temporary mount point is left" "$(tmpdirs)" "$TMPDIRS_BEFORE"

# --- --copy-config ---------------------------------------------------------------
SYS=$T_TMP/system
mkdir -p "$SYS/etc/kernel"
printf '\x01\x02\x03\x04' >"$SYS/etc/hostid"
echo "root=ZFS=$R/pve-1 boot=zfs quiet" >"$SYS/etc/kernel/cmdline"
printf '1234-ABCD\n5678-EF01\n' >"$SYS/etc/kernel/proxmox-boot-uuids"
cat >"$SYS/etc/fstab" <<FSTAB
# the running system's fstab
$R/pve-1 / zfs defaults 0 0
$R/pve-1/var /var zfs defaults 0 0
$P/data /data zfs defaults 0 0
UUID=0000-0001 /boot/efi vfat defaults 0 1
/dev/zvol/$P/swap none swap sw 0 0
FSTAB
BEADM_TEST_SYSTEM_ROOT=$SYS expect_beadm 0 "install --copy-config succeeds" \
	-r $R install --copy-config conf "$A/root.tar.gz"
for f in hostid kernel/cmdline kernel/proxmox-boot-uuids; do
	check "--copy-config: says it copied /etc/$f" grep -q "copied /etc/$f" "$T_TMP/stdout"
done
run_beadm -r $R mount conf "$T_TMP/m"
for f in hostid kernel/cmdline kernel/proxmox-boot-uuids; do
	check "--copy-config: /etc/$f is the running system's" cmp "$SYS/etc/$f" "$T_TMP/m/etc/$f"
done
expect_eq "--copy-config: fstab keeps its own lines and gets those of file systems outside the BEs" \
	"$(grep -v '^#' "$T_TMP/m/etc/fstab")" "proc /proc proc defaults 0 0
UUID=0000-0001 /boot/efi vfat umask=0077 0 1
$P/data /data zfs defaults 0 0
/dev/zvol/$P/swap none swap sw 0 0"
check "--copy-config: no temporary file is left in /etc" test -z "$(find "$T_TMP/m/etc" -name '*.beadm-tmp')"
run_beadm -r $R umount conf
BEADM_TEST_SYSTEM_ROOT=$T_TMP/nothing expect_beadm 0 "--copy-config with nothing to copy succeeds" \
	-r $R install --copy-config conf2 "$A/root.tar"
not_copied() { ! grep -q copied "$T_TMP/stdout"; }
check "--copy-config with nothing to copy: nothing is said to be copied" not_copied

# --- activated, the installed BE boots from both ESPs ----------------------------
esp_setup $P 2
fake_kernels $R/pve-1 6.1.0-1-pve
expect_beadm 0 "init on the ESPs succeeds" -r $R init
expect_beadm 0 "install onto a system with ESPs succeeds" -r $R install inst "$A/root.tar.xz"
expect_beadm 0 "activate the installed BE succeeds" -r $R activate inst
expect_eq "activate: bootfs names it" "$(pool_bootfs $P)" "$R/inst"
for n in 1 2; do
	check "ESP $n is consistent" esp_check $n
	check "ESP $n has the installed BE's entry" test -f "${ESP_DIR[n]}/loader/entries/beadm-inst@$K.conf"
	expect_eq "ESP $n: the entry boots the installed kernel" \
		"$(entry_field $n "beadm-inst@$K.conf" linux)" "/beadm/store/$(kernel_hash $K vmlinuz)"
	expect_eq "ESP $n: loader.conf boots it" "$(esp_default $n)" "beadm-inst@*"
done
check "both ESPs hold the same beadm files" esp_same

done_testing
