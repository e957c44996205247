# Shared definitions of the end-to-end test (sourced by tests/e2e/build and
# tests/e2e/run, after tests/vm/lib/common.sh).  Bash only.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
E2E_CACHE=$VM_CACHE/e2e
# The image is Debian 13 with its own kernel and OpenZFS; beadm is built
# for the same series (in its tree).
E2E_SERIES=debian13
# The ESP's vfat volume id (mkfs.vfat -i); blkid shows it as E2E0-0001, which
# is what /etc/kernel/proxmox-boot-uuids lists.
E2E_ESP_ID=E2E00001
E2E_ESP_UUID=E2E0-0001
E2E_POOL=rpool
E2E_FIRST_BE=debian

# The image depends on how it is built and on the versions in it; its name
# carries a hash of both, so editing the build rebuilds it.
e2e_image_hash() { # KOLD KNEW ZFSVER
	{ cat "$E2E_DIR/build" "$E2E_DIR/assemble" "$E2E_DIR"/image/*; echo "$*"; } |
		sha256sum | cut -c1-12
}

# Read $E2E_CACHE/current (written by build): KOLD, KNEW, ZFSVER, IMAGE.
e2e_read_current() {
	local k v
	KOLD= KNEW= ZFSVER= IMAGE=
	[ -r "$E2E_CACHE/current" ] || return 1
	while IFS='=' read -r k v; do
		case $k in
		KOLD) KOLD=$v ;;
		KNEW) KNEW=$v ;;
		ZFSVER) ZFSVER=$v ;;
		IMAGE) IMAGE=$v ;;
		esac
	done <"$E2E_CACHE/current"
	[ -n "$KOLD" ] && [ -n "$KNEW" ] && [ -n "$IMAGE" ] &&
		[ -f "$E2E_CACHE/$IMAGE/disk.img" ] &&
		[ "$IMAGE" = "$(e2e_image_hash "$KOLD" "$KNEW" "$ZFSVER")" ]
}
