/*
 * be_kernel.c - which of a BE's kernels get boot entries (beadm kernel):
 * settings on the BE dataset (kernel_scan.h), kernels copied into its
 * /boot, and the entries brought up to date on the ESPs after each change.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "be_impl.h"
#include "esp_io.h"
#include "kernel_scan.h"

/* A BE opened for kernel work. */
struct kbe {
	char be[BE_NAME_MAX + 1];
	char dataset[BE_PATH_MAX];
	char boot[PATH_MAX];		/* its /boot as mounted now */
	char mounted_at[PATH_MAX];	/* "" unless mounted here */
	zfs_handle_t *zhp;
	struct kscan ks;		/* the settings and kernels before */
};

static void
kbe_close(be_handle_t *h, struct kbe *kb)
{
	if (kb == NULL)
		return;
	if (kb->zhp != NULL)
		zfs_close(kb->zhp);
	if (kb->mounted_at[0] != '\0')
		be_unmount_keeping_error(h, kb->be, kb->mounted_at);
	free(kb);
}

/* Open be: its settings, and its /boot (mounting it when it is not). */
static be_error_t
kbe_open(be_handle_t *h, const char *be, struct kbe **out)
{
	struct kbe *kb = calloc(1, sizeof (*kb));
	be_error_t err;

	*out = NULL;
	if (kb == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	snprintf(kb->be, sizeof (kb->be), "%s", be);
	if ((err = be_existing_dataset(h, be, kb->dataset,
	    sizeof (kb->dataset))) != BE_OK) {
		kbe_close(h, kb);
		return (err);
	}
	if ((kb->zhp = zfsa_open(h->lzh, kb->dataset, ZFS_TYPE_FILESYSTEM)) ==
	    NULL) {
		kbe_close(h, kb);
		return (be_set_zfs_error(h, "cannot open %s", kb->dataset));
	}
	if ((err = kscan_settings(h, kb->zhp, &kb->ks)) != BE_OK) {
		kbe_close(h, kb);
		return (err);
	}
	if ((err = be_boot_dir(h, be, kb->zhp, kb->boot, sizeof (kb->boot),
	    kb->mounted_at, sizeof (kb->mounted_at))) != BE_OK) {
		kbe_close(h, kb);
		return (err);
	}
	kscan_dir(kb->boot, NULL, &kb->ks);
	*out = kb;
	return (BE_OK);
}

/* The index of version among the kernels of ks, -1 if it is not there. */
static int
find_version(const struct kscan *ks, const char *version)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i], version) == 0)
			return ((int)i);
	return (-1);
}

static be_error_t
check_version(be_handle_t *h, const char *version)
{
	if (version == NULL || !sdb_kver_valid(version))
		return (be_set_error(h, BE_ERR_INVALID, "'%s' is not a kernel "
		    "version: use letters, digits and . _ - ~ (at most %d "
		    "characters), as in vmlinuz-VERSION", version ? version :
		    "", SDB_KVER_MAX));
	return (BE_OK);
}

static be_error_t
need_kernel(be_handle_t *h, const struct kbe *kb, const char *version)
{
	if (find_version(&kb->ks, version) < 0)
		return (be_set_error(h, BE_ERR_NOENT, "boot environment '%s' has "
		    "no kernel %s: its /boot holds no vmlinuz-%s with an "
		    "initrd.img-%s (see 'beadm kernel list %s')", kb->be,
		    version, version, version, kb->be));
	return (BE_OK);
}

/* ---- settings --------------------------------------------------------- */

/* The settings a change writes; "" clears one (a local "" also hides a
 * received value, which an inherit would not). */
struct knew {
	char pin[SDB_KVER_MAX + 1];
	char add[KSEL_LIST_MAX];
	char omit[KSEL_LIST_MAX];
	char added[KSEL_LIST_MAX];
};

static void
knew_from(const struct kscan *ks, struct knew *n)
{
	snprintf(n->pin, sizeof (n->pin), "%s", ks->pin);
	snprintf(n->add, sizeof (n->add), "%s", ks->add);
	snprintf(n->omit, sizeof (n->omit), "%s", ks->omit);
	snprintf(n->added, sizeof (n->added), "%s", ks->added);
}

static be_error_t
list_change(be_handle_t *h, const char *list, const char *v, bool add,
    char *buf, size_t sz)
{
	char tmp[KSEL_LIST_MAX];
	bool ok = add ? ksel_list_add(list, v, tmp, sizeof (tmp)) :
	    ksel_list_remove(list, v, tmp, sizeof (tmp));

	if (!ok || strlen(tmp) >= sz)
		return (be_set_error(h, BE_ERR_INVALID, "too many kernel "
		    "versions in one setting (at most %d characters)",
		    KSEL_LIST_MAX - 1));
	snprintf(buf, sz, "%s", tmp);
	return (BE_OK);
}

static be_error_t
set_one(be_handle_t *h, struct kbe *kb, const char *prop, const char *old,
    const char *value)
{
	if (strcmp(old, value) == 0)
		return (BE_OK);
	if (zfsa_set_prop(kb->zhp, prop, value) != 0)
		return (be_set_zfs_error(h, "cannot set %s on %s", prop,
		    kb->dataset));
	return (BE_OK);
}

/* Write the settings that differ from kb's; from kb's back when from
 * and to are swapped (undo). */
static be_error_t
settings_write(be_handle_t *h, struct kbe *kb, const struct knew *from,
    const struct knew *to)
{
	be_error_t err;

	if ((err = set_one(h, kb, BE_PROP_KERNEL_PIN, from->pin, to->pin)) ||
	    (err = set_one(h, kb, BE_PROP_KERNEL_ADD, from->add, to->add)) ||
	    (err = set_one(h, kb, BE_PROP_KERNEL_OMIT, from->omit,
	    to->omit)) ||
	    (err = set_one(h, kb, BE_PROP_KERNEL_ADDED, from->added,
	    to->added)))
		return (err);
	return (BE_OK);
}

/* The choice with the new settings, over the kernels in /boot less skip. */
static void
choose_with(const struct kbe *kb, const struct knew *n, const char *skip,
    struct kscan *out)
{
	*out = kb->ks;
	snprintf(out->pin, sizeof (out->pin), "%s", n->pin);
	snprintf(out->add, sizeof (out->add), "%s", n->add);
	snprintf(out->omit, sizeof (out->omit), "%s", n->omit);
	kscan_dir(kb->boot, skip, out);
}

/*
 * Apply new settings and bring the BE's entries up to date; when the
 * entries cannot be written, the settings go back to what they were.
 */
static be_error_t
apply(be_handle_t *h, struct kbe *kb, const struct knew *n)
{
	struct knew old;
	be_error_t err;

	knew_from(&kb->ks, &old);
	if ((err = settings_write(h, kb, &old, n)) != BE_OK) {
		(void) settings_write(h, kb, n, &old);
		return (err);
	}
	if (h->backend == NULL)
		return (BE_OK);
	if ((err = be_boot_refresh(h, kb->be)) != BE_OK) {
		struct be_saved_error saved;

		be_error_save(h, &saved);
		(void) settings_write(h, kb, n, &old);
		(void) be_error_restore(h, &saved);
	}
	return (err);
}

/* ---- list ------------------------------------------------------------- */

be_error_t
be_kernel_list(be_handle_t *h, const char *be, be_kernel_list_t **out)
{
	be_kernel_list_t *l;
	struct kbe *kb;
	be_error_t err;
	size_t i;

	*out = NULL;
	if ((err = kbe_open(h, be, &kb)) != BE_OK)
		return (err);
	if ((l = calloc(1, sizeof (*l))) == NULL ||
	    (l->kernels = calloc(kb->ks.n + 1, sizeof (*l->kernels))) ==
	    NULL) {
		free(l);
		kbe_close(h, kb);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	l->keep = kb->ks.keep;
	for (i = 0; i < kb->ks.n; i++) {
		be_kernel_t *k = &l->kernels[i];

		snprintf(k->version, sizeof (k->version), "%s", kb->ks.v[i]);
		k->entries = kb->ks.entries[i];
		k->deflt = kb->ks.deflt == (int)i;
		k->pinned = strcmp(kb->ks.pin, k->version) == 0;
		k->added = ksel_list_has(kb->ks.added, k->version);
	}
	l->count = kb->ks.n;
	kbe_close(h, kb);
	*out = l;
	return (be_ok(h));
}

void
be_kernel_list_free(be_kernel_list_t *l)
{
	if (l == NULL)
		return;
	free(l->kernels);
	free(l);
}

/* ---- add -------------------------------------------------------------- */

/* The settings that give version entries. */
static be_error_t
with_entries(be_handle_t *h, const struct kbe *kb, const char *version,
    struct knew *n)
{
	be_error_t err;

	knew_from(&kb->ks, n);
	if ((err = list_change(h, n->omit, version, false, n->omit,
	    sizeof (n->omit))) != BE_OK ||
	    (err = list_change(h, n->add, version, true, n->add,
	    sizeof (n->add))) != BE_OK)
		return (err);
	return (BE_OK);
}

static be_error_t
refuse_too_many(be_handle_t *h, const struct kbe *kb, const struct knew *n,
    const char *version)
{
	struct kscan *after = malloc(sizeof (*after));
	int i;
	bool has;

	if (after == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	choose_with(kb, n, NULL, after);
	has = (i = find_version(after, version)) >= 0 && after->entries[i];
	free(after);
	if (!has)
		return (be_set_error(h, BE_ERR_INVALID, "boot environment '%s' "
		    "has %d kernels with boot entries, the most beadm writes; "
		    "remove one first ('beadm kernel remove')", kb->be,
		    KSEL_MAX));
	return (BE_OK);
}

be_error_t
be_kernel_add(be_handle_t *h, const char *be, const char *version)
{
	struct knew n;
	struct kbe *kb = NULL;
	be_error_t err;

	if ((err = check_version(h, version)) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = kbe_open(h, be, &kb)) == BE_OK &&
	    (err = need_kernel(h, kb, version)) == BE_OK &&
	    (err = with_entries(h, kb, version, &n)) == BE_OK &&
	    (err = refuse_too_many(h, kb, &n, version)) == BE_OK)
		err = apply(h, kb, &n);
	kbe_close(h, kb);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}

/* An existing regular file to copy from. */
static be_error_t
source_file(be_handle_t *h, const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return (be_set_error(h, errno == ENOENT ? BE_ERR_NOENT :
		    BE_ERR_IO, "cannot read the %s %s: %s", what, path,
		    strerror(errno)));
	if (!S_ISREG(st.st_mode))
		return (be_set_error(h, BE_ERR_INVALID, "the %s %s is not a "
		    "regular file", what, path));
	return (BE_OK);
}

/* V from ".../vmlinuz-V". */
static be_error_t
version_from_name(be_handle_t *h, const char *path, char *buf, size_t sz)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (strncmp(base, "vmlinuz-", 8) != 0 || base[8] == '\0' ||
	    strlen(base + 8) >= sz)
		return (be_set_error(h, BE_ERR_INVALID, "cannot tell the "
		    "kernel version from the name %s (not vmlinuz-VERSION); "
		    "give it with --version", base));
	snprintf(buf, sz, "%s", base + 8);
	return (check_version(h, buf));
}

/* Files of version in /boot that beadm did not write stay untouched. */
static be_error_t
refuse_foreign(be_handle_t *h, const struct kbe *kb, const char *version)
{
	static const char *const prefix[] = { "vmlinuz-", "initrd.img-" };
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	if (ksel_list_has(kb->ks.added, version))
		return (BE_OK);
	for (i = 0; i < 2; i++) {
		if ((size_t)snprintf(path, sizeof (path), "%s/%s%s", kb->boot,
		    prefix[i], version) < sizeof (path) &&
		    lstat(path, &st) == 0)
			return (be_set_error(h, BE_ERR_EXISTS, "%s exists in "
			    "boot environment '%s' and was not written by "
			    "beadm, which leaves it alone; to give that kernel "
			    "entries use 'beadm kernel add %s %s'", path + strlen(
			    kb->boot) - 5, kb->be, kb->be, version));
	}
	return (BE_OK);
}

static be_error_t
copy_in(be_handle_t *h, const struct kbe *kb, const char *prefix,
    const char *version, const char *src)
{
	char rel[NAME_MAX + 1];
	int rc;

	snprintf(rel, sizeof (rel), "%s%s", prefix, version);
	if ((rc = esp_copy(kb->boot, rel, src)) != 0)
		return (be_set_error(h, rc == ENOSPC ? BE_ERR_NOSPACE :
		    BE_ERR_IO, "cannot write %s/%s in boot environment '%s': %s",
		    "/boot", rel, kb->be, strerror(rc)));
	return (BE_OK);
}

static void
delete_kernel(const struct kbe *kb, const char *version)
{
	char rel[NAME_MAX + 1];

	snprintf(rel, sizeof (rel), "initrd.img-%s", version);
	(void) esp_unlink(kb->boot, rel);
	snprintf(rel, sizeof (rel), "vmlinuz-%s", version);
	(void) esp_unlink(kb->boot, rel);
}

be_error_t
be_kernel_add_file(be_handle_t *h, const char *be, const char *kernel,
    const char *initrd, const char *version, char *out, size_t outsz)
{
	char v[SDB_KVER_MAX + 1], ipath[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	struct knew n;
	struct kbe *kb = NULL;
	bool existed;
	be_error_t err;

	if (version != NULL) {
		if ((err = check_version(h, version)) != BE_OK)
			return (err);
		snprintf(v, sizeof (v), "%s", version);
	} else if ((err = version_from_name(h, kernel, v, sizeof (v))) !=
	    BE_OK) {
		return (err);
	}
	if (initrd == NULL) {
		slash = strrchr(kernel, '/');
		snprintf(dir, sizeof (dir), "%.*s", slash ? (int)(slash -
		    kernel) : 1, slash ? kernel : ".");
		if ((size_t)snprintf(ipath, sizeof (ipath), "%s/initrd.img-%s",
		    dir, v) >= sizeof (ipath))
			return (be_set_error(h, BE_ERR_INVALID, "the path of "
			    "the kernel %s is too long", kernel));
		initrd = ipath;
	}
	if ((err = source_file(h, kernel, "kernel")) != BE_OK ||
	    (err = source_file(h, initrd, "initrd")) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = kbe_open(h, be, &kb)) != BE_OK ||
	    (err = refuse_foreign(h, kb, v)) != BE_OK ||
	    (err = with_entries(h, kb, v, &n)) != BE_OK ||
	    (err = list_change(h, n.added, v, true, n.added,
	    sizeof (n.added))) != BE_OK)
		goto out;
	existed = find_version(&kb->ks, v) >= 0;
	/* Marked as beadm's before the files exist: a crash in between
	 * leaves a mark without files, never files beadm would not own. */
	if ((err = set_one(h, kb, BE_PROP_KERNEL_ADDED, kb->ks.added,
	    n.added)) != BE_OK)
		goto out;
	snprintf(kb->ks.added, sizeof (kb->ks.added), "%s", n.added);
	if (mkdir(kb->boot, 0755) != 0 && errno != EEXIST) {
		err = be_set_error(h, BE_ERR_IO, "cannot create /boot in boot "
		    "environment '%s': %s", be, strerror(errno));
	} else if ((err = copy_in(h, kb, "initrd.img-", v, initrd)) == BE_OK) {
		err = copy_in(h, kb, "vmlinuz-", v, kernel);
	}
	if (err == BE_OK)
		err = apply(h, kb, &n);
	if (err != BE_OK && !existed) {
		struct be_saved_error saved;
		struct knew back;

		be_error_save(h, &saved);
		delete_kernel(kb, v);
		knew_from(&kb->ks, &back);
		(void) list_change(h, back.added, v, false, back.added,
		    sizeof (back.added));
		(void) set_one(h, kb, BE_PROP_KERNEL_ADDED, kb->ks.added,
		    back.added);
		(void) be_error_restore(h, &saved);
	}
out:
	kbe_close(h, kb);
	be_unlock(h);
	if (err == BE_OK)
		snprintf(out, outsz, "%s", v);
	return (err == BE_OK ? be_ok(h) : err);
}

/* ---- remove ----------------------------------------------------------- */

/* Would be be left without a kernel to boot while it runs or boots next? */
static be_error_t
refuse_last(be_handle_t *h, const struct kbe *kb, const struct knew *n,
    const char *skip, const char *version)
{
	char running[BE_PATH_MAX], deflt[BE_PATH_MAX], once[BE_PATH_MAX];
	struct kscan *after = malloc(sizeof (*after));
	int deflt_after;
	be_error_t err;

	if (after == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	choose_with(kb, n, skip, after);
	deflt_after = after->deflt;
	free(after);
	if (deflt_after >= 0)
		return (BE_OK);
	be_running_name(h, running, sizeof (running));
	if ((err = be_boot_state(h, deflt, sizeof (deflt), once,
	    sizeof (once))) != BE_OK)
		return (err);
	if (strcmp(running, kb->be) == 0 || strcmp(deflt, kb->be) == 0 ||
	    strcmp(once, kb->be) == 0)
		return (be_set_error(h, BE_ERR_REFUSED, "kernel %s is the last "
		    "kernel with boot entries of boot environment '%s', which "
		    "%s; it would not boot.  Add another kernel first ('beadm "
		    "kernel add'); nothing was changed", version, kb->be,
		    strcmp(running, kb->be) == 0 ? "is running" :
		    "boots next"));
	return (BE_OK);
}

be_error_t
be_kernel_remove(be_handle_t *h, const char *be, const char *version,
    bool *deleted)
{
	struct knew n;
	struct kbe *kb = NULL;
	bool ours;
	be_error_t err;

	*deleted = false;
	if ((err = check_version(h, version)) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = kbe_open(h, be, &kb)) != BE_OK ||
	    (err = need_kernel(h, kb, version)) != BE_OK)
		goto out;
	if (strcmp(kb->ks.pin, version) == 0) {
		err = be_set_error(h, BE_ERR_REFUSED, "kernel %s is pinned in "
		    "boot environment '%s'; unpin it first ('beadm kernel unpin "
		    "%s'); nothing was changed", version, be, be);
		goto out;
	}
	ours = ksel_list_has(kb->ks.added, version);
	knew_from(&kb->ks, &n);
	if ((err = list_change(h, n.add, version, false, n.add,
	    sizeof (n.add))) != BE_OK ||
	    (err = list_change(h, n.omit, version, !ours, n.omit,
	    sizeof (n.omit))) != BE_OK ||
	    (err = list_change(h, n.added, version, false, n.added,
	    sizeof (n.added))) != BE_OK ||
	    (err = refuse_last(h, kb, &n, ours ? version : NULL,
	    version)) != BE_OK)
		goto out;
	if (ours) {
		/* The files go first: a crash before the mark goes leaves a
		 * mark without files, never beadm's files unmarked. */
		delete_kernel(kb, version);
		*deleted = true;
	}
	err = apply(h, kb, &n);
out:
	kbe_close(h, kb);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}

/* ---- pin -------------------------------------------------------------- */

be_error_t
be_kernel_pin(be_handle_t *h, const char *be, const char *version)
{
	struct knew n;
	struct kbe *kb = NULL;
	be_error_t err;

	if (version != NULL && (err = check_version(h, version)) != BE_OK)
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = kbe_open(h, be, &kb)) == BE_OK && (version == NULL ||
	    (err = need_kernel(h, kb, version)) == BE_OK)) {
		knew_from(&kb->ks, &n);
		snprintf(n.pin, sizeof (n.pin), "%s", version ? version : "");
		err = apply(h, kb, &n);
	}
	kbe_close(h, kb);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}
