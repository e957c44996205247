# Shared definitions for the test VM harness (sourced by tests/vm/build, run, zfs-root).
# Bash only.  Nothing here runs commands at source time except computing paths.

VM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
VM_DIR=$(dirname "$VM_LIB")
# The checkout is the tree tests/vm/ lives in (its git toplevel); computed from
# our own location rather than with git so that an exported tree works too.
VM_CHECKOUT=$(dirname "$(dirname "$VM_DIR")")

# Built artefacts live outside the checkout so that they survive `git clean`
# and are shared by every checkout on the machine.
VM_CACHE=${BEADM_TEST_CACHE:-/var/cache/beadm-test}
# Physical path: the guest sees host paths, not the host's symlinks to them.
[ -d "$VM_CACHE" ] && VM_CACHE=$(cd "$VM_CACHE" && pwd -P)

VM_SERIES_ALL="2.1 2.3"
VM_SERIES_DEFAULT=2.1	# Debian 12's own OpenZFS

# Kernel modules the guest needs besides ZFS, in the order we want them loaded
# (modprobe adds their dependencies).  virtio_pci first so the devices appear.
# virtio_net only serves tests/vm/run --net; without that there is no NIC.
VM_KMODS="virtio_pci virtio_blk virtio_console virtio_net 9pnet_virtio 9p loop vfat nls_cp437 nls_iso8859_1 nls_ascii"
VM_ZMODS="zfs"

# Messages name their script's part of the harness: VM_SAY_AS (vm, e2e).
VM_SAY_AS=${VM_SAY_AS:-vm}
vm_say() { echo "$VM_SAY_AS: $*" >&2; }
vm_die() { echo "$VM_SAY_AS: $*" >&2; exit "${VM_DIE_STATUS:-1}"; }

# logged COMMAND...: run it with its output appended to $LOG; on failure
# name the log, show its end and exit 1.
logged() {
	if ! "$@" >>"$LOG" 2>&1; then
		vm_say "failed: $* (full log: $LOG)"
		tail -n 15 "$LOG" | sed "s/^/$VM_SAY_AS:   /" >&2
		exit 1
	fi
}

vm_valid_series() {
	case " $VM_SERIES_ALL " in *" $1 "*) return 0 ;; esac
	return 1
}

# The initramfs depends on the init script and the module lists; its file name
# carries a hash of them so that editing tests/vm/lib/init rebuilds it.
vm_initramfs_hash() {
	{ cat "$VM_LIB/init"; echo "$VM_KMODS $VM_ZMODS"; } | sha256sum | cut -c1-12
}

# Read $VM_CACHE/current-SERIES (written by build) into KVER and ZFSVER.
# Returns 1 when there is no record.  Parsed, not sourced: it is data.
vm_read_current() {
	local f=$VM_CACHE/current-$1 k v
	KVER= ZFSVER=
	[ -r "$f" ] || return 1
	while IFS='=' read -r k v; do
		case $k in
		KVER) KVER=$v ;;
		ZFSVER) ZFSVER=$v ;;
		esac
	done <"$f"
	[ -n "$KVER" ] && [ -n "$ZFSVER" ]
}

# Paths of one cache entry, from KVER and ZFSVER.
vm_paths() {
	VM_KERNEL_DIR=$VM_CACHE/kernel/$KVER
	VM_VMLINUZ=$VM_KERNEL_DIR/vmlinuz
	VM_ZFS_DIR=$VM_CACHE/zfs/$ZFSVER
	VM_ZFS_ROOT=$VM_ZFS_DIR/root
	VM_ZFS_MODS=$VM_ZFS_DIR/modules-$KVER
	VM_INITRAMFS=$VM_CACHE/initramfs/$KVER-$ZFSVER-$(vm_initramfs_hash).img
}

# True when everything a run of SERIES needs is in the cache (no apt involved).
vm_series_ready() {
	vm_read_current "$1" || return 1
	vm_paths
	[ -f "$VM_VMLINUZ" ] && [ -d "$VM_ZFS_ROOT" ] && [ -f "$VM_INITRAMFS" ]
}

# At most BEADM_VM_JOBS (default: the number of CPUs; 0: no limit) VMs at
# once on this machine (tests/vm/run, tests/e2e/run).  More only thrash:
# each emulated VM gets slower, the guest kernel's timing checks fail,
# timeouts trip, memory runs short.  The others wait here for a slot
# (silently unless $verbose or $interactive: tests compare our stderr), and
# the wait does not count against --timeout.  QEMU inherits the slot's lock.
acquire_slot() {
	local jobs=${BEADM_VM_JOBS:-$(nproc)} dir=$VM_CACHE/slots i said=
	[[ $jobs =~ ^[0-9]+$ ]] && [ "$jobs" -gt 0 ] || return 0
	mkdir -p "$dir" 2>/dev/null || return 0
	while :; do
		for ((i = 0; i < jobs; i++)); do
			exec {SLOTFD}>>"$dir/$i" || return 0
			flock -n "$SLOTFD" && return 0
			exec {SLOTFD}>&-
		done
		if [ -z "$said" ] && { [ -n "${verbose-}" ] || [ -n "${interactive-}" ]; }; then
			vm_say "waiting for one of the $jobs VM slots (BEADM_VM_JOBS)"
			said=1
		fi
		sleep 0.5
	done
}
