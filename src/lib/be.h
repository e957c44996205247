/*
 * be.h - the public interface of libbe, beadm's boot environment library.
 *
 * A boot environment (BE) is a ZFS file system directly below a BE root
 * (e.g. rpool/ROOT/default below rpool/ROOT), together with all of its
 * descendant file systems.  Every function here reports failure by returning
 * a be_error_t other than BE_OK and leaving a message in the handle
 * (be_errmsg()); the library never prints.
 */
#ifndef BE_H
#define BE_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

typedef struct be_handle be_handle_t;

/* One code per kind of failure; beadm(8) turns each into its own exit status. */
typedef enum be_error {
	BE_OK = 0,
	BE_ERR_UNKNOWN,		/* anything not listed below */
	BE_ERR_INVALID,		/* a bad argument other than a name */
	BE_ERR_BADNAME,		/* a BE or snapshot name breaks the rules */
	BE_ERR_NOENT,		/* no such BE or snapshot */
	BE_ERR_EXISTS,		/* the BE or snapshot exists already */
	BE_ERR_NOPOOL,		/* no pool or BE root could be found or opened */
	BE_ERR_BUSY,		/* mounted, held, or another beadm is running */
	BE_ERR_PERM,		/* not permitted (not root, read-only pool) */
	BE_ERR_REFUSED,		/* the request would harm the system (e.g.
				   destroying the running BE) */
	BE_ERR_ZFS,		/* a ZFS operation failed; the message says which */
	BE_ERR_IO,		/* reading or writing a file or stream failed */
	BE_ERR_NOMEM,
	BE_ERR_NOSPACE,		/* not enough space (pool or ESP) */
	BE_ERR_BOOT,		/* the boot loader backend failed */
	BE_ERR__COUNT
} be_error_t;

/* The maximum length of a BE name (the last component of its dataset). */
#define BE_NAME_MAX	64
/* Room for a full dataset or snapshot name, as ZFS allows. */
#define BE_PATH_MAX	256

/* Handle life cycle. */
be_handle_t *be_init(void);	/* NULL only when out of memory */
void be_fini(be_handle_t *);
/*
 * Choose the BE root.  NULL means: the parent of the dataset mounted at /,
 * else the parent of the bootfs of the only imported pool that has one.
 */
be_error_t be_set_root(be_handle_t *, const char *beroot);
const char *be_root(const be_handle_t *);	/* "rpool/ROOT" */
const char *be_pool(const be_handle_t *);	/* "rpool" */
const char *be_backend_name(const be_handle_t *);

/* Errors: the code and message of the last failure. */
be_error_t be_errno(const be_handle_t *);
const char *be_errmsg(const be_handle_t *);
const char *be_strerror(be_error_t);

/* Name rules (pure: no handle, no ZFS).  On failure *why says what is wrong. */
bool be_name_valid(const char *name, const char **why);
bool be_snapname_valid(const char *snap, const char **why);
/* Split "BE@SNAP"; snap is NULL when there is no '@'.  False if too long. */
bool be_split_snapshot(const char *arg, char *be, size_t besz,
    char *snap, size_t snapsz);
/* A snapshot name that never collides: "YYYY-MM-DD-HH:MM:SS-NNNNNN". */
void be_auto_snapname(char *buf, size_t bufsz, const struct timespec *now);
/* Is path top itself or below it?  For file paths and dataset names alike:
 * "/usr/src" is within "/usr", "/usrx" is not. */
bool be_path_within(const char *path, const char *top);

/* ---- listing ---------------------------------------------------------- */

typedef struct be_dataset_info {
	char name[BE_PATH_MAX];		/* full dataset or snapshot name */
	char mountpoint[BE_PATH_MAX];	/* where mounted now, "" if not */
	char origin[BE_PATH_MAX];	/* "" if none */
	uint64_t used;
	uint64_t referenced;
	time_t creation;
	int canmount;			/* 0 off, 1 on, 2 noauto */
	bool is_snapshot;
} be_dataset_info_t;

typedef struct be_info {
	char name[BE_NAME_MAX + 1];	/* "default" */
	char dataset[BE_PATH_MAX];	/* "rpool/ROOT/default" */
	char mountpoint[BE_PATH_MAX];	/* where mounted now, "" if not */
	char origin[BE_PATH_MAX];	/* origin snapshot, "" if none */
	char description[256];		/* beadm:description, "" if unset */
	time_t creation;
	uint64_t used;			/* dataset and descendants */
	uint64_t used_ds, used_snap, used_refreserv, used_child;
	uint64_t referenced;
	uint64_t origin_used;		/* sum of the referenced bytes of the
					   origin snapshots of its datasets */
	bool active;			/* N: running now */
	bool next_boot;			/* R: boots next */
	bool next_boot_once;		/* T: boots next, once */
	size_t ndatasets;		/* the BE dataset and its descendants */
	be_dataset_info_t *datasets;
	size_t nsnapshots;		/* snapshots of all of them */
	be_dataset_info_t *snapshots;
} be_info_t;

typedef struct be_list {
	size_t count;
	be_info_t *bes;
} be_list_t;

/* List every BE below the root, sorted by name (be_list: everything). */
be_error_t be_list(be_handle_t *, be_list_t **out);
/* What be_list_flags fills beyond one be_info_t per BE (cheaper to skip). */
#define BE_LIST_DATASETS	0x1	/* datasets[], descendants in name order */
#define BE_LIST_SNAPSHOTS	0x2	/* snapshots[], per dataset, oldest first */
#define BE_LIST_ORIGINS		0x4	/* origin_used */
#define BE_LIST_ALL		0x7
be_error_t be_list_flags(be_handle_t *, int flags, be_list_t **out);
void be_list_free(be_list_t *);

/* ---- life cycle ------------------------------------------------------- */

typedef struct be_create_opts {
	const char *source;	/* BE or BE@SNAP to clone; NULL: running BE */
	const char *description;	/* NULL: none */
	const char *const *props;	/* NULL-terminated "prop=value" list */
	bool empty;		/* a new empty BE, not a clone */
} be_create_opts_t;

be_error_t be_create(be_handle_t *, const char *newbe, const be_create_opts_t *);

/* Snapshot BE recursively, atomically.  snap NULL: a generated name.
 * The full snapshot name (BE@SNAP) is written to out when out is not NULL. */
be_error_t be_snapshot(be_handle_t *, const char *be, const char *snap,
    char *out, size_t outsz);
be_error_t be_rollback(be_handle_t *, const char *be_at_snap);

#define BE_DESTROY_FORCE	0x1	/* unmount forcibly when mounted */
#define BE_DESTROY_ORIGIN	0x2	/* also destroy a user-made origin */
be_error_t be_destroy(be_handle_t *, const char *be_or_snap, int flags);

be_error_t be_rename(be_handle_t *, const char *oldname, const char *newname);

#define BE_MOUNT_FORCE		0x1	/* unmount: forcibly */
/* Mount BE and its descendants at mountpoint (NULL: a new private
 * temporary directory).  The mountpoint used is written to out. */
be_error_t be_mount(be_handle_t *, const char *be, const char *mountpoint,
    char *out, size_t outsz);
be_error_t be_unmount(be_handle_t *, const char *be, int flags);

/* The BE that boots next, as the boot loader will see it ("" if none);
 * *once tells whether that is a one-time choice. */
be_error_t be_next_boot(be_handle_t *, char *be, size_t sz, bool *once);

#define BE_ACTIVATE_ONCE	0x1	/* boot it next time only */
#define BE_ACTIVATE_CANCEL_ONCE	0x2	/* forget a boot-once request */
be_error_t be_activate(be_handle_t *, const char *be, int flags);
/* Boot be on trial: the loader tries it tries times (0: 3), then boots the
 * current default again.  Needs a systemd-boot backend. */
be_error_t be_activate_try(be_handle_t *, const char *be, int tries);
/*
 * After a boot, end a trial: when the running BE is the one on trial it
 * is activated, otherwise the fallback stays the default.  trial gets the
 * BE that was on trial ("" when none was), kept the default afterwards.
 */
be_error_t be_bless(be_handle_t *, char *trial, size_t tsz, char *kept,
    size_t ksz);
/* Write be's boot entries again (NULL: the running BE) and put beadm's
 * default back where another tool reset it. */
be_error_t be_refresh(be_handle_t *, const char *be);
/* Bring an existing BE (NULL: the running one) under the loader backend:
 * its entries, and the default when it is what boots now.  Also installs
 * the hook BE_HOOK_NAME (be_refresh) in the kernel's postinst.d and
 * postrm.d, and in initramfs' post-update.d where that exists, wherever it
 * is not there. */
be_error_t be_init_boot(be_handle_t *, const char *be);
#define BE_HOOK_NAME		"zzz-beadm"
#define BE_HOOK_DIR_KERNEL_INST	"/etc/kernel/postinst.d"
#define BE_HOOK_DIR_KERNEL_RM	"/etc/kernel/postrm.d"
#define BE_HOOK_DIR_INITRAMFS	"/etc/initramfs/post-update.d"

/* ---- kernels of a BE (beadm kernel) ---------------------------------- */

typedef struct be_kernel {
	char version[128];	/* V of the BE's /boot/vmlinuz-V */
	bool entries;		/* beadm gives it boot entries */
	bool deflt;		/* boots by default when the BE boots */
	bool pinned;		/* beadm kernel pin */
	bool added;		/* beadm wrote its files (kernel add PATH) */
} be_kernel_t;

typedef struct be_kernel_list {
	size_t count;
	be_kernel_t *kernels;	/* newest first (Debian version order) */
	unsigned keep;		/* how many of the newest get entries */
} be_kernel_list_t;

/* The kernels in be's /boot (vmlinuz-V with initrd.img-V). */
be_error_t be_kernel_list(be_handle_t *, const char *be,
    be_kernel_list_t **out);
void be_kernel_list_free(be_kernel_list_t *);
/* Give a kernel in be's /boot entries although it is not among the
 * newest (and take back an earlier removal). */
be_error_t be_kernel_add(be_handle_t *, const char *be, const char *version);
/*
 * Copy a kernel image (and initrd; NULL: initrd.img-V next to it) into
 * be's /boot as vmlinuz-V and initrd.img-V (version NULL: V from the name
 * vmlinuz-V), marked as written by beadm, and give it entries.  The
 * version used is written to out.  Refuses to replace files beadm did not
 * write.
 */
be_error_t be_kernel_add_file(be_handle_t *, const char *be,
    const char *kernel, const char *initrd, const char *version,
    char *out, size_t outsz);
/* Drop a kernel's entries; delete its files when beadm wrote them
 * (*deleted true), else only omit it.  Refuses the pinned kernel, and the
 * last kernel with entries of the running BE or the one that boots next. */
be_error_t be_kernel_remove(be_handle_t *, const char *be,
    const char *version, bool *deleted);
/* Boot version by default when be boots (NULL: unpin, the newest). */
be_error_t be_kernel_pin(be_handle_t *, const char *be, const char *version);

/* ---- streams ---------------------------------------------------------- */

/* Called now and then while a stream moves: bytes so far. */
typedef void (*be_progress_fn)(uint64_t bytes, void *arg);
be_error_t be_export(be_handle_t *, const char *be, int fd,
    be_progress_fn, void *arg);
be_error_t be_import(be_handle_t *, const char *newbe, int fd,
    be_progress_fn, void *arg);

/* ---- installing a system into a new BE ------------------------------- */

typedef struct be_install_opts {
	const char *description;	/* NULL: none */
	bool copy_config;	/* copy hostid, cmdline, fstab lines, ESP
				   UUIDs from the running system */
	bool keep_failed;	/* keep a half-made BE after a failure */
	/* debootstrap's output goes here; -1: beadm's own stdout/stderr. */
	int log_fd;
	be_progress_fn progress;	/* archive bytes read so far */
	void *arg;
	/* Told what was done or chosen ("copied /etc/hostid"); may be NULL. */
	void (*note)(const char *msg, void *arg);
	/* Becomes true (a signal handler sets it): stop and clean up. */
	const volatile sig_atomic_t *stop;
} be_install_opts_t;

/*
 * Create newbe empty (as be_create with .empty), mount it at a private
 * directory, fill it from source, unmount it: ready for be_activate.
 * source: a root-file-system tarball (.tar, .tar.gz, .tar.xz, .tar.zst)
 * or "debootstrap:SUITE".  On failure or when *stop becomes true the new
 * BE is destroyed unless keep_failed; the message says which.
 */
be_error_t be_install(be_handle_t *, const char *newbe, const char *source,
    const be_install_opts_t *);
/* The same into dir, an existing empty directory, with no BE (tests). */
be_error_t be_install_dir(be_handle_t *, const char *dir, const char *source,
    const be_install_opts_t *);

/* ---- readiness -------------------------------------------------------- */

/* Called once per finding; ok false for a problem, with a hint to fix it. */
typedef void (*be_check_fn)(bool ok, const char *what, const char *hint,
    void *arg);
/* BE_OK when every check passed, else BE_ERR_INVALID. */
be_error_t be_check(be_handle_t *, be_check_fn, void *arg);

/* ---- running programs in a BE ----------------------------------------- */

typedef struct be_chroot be_chroot_t;
/*
 * Make BE ready to chroot into: mounted with all its datasets (at a new
 * private directory unless it is mounted already) and with the system's
 * /dev, /proc, /sys and /run bound into it.  The calling process moves
 * into a private mount namespace first, so that none of these mounts is
 * seen by, or can propagate back to, the rest of the system.  Refuses the
 * running BE.  *out is NULL on failure, when nothing stays mounted.
 */
be_error_t be_chroot_enter(be_handle_t *, const char *be, be_chroot_t **out);
/* The directory to chroot into. */
const char *be_chroot_root(const be_chroot_t *);
/* Undo what be_chroot_enter did (the binds, then the BE's mount if it made
 * it), deepest first, and free c. */
be_error_t be_chroot_leave(be_handle_t *, be_chroot_t *c);

/* ---- consolidation ---------------------------------------------------- */

/*
 * Bring the operating system's datasets that lie outside the BE root (the
 * FreeBSD installer's POOL/usr, POOL/var, POOL/tmp) under a BE, so that
 * the BEs cloned from it capture them; see beadm(8), consolidate.
 */
typedef enum be_consolidate_op {
	BE_CONSOLIDATE_CREATE,	/* a canmount=off container, with props */
	BE_CONSOLIDATE_SET,	/* props on dataset, before it moves */
	BE_CONSOLIDATE_RENAME,	/* dataset to target, mounts kept */
} be_consolidate_op_t;

typedef struct be_consolidate_step {
	be_consolidate_op_t op;
	char dataset[BE_PATH_MAX];
	char target[BE_PATH_MAX];	/* rename: the new name, else "" */
	size_t nprops;
	char **props;			/* create, set: "prop=value" */
	bool done;			/* carried out */
} be_consolidate_step_t;

typedef struct be_consolidate_plan {
	char be[BE_NAME_MAX + 1];
	size_t count;
	be_consolidate_step_t *steps;	/* in the order they are done */
} be_consolidate_plan_t;

/*
 * Plan the consolidation of be (NULL: the running BE, else the one bootfs
 * names), moving also the ndatasets file systems named in datasets, and
 * when apply carry it out.  *out gets the plan (steps done marked) even
 * when a step fails; NULL when planning was refused, which changes nothing.
 */
be_error_t be_consolidate(be_handle_t *, const char *be,
    const char *const *datasets, size_t ndatasets, bool apply,
    be_consolidate_plan_t **out);
void be_consolidate_plan_free(be_consolidate_plan_t *);

/* ---- diff ------------------------------------------------------------- */

typedef enum be_diff_change {
	BE_DIFF_ADDED,
	BE_DIFF_REMOVED,
	BE_DIFF_MODIFIED,	/* files: type, mode, owner, size, link target,
				   device or contents */
	BE_DIFF_UPGRADED,	/* packages: a newer version on the new side */
	BE_DIFF_DOWNGRADED,
} be_diff_change_t;

typedef struct be_diff_entry {
	bool package;		/* a package, else a file */
	be_diff_change_t change;
	const char *name;	/* file: its path in the BE ("/etc/hosts", raw
				   bytes); package: "name" or "name:arch" */
	const char *dataset;	/* file: its dataset's place in the BE ("/",
				   "/var/log"); NULL for packages */
	const char *old_version;	/* packages; NULL on the side without */
	const char *new_version;
} be_diff_entry_t;

/* Called per difference: files first, by dataset then path, then packages
 * by name.  The strings live until it returns. */
typedef void (*be_diff_fn)(const be_diff_entry_t *, void *arg);

typedef struct be_diff_summary {
	/* false: that side has no var/lib/dpkg/status, and packages were
	 * not compared. */
	bool old_has_dpkg;
	bool new_has_dpkg;
	/* The new side as compared: the running BE's name when new was
	 * NULL. */
	char new_side[BE_PATH_MAX];
} be_diff_summary_t;

#define BE_DIFF_FILES		0x1
#define BE_DIFF_PACKAGES	0x2
/*
 * Compare old with new, each a BE or BE@SNAP (new NULL: the running BE),
 * reading only; sides not mounted are mounted read-only in a private
 * directory for the time of the call.  what: BE_DIFF_FILES and/or
 * BE_DIFF_PACKAGES.  When *stop (if stop is not NULL) becomes true, as a
 * signal handler may make it, the comparison ends early with
 * BE_ERR_UNKNOWN, unmounting what it mounted.
 */
be_error_t be_diff(be_handle_t *, const char *old, const char *new,
    int what, be_diff_fn, void *arg, be_diff_summary_t *,
    const volatile sig_atomic_t *stop);

/* ---- checkpoints before apt runs -------------------------------------- */

/* The setting beadm:apt on the BE root (unset: off). */
typedef enum be_auto_mode {
	BE_AUTO_OFF,
	BE_AUTO_SNAPSHOT,	/* a recursive snapshot of the running BE */
	BE_AUTO_CREATE		/* a new BE cloned from the running BE */
} be_auto_mode_t;
/* beadm:apt-keep when unset, and the most it may say. */
#define BE_AUTO_KEEP_DEFAULT	5
#define BE_AUTO_KEEP_MAX	10000

/* Parse the settings' values (pure); false when the value is not one. */
bool be_auto_parse_mode(const char *value, be_auto_mode_t *mode);
bool be_auto_parse_keep(const char *value, unsigned *keep);

/* Called with the name (BE or BE@SNAP) of each checkpoint retention
 * destroyed. */
typedef void (*be_auto_fn)(const char *name, void *arg);
/*
 * What `beadm apt-hook` does: when beadm:apt is set, make a checkpoint of
 * the running BE, marked beadm:made-by=apt and named apt-YYYYMMDD-HHMMSS
 * (UTC), then destroy all but the newest beadm:apt-keep marked ones of
 * each kind, skipping any that is running, boots next, mounted, or has
 * snapshots or clones of its own.  made gets BE or BE@SNAP, "" when the
 * setting is off (BE_OK, nothing done).
 */
be_error_t be_auto_checkpoint(be_handle_t *, char *made, size_t madesz,
    be_auto_fn destroyed, void *arg);

/* ---- test boots (beadm vm) -------------------------------------------- */

/*
 * Clone be into a new throwaway BE (clone gets its name, BE-vm-XXXXXX,
 * marked beadm:vm=yes) and mount it with all its datasets at a new private
 * directory (written to mnt).  be itself only gains the origin snapshot.
 */
be_error_t be_vm_prepare(be_handle_t *, const char *be, char *clone,
    size_t csz, char *mnt, size_t msz);
/* Unmount the clone; destroy it with its origin snapshot, or keep it as an
 * ordinary BE (the mark removed). */
be_error_t be_vm_release(be_handle_t *, const char *clone, bool keep);

#endif /* BE_H */
