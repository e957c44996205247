# tests/integration/esp.sh - EFI system partitions for the systemd-boot
# scenarios (t40*).  Sourced after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/esp.sh"
#
# doc/esp.md is the contract these helpers check.  Everything runs inside the
# test VM (no udev, no efivarfs, / read-only).
#
#   esp_setup POOL N     N (1 or 2) 64 MiB FAT32 images on loop devices,
#                        seeded like a Proxmox VE ESP, mounted read-write at
#                        $T_TMP/espN; a tmpfs over /etc/kernel with
#                        proxmox-boot-uuids and cmdline.  Undone at exit.
#   esp_mount N, esp_umount N    (re)mount / unmount ESP N at $T_TMP/espN.
#                        Never mount an ESP read-only while beadm runs: beadm
#                        mounts it read-write and Linux refuses (EBUSY) a
#                        read-write mount of a FAT device mounted read-only.
#                        Read-write mounts share the superblock, so ESPs stay
#                        mounted for the whole scenario.
#   esp_run N CMD...     run CMD in ESP N's root directory.
#   esp_save N, esp_restore N... keep a copy of ESP N's image; put it back
#                        (unmount, copy, drop the loop device's cache, mount).
#   fake_kernels [-s KIB] POOL/ROOT/BE KVER...   /boot/vmlinuz-KVER and
#                        /boot/initrd.img-KVER in the BE; the same KVER has
#                        the same bytes in every BE (initrd 1/4 the size).
#   remove_kernels POOL/ROOT/BE KVER...          delete them again.
#   kernel_hash KVER vmlinuz|initrd.img          sha256 of a fake kernel file.
#   esp_files N          "sha256  path" of every file on ESP N, sorted.
#   esp_foreign_files N  the same, for files beadm does not own.
#   esp_beadm_files N    the same, for the files beadm owns.
#   esp_check [--after-crash] N   is ESP N consistent?  Prints each problem.
#   esp_same             do ESP 1 and ESP 2 hold the same beadm files?
#   esp_entries N        BEs with beadm-<BE>@*.conf entries, sorted, one line.
#   esp_entry_files N [GLOB]  entry file names in loader/entries (GLOB '*').
#   esp_default N        loader.conf's default pattern (last default line).
#   esp_store_count N    number of files in beadm/store.
#   entry_field N FILE KEY    the value of KEY in loader/entries/FILE.
#   bes_that_exist POOL  the BE names below POOL/ROOT, sorted, one line.
#   boot_into POOL BE    remount POOL as a system booted into BE has it, and
#                        export BEADM_TEST_ROOTFS=POOL/ROOT/BE.
#   mounts_outside_tests the global namespace's mounts (beadm mounts ESPs in
#                        a private one), less those of the test itself.
#   active_bes POOL LETTER    BEs whose Active column in beadm list -H
#                        contains LETTER (N, R, T), sorted, one line.

ESP_COUNT=0
ESP_POOL=""
ESP_MOUNT_OPTS=""
ESP_ETC_KERNEL=""
declare -a ESP_IMG=() ESP_DEV=() ESP_UUID=() ESP_DIR=()
# Fake kernel sizes in KiB (fake_kernels -s overrides the kernel's).
FAKE_KERNEL_KIB=${FAKE_KERNEL_KIB:-1536}
T_CLEANUP="$T_CLEANUP esp_cleanup"

esp_die() {
	echo "Bail out! esp.sh: $*"
	exit 100
}

# The volume ID of ESP N for POOL: 8 hex digits, fixed per pool and N.
_esp_volid() {
	local s=$1 n=$2 h=7 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h * 31 + c) % 65536))
	done
	printf '%04X%04X' "$h" "$((0xE500 + n))"
}

_esp_write() {	# FILE TEXT: write TEXT (printf %b) to FILE, parents made
	mkdir -p "$(dirname "$1")" && printf '%b' "$2" >"$1"
}

# esp_seed DIR POOL: what proxmox-boot-tool init + refresh leave on an ESP.
esp_seed() {
	local d=$1 p=$2 k=6.1.0-1-pve
	_esp_write "$d/EFI/BOOT/BOOTX64.EFI" "MZ fake systemd-boot (fallback path)\n" &&
	_esp_write "$d/EFI/systemd/systemd-bootx64.efi" "MZ fake systemd-boot\n" &&
	_esp_write "$d/EFI/proxmox/$k/vmlinuz-$k" "fake Proxmox kernel $k\n" &&
	_esp_write "$d/EFI/proxmox/$k/initrd.img-$k" "fake Proxmox initrd $k\n" &&
	_esp_write "$d/loader/loader.conf" "timeout 3\ndefault proxmox-*\n" &&
	_esp_write "$d/loader/entries/proxmox-$k.conf" "title    Proxmox Virtual Environment
version  $k
options  root=ZFS=$p/ROOT/pve-1 boot=zfs
linux    /EFI/proxmox/$k/vmlinuz-$k
initrd   /EFI/proxmox/$k/initrd.img-$k
"
}

esp_setup() {
	local p=$1 n=$2 i img dev uuid
	[ "$ESP_COUNT" -eq 0 ] || esp_die "esp_setup called twice"
	case $n in 1 | 2) ;; *) esp_die "esp_setup: N must be 1 or 2" ;; esac
	ESP_POOL=$p
	for ((i = 1; i <= n; i++)); do
		img=$T_TMP/esp$i.img
		rm -f "$img"
		truncate -s 64M "$img" || esp_die "truncate $img"
		mkfs.vfat -F 32 -n "ESP$i" -i "$(_esp_volid "$p" "$i")" "$img" >/dev/null 2>&1 ||
			esp_die "mkfs.vfat $img failed"
		dev=$(losetup -f --show "$img") || esp_die "losetup $img failed"
		ESP_IMG[i]=$img ESP_DEV[i]=$dev ESP_DIR[i]=$T_TMP/esp$i
		ESP_COUNT=$i
		uuid=$(blkid -o value -s UUID "$dev")
		[ -n "$uuid" ] || esp_die "blkid found no UUID on $dev"
		ESP_UUID[i]=$uuid
		esp_mount "$i" || esp_die "cannot mount ESP $i ($dev)"
		esp_seed "${ESP_DIR[i]}" "$p" || esp_die "cannot seed ESP $i"
	done
	sync
	# /etc/kernel as Proxmox VE has it; the VM's / is read-only, so a tmpfs.
	mount -t tmpfs -o mode=755 beadm-test-etc-kernel /etc/kernel || esp_die "cannot mount a tmpfs on /etc/kernel"
	ESP_ETC_KERNEL=yes
	mkdir -p /etc/kernel/postinst.d /etc/kernel/postrm.d
	for ((i = 1; i <= n; i++)); do echo "${ESP_UUID[i]}"; done >/etc/kernel/proxmox-boot-uuids
	echo "root=ZFS=$p/ROOT/pve-1 boot=zfs quiet" >/etc/kernel/cmdline
}

# _esp_mounted N: is ESP N mounted at its directory?  (No exec: the VM
# charges ~0.1 s for each, and the helpers ask often.)
_esp_mounted() {
	local src mp rest
	while read -r src mp rest; do
		[ "$mp" = "${ESP_DIR[$1]}" ] && return 0
	done </proc/self/mounts
	return 1
}

esp_mount() {
	local n=$1 dir=${ESP_DIR[$1]}
	_esp_mounted "$n" && return 0
	mkdir -p "$dir"
	if [ -z "$ESP_MOUNT_OPTS" ]; then
		# The VM kernel's default FAT iocharset (ascii) may not be loaded
		# (no modprobe in the VM); iso8859-1 is.  Decided once.
		if mount -t vfat -o rw "${ESP_DEV[n]}" "$dir" 2>/dev/null; then
			ESP_MOUNT_OPTS=rw
			return 0
		fi
		ESP_MOUNT_OPTS=rw,iocharset=iso8859-1
		echo "# note: a plain vfat mount fails in this VM (nls_ascii not loaded?); mounting with $ESP_MOUNT_OPTS"
	fi
	mount -t vfat -o "$ESP_MOUNT_OPTS" "${ESP_DEV[n]}" "$dir"
}

esp_umount() {
	local dir=${ESP_DIR[$1]} i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		_esp_mounted "$1" || return 0
		umount "$dir" 2>/dev/null && continue
		sleep 0.2
	done
	umount "$dir"
}

esp_run() {
	local n=$1
	shift
	esp_mount "$n" || return 1
	(cd "${ESP_DIR[n]}" && "$@")
}

# (Unmounted for the copy: FAT data in the page cache is not in the image yet.)
esp_save() {
	esp_umount "$1" || return 1
	cp --sparse=always "${ESP_IMG[$1]}" "${ESP_IMG[$1]}.saved"
	esp_mount "$1"
}

# esp_restore N...: the images saved by esp_save, mounted again.  The copy
# goes into the backing file and the loop device's page cache is dropped,
# much cheaper than detaching and attaching it (several ESPs at once save
# execs, ~0.1 s each in the VM).  Nothing else may hold the file system
# then: a beadm's mounts go away with its private mount namespace a jiffy
# after it exits, long before this runs.
esp_restore() {
	local n dirs=() devs=()
	for n in "$@"; do
		_esp_mounted "$n" && dirs+=("${ESP_DIR[n]}")
		devs+=("${ESP_DEV[n]}")
	done
	[ ${#dirs[@]} -eq 0 ] || umount "${dirs[@]}" || return 1
	for n in "$@"; do
		_esp_mounted "$n" && { echo "esp_restore: ESP $n is still mounted"; return 1; }
		cp --sparse=always "${ESP_IMG[n]}.saved" "${ESP_IMG[n]}" || return 1
	done
	blockdev --flushbufs "${devs[@]}" || return 1
	_esp_mount_all "$@"
}

# _esp_mount_all N...: mount these ESPs, with one exec of mount once the
# options are known (mount -a from a table of their own).
_esp_mount_all() {
	local n
	if [ -z "$ESP_MOUNT_OPTS" ] || [ $# -eq 1 ]; then
		for n in "$@"; do esp_mount "$n" || return 1; done
		return 0
	fi
	for n in "$@"; do
		mkdir -p "${ESP_DIR[n]}"
		printf '%s %s vfat %s 0 0\n' "${ESP_DEV[n]}" "${ESP_DIR[n]}" "$ESP_MOUNT_OPTS"
	done >"$T_TMP/esp.fstab"
	mount -a -T "$T_TMP/esp.fstab" || return 1
	for n in "$@"; do _esp_mounted "$n" || { echo "ESP $n is not mounted"; return 1; }; done
}

esp_cleanup() {
	local i
	for ((i = 1; i <= ESP_COUNT; i++)); do
		esp_umount "$i" >/dev/null 2>&1 || umount -l "${ESP_DIR[i]}" 2>/dev/null
		[ -n "${ESP_DEV[i]:-}" ] && losetup -d "${ESP_DEV[i]}" 2>/dev/null
	done
	ESP_COUNT=0
	if [ -n "$ESP_ETC_KERNEL" ]; then
		umount /etc/kernel 2>/dev/null || umount -l /etc/kernel 2>/dev/null
		ESP_ETC_KERNEL=""
	fi
	_be_umount_all
	return 0
}

# --- boot environments ------------------------------------------------------

# boot_into POOL BE: the pool mounted as after a boot into BE: everything of
# POOL unmounted, POOL/ROOT/BE mounted at / (the altroot), then the other
# canmount=on file systems outside POOL/ROOT/*; BEADM_TEST_ROOTFS names BE.
boot_into() {
	local p=$1 be=$2 mp name
	# umount, not zfs unmount: that also unmounts a dataset's descendants,
	# and POOL/ROOT/BE holds POOL's and POOL/ROOT's own mounts here.
	while IFS=$'\t' read -r mp name; do
		umount "$mp" || return 1
	done < <(zfs list -H -o mountpoint,name,mounted -r "$p" | awk -F'\t' '$3 == "yes" { print $1 "\t" $2 }' | LC_ALL=C sort -r)
	zfs mount "$p/ROOT/$be" || return 1
	while IFS=$'\t' read -r mp name; do
		[[ $name == "$p/ROOT/"* ]] || zfs mount "$name" || return 1
	done < <(zfs list -H -o mountpoint,name,canmount -r "$p" |
		awk -F'\t' '$3 == "on" && $1 ~ /^\// { print $1 "\t" $2 }' | LC_ALL=C sort)
	export BEADM_TEST_ROOTFS=$p/ROOT/$be
}

# mounts_outside_tests: mount points in this (the global) mount namespace,
# less the ESPs and BEs this file mounts: what beadm must not add to.
mounts_outside_tests() {
	local src mp rest
	while read -r src mp rest; do
		[[ $mp == "$T_TMP"/* ]] && continue
		echo "$src $mp"
	done </proc/self/mounts | LC_ALL=C sort
}


_BE_MOUNTS=""
# _be_dir DATASET: sets BE_DIR to where DATASET is mounted, mounting it on a
# directory of its own when it is not (remembered; _be_release unmounts).
_be_dir() {
	local ds=$1 src mp rest
	BE_DIR=""
	_BE_JUST_MOUNTED=""
	while read -r src mp rest; do
		if [ "$src" = "$ds" ]; then
			BE_DIR=$mp
			return 0
		fi
	done </proc/self/mounts
	BE_DIR=$T_TMP/be-mnt/${ds//\//_}
	mkdir -p "$BE_DIR"
	mount -t zfs -o zfsutil "$ds" "$BE_DIR" || { BE_DIR=""; return 1; }
	_BE_MOUNTS="$_BE_MOUNTS $BE_DIR"
	_BE_JUST_MOUNTED=$BE_DIR
}
# _be_release: unmount what the last _be_dir mounted (beadm refuses to
# destroy a mounted BE, and a scenario should not see our mounts).
_be_release() {
	if [ -n "${_BE_JUST_MOUNTED:-}" ]; then
		umount "$_BE_JUST_MOUNTED"
		_BE_MOUNTS=${_BE_MOUNTS/ $_BE_JUST_MOUNTED/}
		_BE_JUST_MOUNTED=""
	fi
}
_be_umount_all() {
	local m
	for m in $_BE_MOUNTS; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	_BE_MOUNTS=""
}

# _fake_file NAME KIB: $T_TMP/fake-kernels/NAME, made once (random bytes).
_fake_file() {
	local f=$T_TMP/fake-kernels/$1
	if [ ! -f "$f" ]; then
		mkdir -p "$T_TMP/fake-kernels"
		head -c "$(($2 * 1024))" /dev/urandom >"$f.tmp" && mv "$f.tmp" "$f" || return 1
	fi
	FAKE_FILE=$f
}

fake_kernels() {
	local kib=$FAKE_KERNEL_KIB ds k
	if [ "$1" = -s ]; then
		kib=$2
		shift 2
	fi
	ds=$1
	shift
	_be_dir "$ds" || { echo "fake_kernels: cannot mount $ds"; return 1; }
	mkdir -p "$BE_DIR/boot"
	for k in "$@"; do
		_fake_file "vmlinuz-$k" "$kib" && cp "$FAKE_FILE" "$BE_DIR/boot/vmlinuz-$k" &&
		_fake_file "initrd.img-$k" "$(((kib + 3) / 4))" && cp "$FAKE_FILE" "$BE_DIR/boot/initrd.img-$k" ||
			{ _be_release; echo "fake_kernels: cannot write $k into $ds"; return 1; }
	done
	_be_release
}

remove_kernels() {
	local ds=$1 k
	shift
	_be_dir "$ds" || return 1
	for k in "$@"; do rm -f "$BE_DIR/boot/vmlinuz-$k" "$BE_DIR/boot/initrd.img-$k"; done
	_be_release
}

kernel_hash() {
	local f=$T_TMP/fake-kernels/$2-$1
	[ -f "$f" ] || { echo "no-such-fake-kernel-$2-$1"; return 1; }
	sha256sum <"$f" | cut -d' ' -f1
}

# --- looking at ESPs -------------------------------------------------------

# _esp_list N: ESP_LIST = every regular file on ESP N, relative, sorted (C).
_esp_list() {
	local d=${ESP_DIR[$1]} f LC_ALL=C
	ESP_LIST=()
	esp_mount "$1" || return 1
	shopt -s globstar dotglob nullglob
	for f in "$d"/**; do
		[ -f "$f" ] && ESP_LIST+=("${f#"$d"/}")
	done
	shopt -u globstar dotglob nullglob
}

# _esp_owned PATH: does beadm own this file (doc/esp.md)?
_esp_owned() {
	case ${1,,} in
	beadm/* | loader/entries/beadm-* | loader/entries/beadm~* | loader/loader.conf) return 0 ;;
	esac
	return 1
}

# _esp_hashes N all|foreign|beadm
_esp_hashes() {
	local n=$1 which=$2 f
	local -a sel=()
	_esp_list "$n" || return 1
	for f in "${ESP_LIST[@]}"; do
		case $which in
		foreign) _esp_owned "$f" && continue ;;
		beadm) _esp_owned "$f" || continue ;;
		esac
		sel+=("$f")
	done
	[ ${#sel[@]} -eq 0 ] && return 0
	(cd "${ESP_DIR[n]}" && sha256sum -- "${sel[@]}")
}

esp_files() { _esp_hashes "$1" all; }
esp_foreign_files() { _esp_hashes "$1" foreign; }
esp_beadm_files() { _esp_hashes "$1" beadm; }

# (One sha256sum for both ESPs: every exec costs ~0.1 s in the VM.)
esp_same() {
	local a="" b="" n f h path
	local -a sel=()
	for n in 1 2; do
		_esp_list $n || return 1
		for f in "${ESP_LIST[@]}"; do _esp_owned "$f" && sel+=("${ESP_DIR[n]}/$f"); done
	done
	if [ ${#sel[@]} -gt 0 ]; then
		while read -r h path; do
			if [[ $path == "${ESP_DIR[1]}"/* ]]; then
				a+="$h  ${path#"${ESP_DIR[1]}"/}"$'\n'
			else
				b+="$h  ${path#"${ESP_DIR[2]}"/}"$'\n'
			fi
		done < <(sha256sum -- "${sel[@]}")
	fi
	[ "$a" = "$b" ] && return 0
	echo "beadm's files differ between ESP 1 (<) and ESP 2 (>):"
	diff <(echo "$a") <(echo "$b")
	return 1
}

# _conf_value FILE KEY: the value of the last (loader.conf) / first (entry:
# ENTRY_FIRST=1) KEY line, blanks around it trimmed.
_conf_value() {
	local file=$1 key=$2 k v out="" found=0
	[ -f "$file" ] || return 1
	while read -r k v || [ -n "$k" ]; do
		[ "$k" = "$key" ] || continue
		out=$v
		found=1
		[ "${ENTRY_FIRST:-0}" = 1 ] && break
	done <"$file"
	printf '%s' "$out"
	[ "$found" = 1 ]
}

esp_default() {
	esp_mount "$1" || return 1
	_conf_value "${ESP_DIR[$1]}/loader/loader.conf" default
}

entry_field() {
	esp_mount "$1" || return 1
	ENTRY_FIRST=1 _conf_value "${ESP_DIR[$1]}/loader/entries/$2" "$3"
}

esp_entry_files() {
	local d=${ESP_DIR[$1]}/loader/entries f
	esp_mount "$1" || return 1
	shopt -s nullglob
	for f in "$d"/${2:-*}; do printf '%s\n' "${f##*/}"; done
	shopt -u nullglob
}

esp_entries() {
	local f be
	local -A seen=()
	esp_mount "$1" || return 1
	shopt -s nullglob
	for f in "${ESP_DIR[$1]}"/loader/entries/beadm-*@*.conf; do
		be=${f##*/beadm-}
		seen[${be%%@*}]=1
	done
	shopt -u nullglob
	_sorted_line "${!seen[@]}"
}

# _sorted_line WORD...: the words sorted (C order) on one line; no exec.
_sorted_line() {
	local -a a=("$@")
	local i j t LC_ALL=C
	for ((i = 1; i < ${#a[@]}; i++)); do
		t=${a[i]}
		for ((j = i - 1; j >= 0; j--)); do
			[[ ${a[j]} > $t ]] || break
			a[j + 1]=${a[j]}
		done
		a[j + 1]=$t
	done
	echo "${a[*]}"
}

esp_store_count() {
	local f c=0
	esp_mount "$1" || return 1
	shopt -s nullglob dotglob
	for f in "${ESP_DIR[$1]}"/beadm/store/*; do [ -f "$f" ] && c=$((c + 1)); done
	shopt -u nullglob dotglob
	echo "$c"
}

bes_that_exist() {
	local ds
	local -a bes=()
	while read -r ds; do
		[[ $ds == "$1/ROOT/"* ]] && bes+=("${ds#"$1/ROOT/"}")
	done < <(zfs list -H -o name -d 1 "$1/ROOT")
	_sorted_line "${bes[@]}"
}

active_bes() {
	local be active rest out=()
	"$BEADM" -r "$1/ROOT" list -H </dev/null >"$T_TMP/active.out" 2>&1 || {
		echo "beadm list failed: $(cat "$T_TMP/active.out")"
		return 1
	}
	while IFS=$'\t' read -r be active rest; do
		[[ $active == *"$2"* ]] && out+=("$be")
	done <"$T_TMP/active.out"
	_sorted_line "${out[@]}"
}

# esp_check [--after-crash] N: is ESP N bootable and consistent?  Prints one
# line per problem and fails when there is any:
#  - loader/loader.conf has a default line, and its pattern selects at least
#    one entry (systemd-boot's id: file name without the +N[-M] counter,
#    matched case-insensitively) whose linux and initrd files exist and whose
#    options have root=ZFS=<a dataset that exists>;
#  - every beadm entry has linux and initrd lines naming files that exist;
#  - unless --after-crash: no *.beadm-tmp file, no beadm/journal, no store
#    file that no entry names, no beadm entry for a dataset that is gone.
# ESP_DATASETS, when set, is the list of file systems (saves a zfs list).
esp_check() {
	local crashed=0
	if [ "$1" = --after-crash ]; then
		crashed=1
		shift
	fi
	local n=$1 d=${ESP_DIR[$1]} f name id k v linux initrd options pat tok ok ds
	local -a problems=() matching=()
	local -A have_ds=() named=()
	esp_mount "$n" || { echo "ESP $n cannot be mounted"; return 1; }
	for ds in ${ESP_DATASETS:-$(zfs list -H -o name -t filesystem)}; do have_ds[$ds]=1; done
	if [ ! -f "$d/loader/loader.conf" ]; then
		problems+=("no loader/loader.conf")
	elif ! pat=$(_conf_value "$d/loader/loader.conf" default); then
		problems+=("loader/loader.conf has no default line")
	fi
	ok=0
	shopt -s nullglob nocasematch
	for f in "$d"/loader/entries/*.conf; do
		name=${f##*/}
		linux="" initrd="" options=""
		while read -r k v || [ -n "$k" ]; do
			case $k in
			linux) [ -z "$linux" ] && linux=$v ;;
			initrd) [ -z "$initrd" ] && initrd=$v ;;
			options) options="$options $v" ;;
			esac
		done <"$f"
		case $name in
		beadm-* | beadm~*)
			if [ -z "$linux" ] || [ ! -f "$d/${linux#/}" ]; then
				problems+=("entry $name: linux '$linux' is not on the ESP")
			fi
			if [ -z "$initrd" ] || [ ! -f "$d/${initrd#/}" ]; then
				problems+=("entry $name: initrd '$initrd' is not on the ESP")
			fi
			[[ $linux == /beadm/store/* ]] && named[${linux#/beadm/store/}]=1
			[[ $initrd == /beadm/store/* ]] && named[${initrd#/beadm/store/}]=1
			if [ $crashed = 0 ]; then
				ds=""
				for tok in $options; do [[ $tok == root=ZFS=* ]] && ds=${tok#root=ZFS=}; done
				[ -n "$ds" ] && [ -n "${have_ds[$ds]:-}" ] ||
					problems+=("entry $name: boots '${ds:-no root=ZFS=}', which is not a dataset")
			fi
			;;
		esac
		# systemd-boot's id: the name without a boot counter.
		id=$name
		if [[ $name =~ ^(.*)\+[0-9]+(-[0-9]+)?\.conf$ ]]; then id=${BASH_REMATCH[1]}.conf; fi
		if [ -n "${pat:-}" ] && [[ $id == $pat ]]; then
			matching+=("$name")
			[ -n "$linux" ] && [ -f "$d/${linux#/}" ] && [ -n "$initrd" ] && [ -f "$d/${initrd#/}" ] || continue
			for tok in $options; do
				[[ $tok == root=ZFS=* ]] && [ -n "${have_ds[${tok#root=ZFS=}]:-}" ] && ok=1
			done
		fi
	done
	shopt -u nocasematch
	if [ -n "${pat:-}" ] && [ $ok = 0 ]; then
		problems+=("default '$pat' selects no bootable entry (matching: ${matching[*]:-none})")
	fi
	if [ $crashed = 0 ]; then
		shopt -s globstar dotglob
		for f in "$d"/**/*.beadm-tmp; do problems+=("leftover ${f#"$d"/}"); done
		[ -e "$d/beadm/journal" ] && problems+=("leftover beadm/journal")
		for f in "$d"/beadm/store/*; do
			[[ $f == *.beadm-tmp ]] && continue
			[ -n "${named[${f##*/}]:-}" ] || problems+=("store file ${f#"$d"/} is named by no entry")
		done
		shopt -u globstar dotglob
	fi
	shopt -u nullglob
	[ ${#problems[@]} -eq 0 ] && return 0
	echo "ESP $n (${ESP_DEV[n]}):"
	printf '  %s\n' "${problems[@]}"
	return 1
}
