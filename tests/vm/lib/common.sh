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

# The series: a Debian release with its own kernel and OpenZFS.
#   debian13  trixie: kernel 6.12, OpenZFS 2.3.x, systemd 257 (the main one).
#             Its binaries need trixie's libc, so the guest's root is a
#             debootstrapped trixie tree (cached), and the modules and beadm
#             are built inside it (vm_in_tree) with trixie's compiler.
#   debian12  bookworm: kernel 6.1, OpenZFS 2.1.11 (the oldest supported).
#             The host is bookworm: the guest's root is the host's own, with
#             the series' OpenZFS userland unpacked beside it.
VM_SERIES_ALL="debian13 debian12"
VM_SERIES_DEFAULT=debian13

# vm_series_suite SERIES: its Debian suite.
vm_series_suite() {
	case $1 in
	debian13) echo trixie ;;
	debian12) echo bookworm ;;
	esac
}
# vm_series_has_tree SERIES: true when the guest's root is a tree of its own.
vm_series_has_tree() { [ "$1" = debian13 ]; }
# vm_series_zfs SERIES: the OpenZFS release series its Debian suite ships
# (debian12 only: its pieces come from the host's apt).
vm_series_zfs() { [ "$1" = debian12 ] && echo 2.1; }

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

# Read $VM_CACHE/current-SERIES (written by build) into KVER, ZFSVER and
# TREE (the series' root tree; empty when the guest's root is the host's).
# Returns 1 when there is no record.  Parsed, not sourced: it is data.
vm_read_current() {
	local f=$VM_CACHE/current-$1 k v
	KVER= ZFSVER= TREE=
	[ -r "$f" ] || return 1
	while IFS='=' read -r k v; do
		case $k in
		KVER) KVER=$v ;;
		ZFSVER) ZFSVER=$v ;;
		TREE) TREE=$v ;;
		esac
	done <"$f"
	[ -n "$KVER" ] && [ -n "$ZFSVER" ]
}

# Paths of one cache entry, from KVER, ZFSVER and TREE.  VM_ROOT is the
# guest's root; VM_ZFS_ROOT the unpacked OpenZFS userland that the guest puts
# first in PATH (empty with a tree: the tree's own zfsutils-linux is in /usr).
vm_paths() {
	VM_KERNEL_DIR=$VM_CACHE/kernel/$KVER
	VM_VMLINUZ=$VM_KERNEL_DIR/vmlinuz
	VM_ZFS_DIR=$VM_CACHE/zfs/$ZFSVER
	VM_ZFS_MODS=$VM_ZFS_DIR/modules-$KVER
	VM_INITRAMFS=$VM_CACHE/initramfs/$KVER-$ZFSVER-$(vm_initramfs_hash).img
	if [ -n "${TREE-}" ]; then
		VM_ROOT=$TREE VM_ZFS_ROOT=
	else
		VM_ROOT=/ VM_ZFS_ROOT=$VM_ZFS_DIR/root
	fi
}

# What a series' tree holds besides debootstrap's minbase: zfsutils-linux and
# the kernel headers (the modules are built in it), beadm's build and test
# dependencies (it is built in it too), and what the scenarios run in the
# guest (busybox-static: scenarios copy /bin/busybox into BEs as their only
# program).  Keep in step with scripts/setup.  A tree records the hash of
# this list: changing it builds a new tree.
VM_TREE_PACKAGES="zfsutils-linux libzfslinux-dev linux-headers-amd64
	build-essential meson ninja-build pkg-config
	libcmocka-dev libssl-dev libarchive-dev libblkid-dev libudev-dev uuid-dev zlib1g-dev libtirpc-dev
	dosfstools gdisk mtools kmod cpio busybox-static python3 file lz4 xz-utils zstd procps bsdextrautils iproute2 debootstrap"
vm_tree_stamp() { echo $VM_TREE_PACKAGES | sha256sum | cut -c1-12; }
# vm_tree_complete TREE: built to the end, from the current package list.
vm_tree_complete() { [ "$(cat "$1/.beadm-tree-complete" 2>/dev/null)" = "$(vm_tree_stamp)" ]; }

# True when everything a run of SERIES needs is in the cache (no apt involved).
vm_series_ready() {
	vm_read_current "$1" || return 1
	vm_paths
	[ -f "$VM_VMLINUZ" ] && [ -f "$VM_INITRAMFS" ] || return 1
	if vm_series_has_tree "$1"; then
		[ -n "$TREE" ] && vm_tree_complete "$TREE"
	else
		[ -d "$VM_ZFS_ROOT" ]
	fi
}

# The Debian archive the host uses (its first non-security entry): the
# series' trees and the end-to-end image come from the same mirror, and no
# host name is written here.
vm_debian_mirror() {
	local m
	m=$(awk '/^URIs:/ && !/security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
	[ -n "$m" ] || m=$(awk '/^deb / && !/security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
	[ -n "$m" ] || vm_die "cannot find the Debian archive in the host's apt sources"
	echo "$m"
}

# vm_apt_download DIR SPEC...: apt-get download SPECs into DIR with the
# host's apt, or with the tree's when the series has one ($TREE), logging
# to $LOG; on failure name what failed and exit.
vm_apt_download() {
	local dir=$1 st=0; shift
	mkdir -p "$dir"
	# apt warns that _apt cannot access the directory; harmless (download as root).
	if [ -n "${TREE-}" ]; then
		local in=/tmp/beadm-download.$$
		rm -rf "$TREE$in" && mkdir -p "$TREE$in"
		(cd "$TREE$in" && vm_in_tree "$TREE" -- apt-get download "$@") >>"$LOG" 2>&1 || st=$?
		[ "$st" -ne 0 ] || mv "$TREE$in"/*.deb "$dir/" || st=$?
		rm -rf "$TREE$in"
	else
		(cd "$dir" && apt-get download "$@") >>"$LOG" 2>&1 || st=$?
	fi
	if [ "$st" -ne 0 ]; then
		vm_say "could not download: $* (full log: $LOG)"
		grep '^E:' "$LOG" | tail -n 5 | sed "s/^/$VM_SAY_AS:   /" >&2
		exit 1
	fi
}

# vm_apt_cache ARG...: apt-cache of the series' tree ($TREE) or the host's.
vm_apt_cache() { vm_tree_sh apt-cache "$@"; }

# vm_package_cache: send this script's downloads (apt, debootstrap) through
# the local package cache (scripts/package-cache), so that nothing is fetched
# twice; without one, say so and download directly.  A proxy the caller set
# in http_proxy is kept.
vm_package_cache() {
	local url
	[ -z "${http_proxy-}" ] || return 0
	if url=$("$VM_CHECKOUT/scripts/package-cache"); then
		export http_proxy=$url
	else
		vm_say "no local package cache (scripts/package-cache): downloading directly"
	fi
}

# vm_tree_sh [--bind DIR]... [--] COMMAND...: COMMAND where the series'
# programs run: in its tree ($TREE, as vm_read_current set it) through
# vm_in_tree, or on the host when the series has none (the binds are then
# the host's own paths already).
vm_tree_sh() {
	if [ -n "${TREE-}" ]; then
		vm_in_tree "$TREE" "$@"
		return
	fi
	while [ $# -gt 0 ]; do
		case $1 in
		--bind) shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	"$@"
}

# vm_in_tree TREE [--bind DIR]... [--] COMMAND...: run COMMAND chrooted in
# TREE (a series' root tree, on the host: a physical path), with the host's
# /dev, a /proc, and each DIR at its own path.  The working directory is the
# same: a directory inside TREE is that directory of the tree, another path
# is that path in the tree if it exists there (a bound DIR), else /.
# The mounts live in a private mount namespace and end with COMMAND.
vm_in_tree() {
	local tree=$1 binds=() d
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--bind) binds+=("$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	for d in ${binds[@]+"${binds[@]}"}; do mkdir -p "$tree$d"; done
	unshare -m --propagation private -- /bin/bash -c '
		set -e
		tree=$1 n=$2; shift 2
		mount --rbind /dev "$tree/dev"
		mount -t proc proc "$tree/proc"
		for ((i = 0; i < n; i++)); do mount --bind "$1" "$tree$1"; shift; done
		cwd=$(pwd -P)
		case $cwd/ in "$tree"/*) cwd=/${cwd#"$tree"/} ;; esac
		[ -d "$tree$cwd" ] || cwd=/
		exec chroot "$tree" /usr/bin/env --chdir="$cwd" "$@"
	' vm_in_tree "$tree" "${#binds[@]}" ${binds[@]+"${binds[@]}"} "$@"
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
