/*
 * be_impl.h - libbe's private handle and helpers shared by its files.
 * Nothing outside src/lib, src/zfs and src/boot includes this.
 */
#ifndef BE_IMPL_H
#define BE_IMPL_H

#include "be.h"
#include "zfs_adapter.h"

struct be_boot_backend;

struct be_handle {
	libzfs_handle_t *lzh;
	char root[BE_PATH_MAX];		/* the BE root, "rpool/ROOT" */
	char pool[BE_PATH_MAX];		/* "rpool" */
	char running[BE_PATH_MAX];	/* dataset mounted at /, "" if none */
	const struct be_boot_backend *backend;
	void *boot;			/* the loader backend's own state */
	int lock_fd;			/* the pool lock, -1 when not held */
	int lock_depth;
	int esp_lock_fd;		/* the ESPs' lock, -1 when not held */
	int esp_lock_depth;
	char making[BE_NAME_MAX + 1];	/* the BE this run marked, "" */
	char marked[BE_NAME_MAX + 1];	/* marked by another run, "" */
	be_error_t err;
	char errmsg[1024];
};

/* User properties beadm keeps on BE datasets (they travel with send/recv). */
#define BE_PROP_DESCRIPTION	"beadm:description"
/* On an origin snapshot beadm took itself: destroy may remove it. */
#define BE_PROP_AUTO_SNAPSHOT	"beadm:auto"
/* Settings on the BE root (a BE's own beadm:cmdline overrides the root's). */
#define BE_PROP_BOOTLOADER	"beadm:bootloader"	/* auto, bootfs, ... */
#define BE_PROP_ESP		"beadm:esp"	/* systemd-boot's ESP */
#define BE_PROP_CMDLINE		"beadm:cmdline"	/* kernel command line */
/* Checkpoints before apt runs (be_auto.c): off, snapshot or create, and
 * how many of them to keep. */
#define BE_PROP_APT		"beadm:apt"
#define BE_PROP_APT_KEEP	"beadm:apt-keep"
/* On a BE or snapshot beadm made by itself ("apt"): retention may destroy
 * it.  Never copied to a BE cloned from it, which the user made. */
#define BE_PROP_MADE_BY		"beadm:made-by"
/* Which kernels of a BE get boot entries (beadm kernel, kernel_select.h):
 * how many of the newest (on the BE root, a BE's own value overrides),
 * and on the BE: the pinned one, comma lists of versions added and
 * omitted, and of the versions whose files beadm wrote into its /boot. */
#define BE_PROP_KERNEL_KEEP	"beadm:kernel-keep"
#define BE_PROP_KERNEL_PIN	"beadm:kernel-pin"
#define BE_PROP_KERNEL_ADD	"beadm:kernel-add"
#define BE_PROP_KERNEL_OMIT	"beadm:kernel-omit"
#define BE_PROP_KERNEL_ADDED	"beadm:kernel-added"
/* On the BE root while create, install or import makes a BE: "NAME", or
 * "NAME DATASET@SNAP" with the snapshot taken for its clones (be_making.c). */
#define BE_PROP_MAKING		"beadm:making"

/*
 * Record a failure in the handle and return its code, so that every failing
 * path reads `return (be_set_error(h, BE_ERR_X, "what failed: %s", why));`.
 */
be_error_t be_set_error(be_handle_t *, be_error_t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, appending libzfs's description of its last failure. */
be_error_t be_set_zfs_error(be_handle_t *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
be_error_t be_ok(be_handle_t *);
/* The failure the handle holds, kept across clean-up steps that report
 * their own outcome through it: save, clean up, restore (returns it). */
struct be_saved_error {
	be_error_t err;
	char msg[sizeof (((be_handle_t *)0)->errmsg)];
};
void be_error_save(const be_handle_t *, struct be_saved_error *);
be_error_t be_error_restore(be_handle_t *, const struct be_saved_error *);
/* Add to the message of the error the handle holds (what its clean-up
 * left undone, say). */
void be_error_append(be_handle_t *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The setting prop as set on the BE root itself, "" when unset or only
 * inherited there. */
void be_root_setting(be_handle_t *, const char *prop, char *buf, size_t sz);
/* The running BE's name, "" when / is not a BE below the root. */
void be_running_name(const be_handle_t *, char *buf, size_t sz);
/* "rpool/ROOT" + "be" -> "rpool/ROOT/be"; validates the name first. */
be_error_t be_dataset_of(be_handle_t *, const char *be, char *buf, size_t sz);
/* As be_dataset_of, and the dataset must exist (BE_ERR_NOENT otherwise). */
be_error_t be_existing_dataset(be_handle_t *, const char *be, char *buf,
    size_t sz);
/* The BE the pool's bootfs names, "" when bootfs is unset or outside root. */
be_error_t be_bootfs(be_handle_t *, char *buf, size_t sz);

/* Where beadm's hook BE_HOOK_NAME goes (be_init_boot) and is looked for
 * (be_check): after what the directory's hooks run for.  A directory that
 * is not made_by_beadm gets the hook only where it exists: update-initramfs
 * runs post-update.d only when a boot tool made it.  Defined in
 * be_loader.c; ends with a NULL dir. */
struct be_hook_dir {
	const char *dir;
	bool made_by_beadm;
	const char *after;	/* "a kernel install", ... */
};
extern const struct be_hook_dir be_hook_dirs[];

/* Unmount be, which beadm mounted at the temporary directory dir, and
 * remove dir, keeping the error the handle holds (cleanup on any path).
 * Defined in be_mount.c. */
void be_unmount_keeping_error(be_handle_t *, const char *be, const char *dir);
/* The /boot of be (its dataset open as zhp) where it is mounted now; when
 * it is not mounted, be_mount it at a new temporary directory, which goes
 * to mounted_at (else mounted_at is ""), for be_unmount_keeping_error. */
be_error_t be_boot_dir(be_handle_t *, const char *be, zfs_handle_t *zhp,
    char *boot, size_t bsz, char *mounted_at, size_t msz);

/* Serialise changes to one pool: wait a few seconds, then BE_ERR_BUSY.
 * Nested calls are counted, so an operation may call another. */
be_error_t be_lock(be_handle_t *);
/* The same without waiting: BE_ERR_BUSY at once when another holds it. */
be_error_t be_trylock(be_handle_t *);
void be_unlock(be_handle_t *);
/* The ESPs are the machine's, whatever pool a BE root is on: a change of
 * them holds this lock too (taken after the pool's, never before). */
be_error_t be_lock_esps(be_handle_t *);
void be_unlock_esps(be_handle_t *);

/*
 * Make dataset (a BE) and its descendants safe from `zfs mount -a`:
 * canmount=noauto on the BE dataset, on -> noauto below it, and containers
 * that are canmount=off stay off.  Defined in be_activate.c.
 */
be_error_t be_settle_canmount(be_handle_t *, const char *dataset);
/* The same for every BE below the root. */
be_error_t be_settle_all_canmount(be_handle_t *);
/*
 * Move the calling process into a mount namespace of its own whose mounts
 * are slaves of the system's: what it mounts from then on never shows in,
 * or propagates back to, the system, and goes away with the process.
 * Defined in be_chroot.c.
 */
be_error_t be_private_namespace(be_handle_t *);
/* Is dataset, a child of the BE root, a BE (a name beadm accepts)?
 * Defined in be_list.c. */
bool be_dataset_is_be(const char *dataset);


/*
 * A BE in the making (be_making.c).  Holding the pool lock, mark the BE
 * root before the first step that makes be (with the snapshot its clones
 * come from, when this run takes it: NULL otherwise), and clear the mark
 * once be is whole, before its boot entries are written.
 */
be_error_t be_making_begin(be_handle_t *, const char *be,
    const char *snapshot);
be_error_t be_making_end(be_handle_t *);
/* The BE the root (open as root) marks as in the making, into be; false
 * (and "") when none. */
bool be_making_of(zfs_handle_t *root, char *be, size_t sz);
/* Is be in the making by another run (as the root said when opened)? */
bool be_making_elsewhere(be_handle_t *, const char *be);
/* Given the root's mark (be_set_root reads it): when no other beadm holds
 * the pool lock, remove what an interrupted run left and then the mark.
 * Never fails the caller: what cannot be removed stays marked (beadm
 * check says so), and this handle's commands refuse that BE. */
void be_making_sweep(be_handle_t *, const char *mark);
/* be_create, leaving the mark for the caller to clear once it has filled
 * the BE (install; the caller holds the pool lock). */
be_error_t be_create_unfinished(be_handle_t *, const char *newbe,
    const be_create_opts_t *);
/* zfs destroy -r of what no one else has (a failed or interrupted
 * import): its snapshots and children, then itself; libzfs's status. */
int be_zfs_destroy_all(zfs_handle_t *);
/* Destroy the half-made be with its boot entries, mounted or not (defined
 * in be_destroy.c). */
be_error_t be_destroy_half_made(be_handle_t *, const char *be);

#endif /* BE_IMPL_H */
