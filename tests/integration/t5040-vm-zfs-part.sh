#!/bin/bash
# beadm vm: the BE boots as a throwaway clone, mounted with all its
# datasets, never the BE itself; after a pass, a failure, a timeout, QEMU's
# death or SIGTERM no clone, snapshot, mount or directory of beadm's is
# left; --keep leaves the clone as an ordinary BE; refusals change nothing;
# without --kernel the kernel is the one the BE boots by default (pinned).
# QEMU is a fake (BEADM_QEMU) that checks what beadm hands it and plays the
# guest's part on the serial console: the test VM cannot run a guest.
. "$(dirname "$0")/lib.sh"

P=t5040a
R=$P/ROOT
K=6.1.0-99-amd64
fixture deep $P
mp=$(zfs get -H -o value mountpoint $R/default)

# The fake QEMU: records its arguments, where its -virtfs path comes from
# and what is below it, then acts as $T_TMP/mode says.
cat >"$T_TMP/qemu" <<FAKE
#!/bin/bash
out=$T_TMP
FAKE
cat >>"$T_TMP/qemu" <<'FAKE'
printf '%s\n' "$@" >"$out/qemu.args"
root= kernel= initrd= prev=
for a; do
	case $prev in
	-kernel) kernel=$a ;;
	-initrd) initrd=$a ;;
	-virtfs) root=${a#local,path=}; root=${root%%,mount_tag=*} ;;
	esac
	prev=$a
done
awk -v d="$root" '$3 == "zfs" && $2 == d { print $1 }' /proc/self/mounts >"$out/qemu.rootds"
ds=$(cat "$out/qemu.rootds")
zfs get -H -o value beadm:vm "$ds" >"$out/qemu.mark" 2>&1
cat "$root/usr/.fixture" >"$out/qemu.usr" 2>&1
echo "$kernel" >"$out/qemu.kernel"
cmp "$kernel" "$out/kernel.orig" >"$out/qemu.kernelcmp" 2>&1 && echo same >>"$out/qemu.kernelcmp"
cp "$initrd" "$out/qemu.initrd"
echo "[    0.000000] Linux version 6.1.0-99-amd64 (fake)"
case $(cat "$out/mode") in
pass) echo "beadm-vm: booted degraded failed: a.service b.service"; exec sleep 60 ;;
fail) echo "beadm-vm: failed: cannot mount the 9p share beadmroot as the root: No such device"; exit 0 ;;
hang) echo "systemd[1]: waiting for something"; exec sleep 60 ;;
die) echo "qemu-system-x86_64: -virtfs local: no 9p here" >&2; exit 1 ;;
esac
FAKE
chmod +x "$T_TMP/qemu"
export BEADM_QEMU=$T_TMP/qemu

tmpdirs() { ls -d /tmp/beadm.* /tmp/beadm-vmrun.* 2>/dev/null | wc -l; }
vm_mounts() { awk -v r="$R/" '$3 == "zfs" && index($1, r "default-vm-") == 1' /proc/self/mounts; }
# left_nothing WHAT: the pool is as it was, nothing of a clone is mounted,
# no directory of beadm's is left.
left_nothing() {
	expect_unchanged "$1"
	expect_eq "$1: no clone is mounted" "$(vm_mounts)" ""
	expect_eq "$1: no directory of beadm's is left in /tmp" "$(tmpdirs)" "$ntmp"
}
ntmp=$(tmpdirs)
# The console log a failed --check keeps and names; drop_log removes it.
console_log() { sed -n 's/^the whole console log: //p' "$T_TMP/stderr"; }
drop_log() { local log; log=$(console_log); [ -z "$log" ] || rm -rf "$(dirname "$log")"; }

# --- a BE without a kernel ---------------------------------------------------
remember_state $P
expect_beadm 4 "a BE without a kernel is refused" -r $R vm --check --accel tcg default
check "... saying so" grep -q "^beadm: cannot boot boot environment 'default': no kernel to boot: found no boot/vmlinuz-VERSION" "$T_TMP/stderr"
check_fails "... without running QEMU" test -e "$T_TMP/qemu.args"
left_nothing "no kernel"

# The BE's kernel: vmlinuz in the BE's own dataset, modules in its usr
# dataset (so they are only there when the clone is mounted deep).  9p and
# 9pnet_virtio are modules, compressed or not; virtio_pci is built in.
mkdir -p "$mp/boot" "$mp/usr/lib/modules/$K/kernel/net/9p" "$mp/usr/lib/modules/$K/kernel/fs/9p" \
    "$mp/usr/lib/modules/$K/kernel/fs/netfs"
head -c 100000 /dev/urandom >"$mp/boot/vmlinuz-$K"
cp "$mp/boot/vmlinuz-$K" "$T_TMP/kernel.orig"
: >"$mp/boot/vmlinuz-6.1.0-9-amd64"	# older, and without modules: never chosen
md=$mp/usr/lib/modules/$K
cat >"$md/modules.dep" <<'DEP'
kernel/net/9p/9pnet.ko.xz:
kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz
kernel/fs/netfs/netfs.ko:
kernel/fs/9p/9p.ko: kernel/fs/netfs/netfs.ko kernel/net/9p/9pnet.ko.xz
DEP
printf '%s\n' kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_pci.ko >"$md/modules.builtin"
for m in net/9p/9pnet.ko.xz net/9p/9pnet_virtio.ko.xz fs/netfs/netfs.ko fs/9p/9p.ko; do
	echo "module $m" >"$md/kernel/$m"
done
zfs snapshot -r $R/default@mine
remember_state $P

# --- pass ----------------------------------------------------------------------
echo pass >"$T_TMP/mode"
expect_beadm 0 "vm --check passes when the guest reports its boot" -r $R vm --check --accel tcg default
check "... printing the verdict with state, failed units and accelerator" grep -qxE \
    "pass: boot environment 'default' booted to its default target in [0-9]+ s \(state: degraded, failed units: a.service b.service\) \[tcg\]" \
    "$T_TMP/stdout"
check "QEMU booted a clone named after the BE" grep -qxE "$R/default-vm-[a-z0-9]{6}" "$T_TMP/qemu.rootds"
expect_eq "... marked as beadm's test clone" "$(cat "$T_TMP/qemu.mark")" yes
expect_eq "... mounted with its datasets (usr from the BE's usr)" "$(cat "$T_TMP/qemu.usr")" "$R/default/usr"
check "... with the BE's newest kernel that has modules" grep -qx "same" "$T_TMP/qemu.kernelcmp"
check "... read from the clone, not the BE" grep -qE "^/tmp/beadm\.[A-Za-z0-9]{6}/boot/vmlinuz-$K\$" "$T_TMP/qemu.kernel"
check "... shared over 9p from the clone's mountpoint" \
    grep -qxE 'local,path=/tmp/beadm\.[A-Za-z0-9]{6},mount_tag=beadmroot,security_model=passthrough,multidevs=remap' "$T_TMP/qemu.args"
# The BE's kernel has no virtiofs module: auto shares the root over 9p.
check "... over 9p under --share auto, saying why not virtiofs" \
    grep -q "^beadm vm: root shared over 9p (not virtiofs: " "$T_TMP/stderr"
for a in -no-reboot none "console=ttyS0 panic=-1 beadm.root=beadmroot beadm.rootfs=9p fstab=no rw" tcg q35 1024 2; do
	check "... QEMU's arguments include '$a'" grep -qxF -- "$a" "$T_TMP/qemu.args"
done
(cd "$T_TMP" && mkdir -p initrd && cd initrd && cpio -id --quiet <../qemu.initrd) 
check "the initramfs has beadm's static /init" cmp "$T_TMP/initrd/init" "$(dirname "$BEADM")/beadm-vm-init"
expect_eq "... and the 9p modules in load order, built-in ones left out" "$(cat "$T_TMP/initrd/beadm-modules")" \
    "$(printf '/lib/modules/%s/kernel/%s\n' $K net/9p/9pnet.ko.xz $K net/9p/9pnet_virtio.ko.xz $K fs/netfs/netfs.ko $K fs/9p/9p.ko)"
check "... copied from the BE" grep -qx "module fs/9p/9p.ko" "$T_TMP/initrd/lib/modules/$K/kernel/fs/9p/9p.ko"
left_nothing "after a pass"
check "the BE's files are as they were" cmp "$mp/boot/vmlinuz-$K" "$T_TMP/kernel.orig"

# --- failures --------------------------------------------------------------------
echo fail >"$T_TMP/mode"
expect_beadm 1 "vm --check fails when the guest's init reports a failure" -r $R vm --check --accel tcg default
expect_eq "... giving its reason" "$(cat "$T_TMP/stdout")" \
    "fail: the initramfs failed: cannot mount the 9p share beadmroot as the root: No such device"
log=$(console_log)
check "... and the path of the console log, which has the console" grep -q "Linux version" "$log"
drop_log
left_nothing "after a failure"

echo hang >"$T_TMP/mode"
expect_beadm 1 "vm --check fails when the guest says nothing in time" -r $R vm --check --accel tcg --timeout 10 default
expect_eq "... saying so" "$(cat "$T_TMP/stdout")" "fail: no report from the guest within 10 s"
check "... showing the last console lines" grep -qx "systemd\[1\]: waiting for something" "$T_TMP/stderr"
drop_log
left_nothing "after a timeout"

echo die >"$T_TMP/mode"
expect_beadm 1 "vm --check fails when QEMU exits before the boot ends" -r $R vm --check --accel tcg default
expect_eq "... saying so" "$(cat "$T_TMP/stdout")" "fail: QEMU exited with status 1 before the system finished booting"
check "... showing QEMU's message" grep -q "no 9p here" "$T_TMP/stderr"
drop_log
left_nothing "after QEMU died"

echo hang >"$T_TMP/mode"
rm -f "$T_TMP/qemu.args"
"$BEADM" -r $R vm --check --accel tcg --timeout 60 default >"$T_TMP/stdout" 2>"$T_TMP/stderr" &
pid=$!
for i in $(seq 100); do [ -s "$T_TMP/qemu.args" ] && break; sleep 0.1; done
sleep 0.5
kill -TERM $pid
RC=0; wait $pid || RC=$?
expect_eq "SIGTERM ends vm --check with a failure, then beadm dies of it" "$RC $(cat "$T_TMP/stdout")" "143 fail: interrupted"
drop_log
left_nothing "after SIGTERM"

BEADM_QEMU=$T_TMP/no-such-qemu run_beadm -r $R vm --check --accel tcg default
expect_eq "a missing QEMU is an error" "$RC" 1
check "... naming it" grep -q "cannot run $T_TMP/no-such-qemu" "$T_TMP/stderr"
left_nothing "without QEMU"

# --- refusals --------------------------------------------------------------------
expect_beadm 4 "vm of a BE that does not exist is refused" -r $R vm --check nosuch
expect_beadm 3 "vm of a bad name is refused" -r $R vm --check 'a@b'
expect_beadm 2 "--accel takes auto, kvm or tcg" -r $R vm --accel xen default
expect_beadm 2 "--share takes auto, virtiofs or 9p" -r $R vm --share nfs default
BEADM_VIRTIOFSD=$T_TMP/no-such-virtiofsd run_beadm -r $R vm --check --share virtiofs default
expect_eq "--share virtiofs without a virtiofsd is refused" "$RC" 1
check "... naming it" grep -q "cannot share the root over virtiofs: BEADM_VIRTIOFSD=$T_TMP/no-such-virtiofsd is not an executable" "$T_TMP/stderr"
BEADM_VIRTIOFSD=/bin/true run_beadm -r $R vm --check --share virtiofs default
expect_eq "--share virtiofs with a kernel without virtiofs is refused" "$RC" 1
check "... saying so" grep -q "kernel module virtiofs is neither in .* cannot mount a virtiofs root" "$T_TMP/stderr"
expect_beadm 2 "--timeout takes a number" -r $R vm --check --timeout soon default
expect_beadm 2 "--keep does not go with --root-dir" -r $R vm --keep --root-dir /tmp
expect_beadm 4 "--kernel must name a kernel the BE has" -r $R vm --check --kernel 6.1.0-9-amd64 default
check "... saying which" grep -q "no kernel 6.1.0-9-amd64" "$T_TMP/stderr"
left_nothing "refusals"

# --- --keep --------------------------------------------------------------------
echo pass >"$T_TMP/mode"
expect_beadm 0 "vm --check --keep passes" -r $R vm --check --keep --accel kvm default
check "... QEMU was asked for KVM" grep -qx kvm "$T_TMP/qemu.args"
kept=$(sed -n 's/^kept: \([^ ]*\) is a new boot environment.*/\1/p' "$T_TMP/stdout")
check "... and names the BE it kept" test -n "$kept"
expect_eq "... which is the clone that booted" "$R/$kept" "$(cat "$T_TMP/qemu.rootds")"
run_beadm -r $R list -H
check "... listed by beadm list" grep -q "^$kept	" "$T_TMP/stdout"
expect_eq "... unmounted" "$(prop $R/$kept mounted) $(prop $R/$kept/usr mounted)" "no no"
expect_eq "... without the mark of a test clone" "$(prop_source $R/$kept beadm:vm)" "-"
expect_eq "... a clone of the BE" "$(prop $R/$kept origin)" "$(zfs list -H -t snapshot -o name -s createtxg $R/default | tail -1)"
expect_eq "no directory of beadm's is left in /tmp" "$(tmpdirs)" "$ntmp"
expect_beadm 0 "the kept BE can be destroyed like any other" -r $R destroy -y "$kept"
expect_unchanged "after destroying the kept BE"

# --- which kernel: the one the BE boots by default ---------------------------------
# An older kernel with modules, pinned (beadm kernel pin sets the property):
# the test boot takes it, as the ESPs would; --kernel still chooses; a pinned
# kernel without modules cannot boot here, and the newest that has them does.
K2=6.1.0-50-amd64
{ cat "$mp/boot/vmlinuz-$K"; echo older; } >"$mp/boot/vmlinuz-$K2"
cp -a "$mp/usr/lib/modules/$K" "$mp/usr/lib/modules/$K2"
for k in $K $K2 6.1.0-9-amd64; do : >"$mp/boot/initrd.img-$k"; done
zfs set beadm:kernel-pin=$K2 $R/default
expect_beadm 0 "vm --check of a BE with a pinned older kernel passes" -r $R vm --check --accel tcg default
check "... booting the pinned kernel" grep -qE "/boot/vmlinuz-$K2\$" "$T_TMP/qemu.kernel"
expect_beadm 0 "vm --check --kernel $K passes" -r $R vm --check --accel tcg --kernel $K default
check "... booting the kernel --kernel names, not the pinned one" grep -qE "/boot/vmlinuz-$K\$" "$T_TMP/qemu.kernel"
zfs set beadm:kernel-pin=6.1.0-9-amd64 $R/default
expect_beadm 0 "vm --check with a pinned kernel that has no modules passes" -r $R vm --check --accel tcg default
check "... booting the newest kernel that has modules" grep -qE "/boot/vmlinuz-$K\$" "$T_TMP/qemu.kernel"
check "... saying why not the pinned one" grep -q \
    "^beadm vm: not the kernel boot environment 'default' boots by default: no kernel 6.1.0-9-amd64" "$T_TMP/stderr"
expect_eq "no clone is left mounted" "$(vm_mounts)" ""

done_testing
