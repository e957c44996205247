/*
 * sdboot.c - the systemd-boot backends: Proxmox VE (ESPs by UUID) and
 * generic (one mounted ESP).  doc/esp.md is the layout they write.
 *
 * Every event becomes a change set (BEs whose entries are written, BEs
 * whose entries are removed, the new default, a trial started or ended),
 * carried out on every ESP in an order that keeps each one bootable between
 * any two file operations, under a journal that the next run finishes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backend.h"
#include "efivar.h"
#include "esp.h"
#include "esp_io.h"
#include "kernel_scan.h"
#include "kstore.h"
#include "sdb_journal.h"
#include "sdboot_entry.h"

#define MAX_KERNELS	KSEL_MAX	/* kernels of one BE with entries */
#define MAX_BES		SDB_MAX_BES
#define DEFAULT_TRIES	3

struct sdb {
	bool proxmox;		/* ESPs by UUID, mounted privately */
	bool open;
	struct esp_set esps;
	/* An interrupted change of another BE root (another pool's) that
	 * its own runs finish; none of ours starts over it. */
	char foreign[BE_PATH_MAX];
};

/* One kernel of a BE: the files stay open until they are copied. */
struct kfile {
	int fd;
	char hash[KSTORE_HASH_LEN + 1];
	uint64_t size;
};

struct kernel {
	char kver[SDB_KVER_MAX + 1];
	struct kfile linux_f;
	struct kfile initrd_f;
};

/* What a BE's entries are made from. */
struct bootfiles {
	char be[BE_NAME_MAX + 1];
	char dataset[BE_PATH_MAX];
	char mounted_at[BE_PATH_MAX];	/* "" unless beadm mounted it */
	char title[SDB_FIELD_MAX];
	char options[SDB_OPTIONS_MAX];
	struct kernel k[MAX_KERNELS];	/* the default kernel first */
	size_t nk;
	bool split_sort;	/* another kernel sorts before the default */
};

/* One entry file to be on every ESP. */
struct wanted {
	char file[SDB_FIELD_MAX];
	char text[SDB_OPTIONS_MAX + 4 * SDB_FIELD_MAX];
};


/* A change set made concrete: files and bytes. */
struct plan {
	struct bootfiles bf[MAX_BES + 1];
	size_t nbf;
	struct wanted *want;
	size_t nwant;
	char pattern[SDB_FIELD_MAX];	/* new loader.conf default, "" keep */
	const struct sdb_change *c;
};

static be_error_t sdb_apply(be_handle_t *, struct sdb *,
    const struct sdb_change *);

/* ---- state and opening ------------------------------------------------ */

static struct sdb *
state(be_handle_t *h)
{
	if (h->boot == NULL)
		h->boot = calloc(1, sizeof (struct sdb));
	return (h->boot);
}

static void
sdb_fini(be_handle_t *h)
{
	struct sdb *s = h->boot;

	if (s == NULL)
		return;
	if (s->open)
		esp_set_close(&s->esps);
	free(s);
	h->boot = NULL;
}

static const char *const esp_paths[] = { "/efi", "/boot/efi", "/boot", NULL };

/* The generic backend's ESP: the setting, else a FAT mount with loader/. */
static bool
find_esp(be_handle_t *h, char *buf, size_t sz)
{
	char loaderdir[PATH_MAX];
	size_t i;

	be_root_setting(h, BE_PROP_ESP, buf, sz);
	if (buf[0] != '\0')
		return (true);
	for (i = 0; esp_paths[i] != NULL; i++) {
		snprintf(loaderdir, sizeof (loaderdir), "%s/loader",
		    esp_paths[i]);
		if (esp_is_fat_mount(esp_paths[i]) &&
		    access(loaderdir, F_OK) == 0) {
			snprintf(buf, sz, "%s", esp_paths[i]);
			return (true);
		}
	}
	return (false);
}

static be_error_t recover(be_handle_t *, struct sdb *);

static be_error_t
sdb_open(be_handle_t *h, struct sdb **out)
{
	struct sdb *s = state(h);
	char path[PATH_MAX];
	const char *file;
	be_error_t err;

	*out = s;
	if (s == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	if (s->open)
		return (BE_OK);
	s->proxmox = h->backend == &be_backend_proxmox;
	if (s->proxmox) {
		if ((file = esp_uuid_file()) == NULL)
			return (be_set_error(h, BE_ERR_NOENT, "the proxmox boot "
			    "loader backend needs /etc/kernel/proxmox-boot-uuids "
			    "(see proxmox-boot-tool(8))"));
		err = esp_set_open_uuids(h, &s->esps, file);
	} else {
		if (!find_esp(h, path, sizeof (path)))
			return (be_set_error(h, BE_ERR_NOENT, "no EFI system "
			    "partition found at /efi, /boot/efi or /boot; name "
			    "it with 'zfs set %s=PATH %s'", BE_PROP_ESP,
			    h->root));
		err = esp_set_open_path(h, &s->esps, path);
	}
	if (err != BE_OK)
		return (err);
	s->open = true;
	return (recover(h, s));
}

static bool
proxmox_probe(be_handle_t *h)
{
	return (esp_uuid_file() != NULL);
}

static bool
sdboot_probe(be_handle_t *h)
{
	char path[PATH_MAX];

	return (find_esp(h, path, sizeof (path)));
}

/* ---- small helpers ---------------------------------------------------- */

static bool
be_exists(be_handle_t *h, const char *be)
{
	char ds[BE_PATH_MAX];

	if ((size_t)snprintf(ds, sizeof (ds), "%s/%s", h->root, be) >=
	    sizeof (ds))
		return (false);
	return (zfsa_exists(h->lzh, ds, ZFS_TYPE_FILESYSTEM));
}

static bool
in_list(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != NULL && strcmp(v[i], s) == 0)
			return (true);
	return (false);
}

static be_error_t
esp_error(be_handle_t *h, const struct esp *e, int rc, const char *what,
    const char *rel)
{
	return (be_set_error(h, rc == ENOSPC ? BE_ERR_NOSPACE : BE_ERR_BOOT,
	    "EFI system partition %s: cannot %s %s: %s",
	    e->id[0] ? e->id : e->root, what, rel, strerror(rc)));
}

/* The BE an entry boots: from beadm's name, else from root=ZFS= in it. */
static void
entry_be(be_handle_t *h, const struct sdb_name *n,
    const struct sdb_entry *e, char *be, size_t sz)
{
	const char *p, *ds;
	size_t rootlen = strlen(h->root), len;

	be[0] = '\0';
	if (n->kind != SDB_FOREIGN) {
		snprintf(be, sz, "%s", n->be);
		return;
	}
	for (p = e->options; (p = strstr(p, "root=ZFS=")) != NULL; p++) {
		if (p != e->options && p[-1] != ' ')
			continue;
		ds = p + strlen("root=ZFS=");
		len = strcspn(ds, " \t");
		if (len > rootlen && strncmp(ds, h->root, rootlen) == 0 &&
		    ds[rootlen] == '/' &&
		    memchr(ds + rootlen + 1, '/', len - rootlen - 1) == NULL)
			snprintf(be, sz, "%.*s", (int)(len - rootlen - 1),
			    ds + rootlen + 1);
		return;
	}
}

/* ---- reading an ESP --------------------------------------------------- */

/* The entries on one ESP as systemd-boot sees them. */
struct seen {
	char **names;
	size_t n;
	struct sdb_entry *e;
	struct sdb_name *nm;
	struct sdb_seen *v;
};

static void
seen_free(struct seen *s)
{
	esp_names_free(s->names, s->n);
	free(s->e);
	free(s->nm);
	free(s->v);
	memset(s, 0, sizeof (*s));
}

static be_error_t
seen_read(be_handle_t *h, const struct esp *esp, struct seen *s)
{
	size_t i, len;
	char rel[PATH_MAX], *text;
	int rc;

	memset(s, 0, sizeof (*s));
	if ((rc = esp_list(esp->root, SDB_ENTRIES_DIR, &s->names, &s->n)) != 0)
		return (esp_error(h, esp, rc, "list", SDB_ENTRIES_DIR));
	s->e = calloc(s->n + 1, sizeof (*s->e));
	s->nm = calloc(s->n + 1, sizeof (*s->nm));
	s->v = calloc(s->n + 1, sizeof (*s->v));
	if (s->e == NULL || s->nm == NULL || s->v == NULL) {
		seen_free(s);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	for (i = 0; i < s->n; i++) {
		if (!sdb_name_parse(s->names[i], &s->nm[i]))
			continue;	/* not an entry: systemd-boot skips it */
		snprintf(rel, sizeof (rel), "%s/%s", SDB_ENTRIES_DIR,
		    s->names[i]);
		if (esp_read(esp->root, rel, &text, &len) == 0) {
			sdb_entry_parse(text, &s->e[i]);
			free(text);
		}
	}
	/* Only names that are entries take part in the choice. */
	len = 0;
	for (i = 0; i < s->n; i++) {
		if (s->nm[i].id[0] == '\0')
			continue;
		s->v[len].file = s->names[i];
		s->v[len].sort_key = s->e[i].sort_key;
		s->v[len].version = s->e[i].version;
		len++;
	}
	return (BE_OK);
}

/* The index into s->names of the v[] element k. */
static size_t
seen_index(const struct seen *s, int k)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->names[i] == s->v[k].file)
			return (i);
	return (0);
}

static size_t
seen_count(const struct seen *s)
{
	size_t i, c = 0;

	for (i = 0; i < s->n; i++)
		if (s->nm[i].id[0] != '\0')
			c++;
	return (c);
}

/* loader.conf's default on the ESP, "" if none (or no file). */
static void
loader_default(const struct esp *esp, char *buf, size_t sz)
{
	char *text;
	size_t len;

	buf[0] = '\0';
	if (esp_read(esp->root, SDB_LOADER_CONF, &text, &len) == 0) {
		sdb_loader_default(text, buf, sz);
		free(text);
	}
}

/* Which BE the pattern (with oneshot) picks among the entries seen. */
static void
chosen_be(be_handle_t *h, const struct seen *s, const char *pattern,
    const char *oneshot, char *be, size_t sz)
{
	int k = sdb_select(s->v, seen_count(s), pattern, oneshot);
	size_t i;

	be[0] = '\0';
	if (k < 0)
		return;
	i = seen_index(s, k);
	entry_be(h, &s->nm[i], &s->e[i], be, sz);
}

/* The BE the ESP boots by default (EFI LoaderEntryDefault wins over
 * loader.conf, as in systemd-boot) and once (LoaderEntryOneShot). */
static be_error_t
esp_boot_state(be_handle_t *h, const struct esp *esp, char *deflt,
    size_t dsz, char *once, size_t osz)
{
	char pattern[SDB_FIELD_MAX], var[SDB_FIELD_MAX], dir[PATH_MAX];
	struct seen s;
	be_error_t err;
	bool efi = efivar_available(dir, sizeof (dir));

	if ((err = seen_read(h, esp, &s)) != BE_OK)
		return (err);
	loader_default(esp, pattern, sizeof (pattern));
	if (efi && efivar_get_string("LoaderEntryDefault", var,
	    sizeof (var)) == 0 && var[0] != '\0')
		snprintf(pattern, sizeof (pattern), "%s", var);
	chosen_be(h, &s, pattern, NULL, deflt, dsz);
	once[0] = '\0';
	if (efi && efivar_get_string("LoaderEntryOneShot", var,
	    sizeof (var)) == 0 && var[0] != '\0')
		chosen_be(h, &s, pattern, var, once, osz);
	seen_free(&s);
	return (BE_OK);
}

/* ---- a BE's kernels --------------------------------------------------- */

static void
bootfiles_release(be_handle_t *h, struct bootfiles *bf)
{
	size_t i;

	for (i = 0; i < bf->nk; i++) {
		if (bf->k[i].linux_f.fd >= 0)
			close(bf->k[i].linux_f.fd);
		if (bf->k[i].initrd_f.fd >= 0)
			close(bf->k[i].initrd_f.fd);
	}
	bf->nk = 0;
	if (bf->mounted_at[0] != '\0') {
		be_unmount_keeping_error(h, bf->be, bf->mounted_at);
		bf->mounted_at[0] = '\0';
	}
}

static be_error_t
open_kfile(be_handle_t *h, const char *dir, const char *prefix,
    const char *kver, struct kfile *kf)
{
	char path[PATH_MAX];
	int rc;

	struct stat st;

	snprintf(path, sizeof (path), "%s/%s%s", dir, prefix, kver);
	/* dir is the BE's /boot resolved inside it (be_boot_dir): the file
	 * itself must be a regular one there, not a link that could lead
	 * to one of the host's. */
	kf->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (kf->fd < 0)
		return (be_set_error(h, BE_ERR_BOOT, "cannot open %s: %s",
		    path, errno == ELOOP ? "it is a symbolic link; beadm boots "
		    "kernels and initrds that are regular files in the BE's "
		    "/boot" : strerror(errno)));
	if (fstat(kf->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return (be_set_error(h, BE_ERR_BOOT, "cannot use %s: it is not "
		    "a regular file", path));
	snprintf(path, sizeof (path), "/proc/self/fd/%d", kf->fd);
	if ((rc = kstore_hash_file(path, kf->hash, &kf->size)) != 0)
		return (be_set_error(h, BE_ERR_BOOT, "cannot read %s/%s%s: "
		    "%s", dir, prefix, kver, strerror(rc)));
	return (BE_OK);
}

static be_error_t
add_kernel(be_handle_t *h, const char *dir, const char *kver,
    struct bootfiles *bf)
{
	struct kernel *k = &bf->k[bf->nk++];
	be_error_t err;

	snprintf(k->kver, sizeof (k->kver), "%s", kver);
	k->linux_f.fd = k->initrd_f.fd = -1;
	if ((err = open_kfile(h, dir, "vmlinuz-", kver, &k->linux_f)) != BE_OK)
		return (err);
	return (open_kfile(h, dir, "initrd.img-", kver, &k->initrd_f));
}

/*
 * The kernels in dir (a BE's /boot) that get entries (kernel_select.h),
 * the default first.  systemd-boot lists a BE's entries by version, and
 * loader.conf's pattern picks the first: when another kernel would come
 * before the default, the default gets a sort key of its own.
 */
static be_error_t
pick_kernels(be_handle_t *h, const char *dir, struct kscan *ks,
    struct bootfiles *bf)
{
	be_error_t err = BE_OK;
	size_t i;

	kscan_dir(dir, NULL, ks);
	if (ks->deflt < 0)
		return (BE_OK);
	err = add_kernel(h, dir, ks->v[ks->deflt], bf);
	for (i = 0; err == BE_OK && i < ks->n && bf->nk < MAX_KERNELS; i++) {
		if (!ks->entries[i] || (int)i == ks->deflt)
			continue;
		if (sdb_kver_cmp(ks->v[i], bf->k[0].kver) < 0)
			bf->split_sort = true;
		err = add_kernel(h, dir, ks->v[i], bf);
	}
	return (err);
}

/* A template that does not fit is an error, never cut. */
static be_error_t
template_fits(be_handle_t *h, const char *from, const char *text,
    size_t sz)
{
	size_t n = strlen(text);

	if (n < sz)
		return (BE_OK);
	return (be_set_error(h, BE_ERR_INVALID, "the kernel command line in "
	    "%s is %zu bytes long; beadm writes at most %zu", from, n,
	    sz - 1));
}

/* The command-line template: the BE's own beadm:cmdline, the BE root's,
 * the first line of /etc/kernel/cmdline, or /proc/cmdline. */
static be_error_t
cmdline_template(be_handle_t *h, zfs_handle_t *zhp, char *buf, size_t sz)
{
	static const char *const files[] = { "/etc/kernel/cmdline",
	    "/proc/cmdline", NULL };
	char value[ZFSA_USER_PROP_MAX], from[BE_PATH_MAX + 32];
	char *line = NULL;
	size_t i, cap = 0;
	be_error_t err;
	FILE *f;

	if (zfsa_user_prop(zhp, BE_PROP_CMDLINE, value, sizeof (value)) &&
	    value[0] != '\0') {
		snprintf(from, sizeof (from), "%s of %s", BE_PROP_CMDLINE,
		    zfs_get_name(zhp));
	} else {
		be_root_setting(h, BE_PROP_CMDLINE, value, sizeof (value));
		snprintf(from, sizeof (from), "%s of %s", BE_PROP_CMDLINE,
		    h->root);
	}
	if (value[0] != '\0') {
		if ((err = template_fits(h, from, value, sz)) == BE_OK)
			snprintf(buf, sz, "%s", value);
		return (err);
	}
	for (i = 0; files[i] != NULL; i++) {
		if ((f = fopen(files[i], "re")) == NULL)
			continue;
		if (getline(&line, &cap, f) < 0 && line != NULL)
			line[0] = '\0';
		fclose(f);
		if (line == NULL)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if ((err = template_fits(h, files[i], line, sz)) == BE_OK)
			snprintf(buf, sz, "%s", line);
		free(line);
		return (err);
	}
	free(line);
	buf[0] = '\0';
	return (BE_OK);
}

/* Find be's kernels (mounting it when it is not mounted) and what its
 * entries say. */
static be_error_t
bootfiles_get(be_handle_t *h, const char *be, struct bootfiles *bf)
{
	char boot[PATH_MAX], desc[SDB_FIELD_MAX];
	char template[SDB_OPTIONS_MAX];
	zfs_handle_t *zhp;
	struct kscan *ks;
	be_error_t err;

	memset(bf, 0, sizeof (*bf));
	snprintf(bf->be, sizeof (bf->be), "%s", be);
	if ((err = be_existing_dataset(h, be, bf->dataset,
	    sizeof (bf->dataset))) != BE_OK)
		return (err);
	if ((zhp = zfsa_open(h->lzh, bf->dataset, ZFS_TYPE_FILESYSTEM)) ==
	    NULL)
		return (be_set_zfs_error(h, "cannot open %s", bf->dataset));
	if ((ks = calloc(1, sizeof (*ks))) == NULL) {
		zfs_close(zhp);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	if (!zfsa_user_prop(zhp, BE_PROP_DESCRIPTION, desc, sizeof (desc)))
		desc[0] = '\0';
	if ((err = cmdline_template(h, zhp, template, sizeof (template))) ==
	    BE_OK)
		err = kscan_settings(h, zhp, ks);
	if (err == BE_OK)
		err = be_boot_dir(h, be, zhp, boot, sizeof (boot),
		    bf->mounted_at, sizeof (bf->mounted_at));
	zfs_close(zhp);
	if (err != BE_OK) {
		free(ks);
		return (err);
	}
	if (desc[0] != '\0')
		snprintf(bf->title, sizeof (bf->title), "%s: %s", be, desc);
	else
		snprintf(bf->title, sizeof (bf->title), "%s", be);
	if (!sdb_cmdline(template, be, bf->dataset, bf->options,
	    sizeof (bf->options)))
		err = be_set_error(h, BE_ERR_INVALID, "the kernel command "
		    "line for '%s' is too long", be);
	if (err == BE_OK)
		err = pick_kernels(h, boot, ks, bf);
	free(ks);
	return (err);
}

/* ---- planning --------------------------------------------------------- */

static be_error_t
want_entry(be_handle_t *h, struct plan *p, enum sdb_kind kind,
    const struct bootfiles *bf, const struct kernel *k, int tries,
    const char *sort_key, const char *suffix)
{
	struct wanted *w, *v;
	struct sdb_entry e;

	if ((v = realloc(p->want, (p->nwant + 1) * sizeof (*v))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	p->want = v;
	w = &v[p->nwant];
	memset(&e, 0, sizeof (e));
	snprintf(e.title, sizeof (e.title), "%s%s", bf->title, suffix);
	snprintf(e.version, sizeof (e.version), "%s", k->kver);
	snprintf(e.sort_key, sizeof (e.sort_key), "%s", sort_key);
	kstore_entry_path(k->linux_f.hash, e.linux_path,
	    sizeof (e.linux_path));
	kstore_entry_path(k->initrd_f.hash, e.initrd_path,
	    sizeof (e.initrd_path));
	snprintf(e.options, sizeof (e.options), "%s", bf->options);
	if (!sdb_name_format(kind, bf->be, k->kver, tries, w->file,
	    sizeof (w->file)) ||
	    sdb_entry_render(&e, w->text, sizeof (w->text)) < 0)
		return (be_set_error(h, BE_ERR_BADNAME, "the boot entry of "
		    "'%s' with kernel %s would be too long", bf->be, k->kver));
	p->nwant++;
	return (BE_OK);
}

static struct bootfiles *
plan_bootfiles(struct plan *p, const char *be)
{
	size_t i;

	for (i = 0; i < p->nbf; i++)
		if (strcmp(p->bf[i].be, be) == 0)
			return (&p->bf[i]);
	return (NULL);
}

static be_error_t
plan_be(be_handle_t *h, struct plan *p, const char *be,
    struct bootfiles **out)
{
	struct bootfiles *bf = plan_bootfiles(p, be);
	be_error_t err;

	if (bf == NULL) {
		bf = &p->bf[p->nbf++];
		if ((err = bootfiles_get(h, be, bf)) != BE_OK)
			return (err);
	}
	*out = bf;
	return (BE_OK);
}

static void
plan_free(be_handle_t *h, struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nbf; i++)
		bootfiles_release(h, &p->bf[i]);
	free(p->want);
	memset(p, 0, sizeof (*p));
}

static be_error_t
no_kernel(be_handle_t *h, const struct bootfiles *bf)
{
	return (be_set_error(h, BE_ERR_INVALID, "boot environment '%s' has "
	    "no kernel to boot: its /boot holds no vmlinuz-VERSION with a "
	    "matching initrd.img-VERSION", bf->be));
}

static be_error_t
plan_make(be_handle_t *h, const struct sdb_change *c, struct plan *p)
{
	struct bootfiles *bf, *fb;
	char sort_key[SDB_FIELD_MAX];
	be_error_t err = BE_OK;
	size_t i, k;

	memset(p, 0, sizeof (*p));
	p->c = c;
	for (i = 0; err == BE_OK && i < c->nwrite; i++) {
		if ((err = plan_be(h, p, c->write[i], &bf)) != BE_OK)
			break;
		/* The menu groups a BE's kernels under its sort key; the
		 * default goes first (pick_kernels). */
		for (k = 0; err == BE_OK && k < bf->nk; k++) {
			snprintf(sort_key, sizeof (sort_key), "beadm-%s%s",
			    bf->be, k > 0 && bf->split_sort ? "~older" : "");
			err = want_entry(h, p, SDB_NORMAL, bf, &bf->k[k], -1,
			    sort_key, "");
		}
	}
	if (err == BE_OK && c->need_kernel != NULL &&
	    ((bf = plan_bootfiles(p, c->need_kernel)) == NULL || bf->nk == 0))
		return (bf ? no_kernel(h, bf) : be_set_error(h, BE_ERR_BOOT,
		    "internal error: '%s' not planned", c->need_kernel));
	if (err == BE_OK && c->deflt != NULL) {
		bf = plan_bootfiles(p, c->deflt);
		if (bf == NULL || bf->nk == 0)
			return (bf ? no_kernel(h, bf) : be_set_error(h,
			    BE_ERR_BOOT, "internal error: default '%s' not "
			    "planned", c->deflt));
		sdb_be_pattern(c->deflt, p->pattern, sizeof (p->pattern));
	}
	if (err == BE_OK && c->trial != NULL) {
		if ((err = plan_be(h, p, c->trial, &bf)) != BE_OK ||
		    (err = plan_be(h, p, c->fallback, &fb)) != BE_OK)
			return (err);
		if (bf->nk == 0)
			return (no_kernel(h, bf));
		if (fb->nk == 0)
			return (no_kernel(h, fb));
		if ((err = want_entry(h, p, SDB_TRY, bf, &bf->k[0], c->tries,
		    "beadm~1", " (on trial)")) != BE_OK ||
		    (err = want_entry(h, p, SDB_FALLBACK, fb, &fb->k[0], -1,
		    "beadm~2", " (fallback)")) != BE_OK)
			return (err);
	}
	if (err == BE_OK && c->default_trial)
		snprintf(p->pattern, sizeof (p->pattern), "beadm~*");
	return (err);
}

/* Is the entry file (on the ESP) one this change removes? */
static bool
unwanted(const struct plan *p, const struct sdb_name *n, const char *file)
{
	const struct sdb_change *c = p->c;
	size_t i;

	if (n->kind == SDB_FOREIGN)
		return (false);
	for (i = 0; i < p->nwant; i++)
		if (strcmp(p->want[i].file, file) == 0)
			return (false);
	if (n->kind == SDB_TRY || n->kind == SDB_FALLBACK)
		/* A trial's entries change name as it boots: only a new
		 * trial or the end of one removes them. */
		return (c->end_trial || c->trial != NULL ||
		    in_list(c->remove, c->nremove, n->be));
	return (in_list(c->write, c->nwrite, n->be) ||
	    in_list(c->remove, c->nremove, n->be));
}

/* ---- space ------------------------------------------------------------ */

static uint64_t
round_up(uint64_t n, uint64_t unit)
{
	return (unit ? (n + unit - 1) / unit * unit : n);
}

static be_error_t
check_space(be_handle_t *h, const struct esp *esp, const struct plan *p)
{
	struct statvfs sv;
	uint64_t need, avail, unit;
	size_t i, k, j;
	const char *seen[2 * (MAX_BES + 1) * MAX_KERNELS];
	size_t nseen = 0;

	if (statvfs(esp->root, &sv) != 0)
		return (esp_error(h, esp, errno, "measure", "free space"));
	unit = sv.f_bsize ? sv.f_bsize : 4096;
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	/* Journal, loader.conf and a temporary copy of each. */
	need = 4 * unit;
	for (i = 0; i < p->nwant; i++)
		need += round_up(strlen(p->want[i].text), unit);
	for (i = 0; i < p->nbf; i++) {
		for (k = 0; k < p->bf[i].nk; k++) {
			const struct kfile *f[2] = { &p->bf[i].k[k].linux_f,
			    &p->bf[i].k[k].initrd_f };

			for (j = 0; j < 2; j++) {
				if (in_list(seen, nseen, f[j]->hash) ||
				    kstore_has(esp->root, f[j]->hash))
					continue;
				seen[nseen++] = f[j]->hash;
				need += round_up(f[j]->size, unit);
			}
		}
	}
	if (need > avail)
		return (be_set_error(h, BE_ERR_NOSPACE, "EFI system partition "
		    "%s has %llu KiB free and needs %llu KiB for these boot "
		    "entries and kernels (free space there, or remove kernels "
		    "from the BE's /boot)",
		    esp->id[0] ? esp->id : esp->root,
		    (unsigned long long)(avail / 1024),
		    (unsigned long long)(need / 1024)));
	return (BE_OK);
}

/* ---- the journal ------------------------------------------------------ */

static be_error_t
journal_write(be_handle_t *h, struct sdb *s, const struct sdb_change *c)
{
	char text[2048 + BE_PATH_MAX];
	int len = sdb_journal_text(h->root, c, text, sizeof (text));
	size_t i;
	int rc;

	if (len < 0)
		return (be_set_error(h, BE_ERR_BOOT, "journal too long"));
	for (i = 0; i < s->esps.n; i++) {
		const struct esp *e = &s->esps.v[i];

		if ((rc = esp_mkdirs(e->root, "beadm")) != 0)
			return (esp_error(h, e, rc, "create", "beadm/"));
		if ((rc = esp_write(e->root, SDB_JOURNAL, text, (size_t)len)) != 0)
			return (esp_error(h, e, rc, "write", SDB_JOURNAL));
	}
	return (BE_OK);
}

static be_error_t
journal_clear(be_handle_t *h, struct sdb *s)
{
	size_t i;
	int rc;

	for (i = 0; i < s->esps.n; i++)
		if ((rc = esp_unlink(s->esps.v[i].root, SDB_JOURNAL)) != 0 ||
		    (rc = esp_unlink(s->esps.v[i].root,
		    SDB_JOURNAL ESP_TMP_SUFFIX)) != 0)
			return (esp_error(h, &s->esps.v[i], rc, "delete",
			    SDB_JOURNAL));
	return (BE_OK);
}

/* sdb_journal_change's question: does this BE exist now? */
static bool
exists_now(void *h, const char *be)
{
	return (be_exists(h, be));
}

/* Refuse to start a change while another root's is unfinished: it would
 * overwrite that one's journal. */
static be_error_t
refuse_foreign_journal(be_handle_t *h, const struct sdb *s)
{
	if (s->foreign[0] == '\0')
		return (BE_OK);
	return (be_set_error(h, BE_ERR_BUSY, "the EFI system partitions hold "
	    "an interrupted change of the boot environments of %s; finish it "
	    "first with 'beadm -r %s refresh' (if that BE root is gone for "
	    "good, delete %s on every ESP); nothing was changed",
	    s->foreign, s->foreign, SDB_JOURNAL));
}

static be_error_t
recover(be_handle_t *h, struct sdb *s)
{
	struct sdb_jchange j;
	char *text = NULL;
	size_t i, len;
	be_error_t err;

	if ((err = esp_enter(h, &s->esps)) != BE_OK)
		return (err);
	for (i = 0; i < s->esps.n && text == NULL; i++)
		if (esp_read(s->esps.v[i].root, SDB_JOURNAL, &text, &len) != 0)
			text = NULL;
	/* Killed while writing the journal: nothing else was changed yet,
	 * so an empty change set sweeps the temporary files. */
	for (i = 0; i < s->esps.n && text == NULL; i++)
		if (esp_exists(s->esps.v[i].root, SDB_JOURNAL ESP_TMP_SUFFIX))
			text = strdup(SDB_JOURNAL_MAGIC "\n");
	esp_leave(&s->esps);
	if (text == NULL)
		return (BE_OK);
	if (strncmp(text, SDB_JOURNAL_MAGIC "\n", strlen(SDB_JOURNAL_MAGIC) + 1) != 0) {
		free(text);
		return (be_set_error(h, BE_ERR_BOOT, "%s on an EFI system "
		    "partition is not a beadm journal; move it away", SDB_JOURNAL));
	}
	/* Only the change of this BE root is ours to finish: from what
	 * another root's BEs are, ours would read theirs as gone.  (A
	 * journal without a root line is from before roots were named.) */
	sdb_journal_root(text, s->foreign, sizeof (s->foreign));
	if (s->foreign[0] != '\0' && strcmp(s->foreign, h->root) != 0) {
		free(text);
		return (BE_OK);
	}
	s->foreign[0] = '\0';
	/*
	 * A journal is also what a beadm running right now leaves while it
	 * works: finish it only holding the pool lock, and leave it to its
	 * owner when another beadm holds the lock.
	 */
	if (be_lock(h) != BE_OK) {
		free(text);
		return (be_ok(h));
	}
	sdb_journal_change(text, exists_now, h, &j);
	err = sdb_apply(h, s, &j.c);
	be_unlock(h);
	free(text);
	if (err != BE_OK)
		return (be_set_error(h, err, "finishing an interrupted change "
		    "of the EFI system partitions: %s", be_errmsg(h)));
	return (BE_OK);
}

/* ---- carrying a plan out ---------------------------------------------- */

static bool
same_content(const char *root, const char *rel, const char *text)
{
	char *old;
	size_t len;
	bool same;

	if (esp_read(root, rel, &old, &len) != 0)
		return (false);
	same = len == strlen(text) && memcmp(old, text, len) == 0;
	free(old);
	return (same);
}

static be_error_t
put_kernels(be_handle_t *h, const struct esp *e, const struct plan *p)
{
	char src[64];
	size_t i, k, j;
	int rc;

	for (i = 0; i < p->nbf; i++) {
		for (k = 0; k < p->bf[i].nk; k++) {
			const struct kfile *f[2] = { &p->bf[i].k[k].linux_f,
			    &p->bf[i].k[k].initrd_f };

			for (j = 0; j < 2; j++) {
				snprintf(src, sizeof (src), "/proc/self/fd/%d",
				    f[j]->fd);
				if ((rc = kstore_put(e->root, f[j]->hash,
				    src)) != 0)
					return (esp_error(h, e, rc, "store",
					    f[j]->hash));
			}
		}
	}
	return (BE_OK);
}

static be_error_t
write_entries(be_handle_t *h, const struct esp *e, const struct plan *p)
{
	char rel[PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < p->nwant; i++) {
		snprintf(rel, sizeof (rel), "%s/%s", SDB_ENTRIES_DIR,
		    p->want[i].file);
		if (same_content(e->root, rel, p->want[i].text))
			continue;
		if ((rc = esp_write(e->root, rel, p->want[i].text,
		    strlen(p->want[i].text))) != 0)
			return (esp_error(h, e, rc, "write", rel));
	}
	return (BE_OK);
}

static be_error_t
write_default(be_handle_t *h, const struct esp *e, const char *pattern)
{
	char *old = NULL, *text;
	size_t len;
	int rc;

	if (esp_read(e->root, SDB_LOADER_CONF, &old, &len) != 0)
		old = NULL;
	text = sdb_loader_with_default(old, pattern);
	if (text == NULL) {
		free(old);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	rc = 0;
	if (old == NULL || strcmp(old, text) != 0)
		rc = esp_write(e->root, SDB_LOADER_CONF, text, strlen(text));
	free(old);
	free(text);
	return (rc ? esp_error(h, e, rc, "write", SDB_LOADER_CONF) : BE_OK);
}

/* Delete the entries the change removes, and beadm's leftover temporary
 * files (an interrupted write leaves them). */
static be_error_t
delete_entries(be_handle_t *h, const struct esp *e, const struct plan *p)
{
	char **names, rel[PATH_MAX];
	size_t n, i, len;
	struct sdb_name nm;
	be_error_t err = BE_OK;
	int rc;

	if ((rc = esp_list(e->root, SDB_ENTRIES_DIR, &names, &n)) != 0)
		return (esp_error(h, e, rc, "list", SDB_ENTRIES_DIR));
	for (i = 0; err == BE_OK && i < n; i++) {
		len = strlen(names[i]);
		snprintf(rel, sizeof (rel), "%s/%s", SDB_ENTRIES_DIR, names[i]);
		if (strncmp(names[i], "beadm", 5) == 0 &&
		    len > strlen(ESP_TMP_SUFFIX) &&
		    strcmp(names[i] + len - strlen(ESP_TMP_SUFFIX),
		    ESP_TMP_SUFFIX) == 0) {
			/* our own temporary file: fall through to delete */
		} else if (!sdb_name_parse(names[i], &nm) ||
		    !unwanted(p, &nm, names[i])) {
			continue;
		}
		if ((rc = esp_unlink(e->root, rel)) != 0)
			err = esp_error(h, e, rc, "delete", rel);
	}
	esp_names_free(names, n);
	if (err == BE_OK && (rc = esp_unlink(e->root, SDB_LOADER_CONF
	    ESP_TMP_SUFFIX)) != 0)
		err = esp_error(h, e, rc, "delete", SDB_LOADER_CONF);
	return (err);
}

/* One ESP, in the order that keeps it bootable after every step. */
static be_error_t
apply_one(be_handle_t *h, const struct esp *e, const struct plan *p)
{
	be_error_t err;
	int rc;

	if ((rc = esp_mkdirs(e->root, KSTORE_DIR)) != 0)
		return (esp_error(h, e, rc, "create", KSTORE_DIR));
	if ((rc = esp_mkdirs(e->root, SDB_ENTRIES_DIR)) != 0)
		return (esp_error(h, e, rc, "create", SDB_ENTRIES_DIR));
	if ((err = put_kernels(h, e, p)) != BE_OK ||
	    (err = write_entries(h, e, p)) != BE_OK)
		return (err);
	if (p->pattern[0] != '\0' &&
	    (err = write_default(h, e, p->pattern)) != BE_OK)
		return (err);
	if ((err = delete_entries(h, e, p)) != BE_OK)
		return (err);
	if ((rc = kstore_gc(e->root, NULL)) != 0)
		return (esp_error(h, e, rc, "clean", KSTORE_DIR));
	return (BE_OK);
}

/* GRUB's EFI binary where proxmox-boot-tool puts it on an ESP it runs in
 * GRUB mode (Secure Boot installs); GRUB then reads grub/grub.cfg and no
 * systemd-boot entry. */
#if defined(__aarch64__)
#define	PROXMOX_GRUB_EFI	"EFI/proxmox/grubaa64.efi"
#else
#define	PROXMOX_GRUB_EFI	"EFI/proxmox/grubx64.efi"
#endif
/* The firmware's directory, there only when the kernel was started by UEFI:
 * without it proxmox-boot-tool runs every ESP in GRUB mode (legacy BIOS). */
#define	FIRMWARE_EFI_DIR	"/sys/firmware/efi"

enum grub_mode { NOT_GRUB, GRUB_EFI, GRUB_LEGACY_BIOS };

/*
 * Does proxmox-boot-tool run ESP e in GRUB mode?  The same test as its
 * zz-proxmox-boot: a machine not started by UEFI (every ESP), or GRUB's EFI
 * binary on the ESP.  If so, why, in why.  (Entered.)
 */
static enum grub_mode
grub_mode(const struct sdb *s, const struct esp *e, char *why, size_t sz)
{
	char path[PATH_MAX + 32];
	struct stat st;

	if (!s->proxmox)
		return (NOT_GRUB);
	if (stat(FIRMWARE_EFI_DIR, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, sz, "this machine did not start by UEFI (no %s)",
		    FIRMWARE_EFI_DIR);
		return (GRUB_LEGACY_BIOS);
	}
	snprintf(path, sizeof (path), "%s/%s", e->root, PROXMOX_GRUB_EFI);
	if (access(path, F_OK) != 0)
		return (NOT_GRUB);
	snprintf(why, sz, "it holds %s", PROXMOX_GRUB_EFI);
	return (GRUB_EFI);
}

/* Entries or a default written where GRUB boots would be a promise that
 * does not hold: refuse before anything is changed.  (ESPs entered.) */
static be_error_t
refuse_grub_mode(be_handle_t *h, const struct sdb *s)
{
	char why[128];
	size_t i;

	for (i = 0; i < s->esps.n; i++) {
		const struct esp *e = &s->esps.v[i];

		if (grub_mode(s, e, why, sizeof (why)) != NOT_GRUB)
			return (be_set_error(h, BE_ERR_REFUSED, "ESP %s is in "
			    "GRUB mode (%s): GRUB boots from it and would "
			    "ignore beadm's systemd-boot entries, and beadm "
			    "does not drive GRUB yet; nothing was changed",
			    e->id[0] != '\0' ? e->id : e->root, why));
	}
	return (BE_OK);
}

/* FAT folds case: two BEs whose names differ only in case would share
 * their entry files.  BEs about to lose their entries (skip) do not count. */
struct fold {
	const char *name;
	const char *const *skip;
	size_t nskip;
	char clash[BE_NAME_MAX + 1];
};

static int
fold_cb(zfs_handle_t *zhp, void *arg)
{
	struct fold *f = arg;
	const char *base = strrchr(zfs_get_name(zhp), '/');
	size_t i;
	bool skipped = false;

	base = base ? base + 1 : zfs_get_name(zhp);
	for (i = 0; i < f->nskip; i++)
		skipped = skipped || strcmp(base, f->skip[i]) == 0;
	if (strcasecmp(base, f->name) == 0 && strcmp(base, f->name) != 0 &&
	    !skipped)
		snprintf(f->clash, sizeof (f->clash), "%s", base);
	zfs_close(zhp);
	return (0);
}

static be_error_t
check_case(be_handle_t *h, const char *name, const char *const *skip,
    size_t nskip)
{
	struct fold f = { .name = name, .skip = skip, .nskip = nskip };
	zfs_handle_t *root = zfsa_open(h->lzh, h->root, ZFS_TYPE_FILESYSTEM);

	if (root == NULL)
		return (be_set_zfs_error(h, "cannot open %s", h->root));
	f.clash[0] = '\0';
	(void) zfsa_iter_filesystems(root, fold_cb, &f);
	zfs_close(root);
	if (f.clash[0] != '\0')
		return (be_set_error(h, BE_ERR_EXISTS, "boot environment '%s' "
		    "differs from '%s' only in case, which the EFI system "
		    "partition (FAT) cannot tell apart: their boot entries "
		    "would be the same files; rename one of them (beadm rename "
		    "or zfs rename); nothing was changed", name, f.clash));
	return (BE_OK);
}

/* No BE whose entries c writes may share them with another BE, however
 * the BEs were made (zfs create by hand, an import, another tool). */
static be_error_t
check_case_change(be_handle_t *h, const struct sdb_change *c)
{
	be_error_t err = BE_OK;
	size_t i;

	for (i = 0; err == BE_OK && i < c->nwrite; i++)
		err = check_case(h, c->write[i], c->remove, c->nremove);
	return (err);
}

static be_error_t
sdb_apply(be_handle_t *h, struct sdb *s, const struct sdb_change *c)
{
	struct plan p;
	be_error_t err;
	size_t i;

	/* Inside the private namespace, BEs mounted to read their kernels
	 * vanish with the process, even when it is killed. */
	if ((err = esp_enter(h, &s->esps)) != BE_OK)
		return (err);
	if (c->nwrite > 0 || c->deflt != NULL || c->default_trial) {
		if ((err = refuse_grub_mode(h, s)) != BE_OK ||
		    (err = check_case_change(h, c)) != BE_OK) {
			esp_leave(&s->esps);
			return (err);
		}
	}
	if ((err = refuse_foreign_journal(h, s)) != BE_OK ||
	    (err = be_lock_esps(h)) != BE_OK) {
		esp_leave(&s->esps);
		return (err);
	}
	err = plan_make(h, c, &p);
	for (i = 0; err == BE_OK && i < s->esps.n; i++)
		err = check_space(h, &s->esps.v[i], &p);
	if (err == BE_OK)
		err = journal_write(h, s, c);
	for (i = 0; err == BE_OK && i < s->esps.n; i++)
		err = apply_one(h, &s->esps.v[i], &p);
	/* The pool's bootfs follows the default before the journal goes, so
	 * that an interrupted activation is finished on both. */
	if (err == BE_OK && c->deflt != NULL)
		err = be_boot_activate_bootfs(h, c->deflt);
	if (err == BE_OK)
		err = journal_clear(h, s);
	be_unlock_esps(h);
	plan_free(h, &p);
	esp_leave(&s->esps);
	return (err);
}

/* ---- the hooks -------------------------------------------------------- */

static be_error_t
open_and_state(be_handle_t *h, struct sdb **s, char *deflt, size_t dsz,
    char *once, size_t osz)
{
	be_error_t err;

	if ((err = sdb_open(h, s)) != BE_OK ||
	    (err = esp_enter(h, &(*s)->esps)) != BE_OK)
		return (err);
	err = esp_boot_state(h, &(*s)->esps.v[0], deflt, dsz, once, osz);
	esp_leave(&(*s)->esps);
	return (err);
}

static be_error_t
sdb_next_boot(be_handle_t *h, char *deflt, size_t dsz, char *once,
    size_t osz)
{
	struct sdb *s;

	return (open_and_state(h, &s, deflt, dsz, once, osz));
}

/* The trial on the first ESP: beadm~try-T and beadm~fallback-F. */
static be_error_t
sdb_trial(be_handle_t *h, char *trial, size_t tsz, char *fallback,
    size_t fsz)
{
	struct sdb *s;
	struct seen seen;
	be_error_t err;
	size_t i;

	trial[0] = fallback[0] = '\0';
	if ((err = sdb_open(h, &s)) != BE_OK ||
	    (err = esp_enter(h, &s->esps)) != BE_OK)
		return (err);
	err = seen_read(h, &s->esps.v[0], &seen);
	esp_leave(&s->esps);
	if (err != BE_OK)
		return (err);
	for (i = 0; i < seen.n; i++) {
		if (seen.nm[i].kind == SDB_TRY)
			snprintf(trial, tsz, "%s", seen.nm[i].be);
		else if (seen.nm[i].kind == SDB_FALLBACK)
			snprintf(fallback, fsz, "%s", seen.nm[i].be);
	}
	seen_free(&seen);
	return (BE_OK);
}

/* The BE whose entries loader.conf picks now, "" when none of beadm's. */
static void
current_default(be_handle_t *h, struct sdb *s, char *be, size_t sz)
{
	char once[BE_PATH_MAX];

	if (esp_enter(h, &s->esps) != BE_OK ||
	    esp_boot_state(h, &s->esps.v[0], be, sz, once,
	    sizeof (once)) != BE_OK)
		be[0] = '\0';
	esp_leave(&s->esps);
}

static be_error_t
refuse_if_trial(be_handle_t *h, const char *be)
{
	char trial[BE_PATH_MAX], fallback[BE_PATH_MAX];
	be_error_t err;

	if ((err = sdb_trial(h, trial, sizeof (trial), fallback,
	    sizeof (fallback))) != BE_OK)
		return (err);
	if (strcmp(trial, be) == 0 || strcmp(fallback, be) == 0)
		return (be_set_error(h, BE_ERR_BUSY, "boot environment '%s' is "
		    "part of a trial boot (%s on trial, %s as fallback); end it "
		    "with 'beadm bless' or 'beadm activate' first", be, trial,
		    fallback));
	return (BE_OK);
}

static be_error_t
sdb_prepare(be_handle_t *h, const char *be, const char *newbe)
{
	struct sdb_change c = { .nwrite = 0 };
	char deflt[BE_PATH_MAX];
	struct sdb *s;
	be_error_t err;

	if ((err = sdb_open(h, &s)) != BE_OK)
		return (err);
	if (newbe != NULL && (err = check_case(h, newbe, &be, be != NULL)) !=
	    BE_OK)
		return (err);
	if (be != NULL && (err = refuse_if_trial(h, be)) != BE_OK)
		return (err);
	/* What the next run must settle if this one stops half-way. */
	if (be != NULL)
		c.remove[c.nremove++] = be;
	if (newbe != NULL)
		c.write[c.nwrite++] = newbe;
	if (be != NULL && newbe != NULL) {
		current_default(h, s, deflt, sizeof (deflt));
		if (strcmp(deflt, be) == 0)
			c.deflt = newbe;
	}
	if ((err = refuse_foreign_journal(h, s)) != BE_OK ||
	    (err = esp_enter(h, &s->esps)) != BE_OK)
		return (err);
	if ((newbe == NULL || (err = refuse_grub_mode(h, s)) == BE_OK) &&
	    (err = be_lock_esps(h)) == BE_OK) {
		err = journal_write(h, s, &c);
		be_unlock_esps(h);
	}
	esp_leave(&s->esps);
	return (err);
}

static void
sdb_cancel(be_handle_t *h)
{
	struct sdb *s = h->boot;
	struct be_saved_error why;

	if (s == NULL || !s->open)
		return;
	be_error_save(h, &why);
	if (s->foreign[0] == '\0' && esp_enter(h, &s->esps) == BE_OK) {
		if (be_lock_esps(h) == BE_OK) {
			(void) journal_clear(h, s);
			be_unlock_esps(h);
		}
		esp_leave(&s->esps);
	}
	(void) be_error_restore(h, &why);
}

/* Open the ESPs (finishing an interrupted change) and carry c out. */
static be_error_t
sdb_run(be_handle_t *h, const struct sdb_change *c)
{
	struct sdb *s;
	be_error_t err;

	if ((err = sdb_open(h, &s)) != BE_OK)
		return (err);
	return (sdb_apply(h, s, c));
}

static be_error_t
sdb_create(be_handle_t *h, const char *be)
{
	struct sdb_change c = { .write = { be }, .nwrite = 1 };

	return (sdb_run(h, &c));
}

/*
 * systemd-boot prefers the EFI variable LoaderEntryDefault (bootctl
 * set-default) to loader.conf: while it is set, changing loader.conf would
 * not change what boots, so say so instead of pretending.
 */
static be_error_t
refuse_efi_default(be_handle_t *h)
{
	char dir[PATH_MAX], var[SDB_FIELD_MAX];

	if (efivar_available(dir, sizeof (dir)) &&
	    efivar_get_string("LoaderEntryDefault", var, sizeof (var)) == 0 &&
	    var[0] != '\0')
		return (be_set_error(h, BE_ERR_REFUSED, "the EFI variable "
		    "LoaderEntryDefault (set by 'bootctl set-default') is '%s' "
		    "and overrides loader.conf, so activating would not change "
		    "what boots; clear it with 'bootctl set-default \"\"' and "
		    "activate again", var));
	return (BE_OK);
}

static be_error_t
sdb_activate(be_handle_t *h, const char *be)
{
	struct sdb_change c = { .write = { be }, .nwrite = 1, .deflt = be,
	    .end_trial = true };
	be_error_t err;

	if ((err = refuse_efi_default(h)) != BE_OK)
		return (err);
	return (sdb_run(h, &c));
}

static be_error_t
sdb_activate_once(be_handle_t *h, const char *be)
{
	struct sdb_change c = { .write = { be }, .nwrite = 1, .need_kernel = be };
	char dir[PATH_MAX], pattern[SDB_FIELD_MAX];
	be_error_t err;
	int rc;

	if (!efivar_available(dir, sizeof (dir)))
		return (be_set_error(h, BE_ERR_INVALID, "booting a BE once "
		    "needs systemd-boot's EFI variables, and efivarfs is not "
		    "mounted at /sys/firmware/efi/efivars (was this system "
		    "booted through UEFI?); nothing was changed"));
	if (be == NULL) {
		if ((rc = efivar_delete("LoaderEntryOneShot")) != 0)
			return (be_set_error(h, BE_ERR_BOOT, "cannot delete "
			    "the EFI variable LoaderEntryOneShot: %s",
			    strerror(rc)));
		return (BE_OK);
	}
	/* Its entries must be there for the loader to find. */
	if ((err = sdb_run(h, &c)) != BE_OK)
		return (err);
	sdb_be_pattern(be, pattern, sizeof (pattern));
	if ((rc = efivar_set_string("LoaderEntryOneShot", pattern)) != 0)
		return (be_set_error(h, BE_ERR_BOOT, "cannot set the EFI "
		    "variable LoaderEntryOneShot: %s", strerror(rc)));
	return (BE_OK);
}

static be_error_t
sdb_activate_try(be_handle_t *h, const char *be, int tries)
{
	char deflt[BE_PATH_MAX], trial[BE_PATH_MAX], fallback[BE_PATH_MAX];
	struct sdb_change c = { .nwrite = 0 };
	struct sdb *s;
	be_error_t err;

	if ((err = refuse_efi_default(h)) != BE_OK ||
	    (err = sdb_open(h, &s)) != BE_OK ||
	    (err = sdb_trial(h, trial, sizeof (trial), fallback,
	    sizeof (fallback))) != BE_OK)
		return (err);
	if (trial[0] != '\0')
		/* A trial's fallback is what booted before it, not a trial. */
		snprintf(deflt, sizeof (deflt), "%s", fallback);
	else
		current_default(h, s, deflt, sizeof (deflt));
	if (deflt[0] == '\0' || !be_exists(h, deflt))
		return (be_set_error(h, BE_ERR_INVALID, "cannot tell which "
		    "boot environment boots now, to fall back to it; activate "
		    "one with 'beadm activate' first"));
	if (strcmp(deflt, be) == 0)
		return (be_set_error(h, BE_ERR_INVALID, "boot environment '%s' "
		    "is the default already; a trial needs another one to fall "
		    "back to", be));
	c.write[c.nwrite++] = be;
	c.write[c.nwrite++] = deflt;
	c.trial = be;
	c.fallback = deflt;
	c.tries = tries > 0 ? tries : DEFAULT_TRIES;
	c.default_trial = true;
	return (sdb_apply(h, s, &c));
}

/* Write be's entries again and put beadm's default back where another
 * tool (proxmox-boot-tool refresh) reset it: the trial while one is on,
 * else the BE the pool's bootfs names. */
static be_error_t
sdb_refresh(be_handle_t *h, const char *be)
{
	char bootfs[BE_PATH_MAX], trial[BE_PATH_MAX], fallback[BE_PATH_MAX];
	struct sdb_change c = { .nwrite = 0 };
	struct sdb *s;
	be_error_t err;

	if ((err = sdb_open(h, &s)) != BE_OK ||
	    (err = sdb_trial(h, trial, sizeof (trial), fallback,
	    sizeof (fallback))) != BE_OK ||
	    (err = be_bootfs(h, bootfs, sizeof (bootfs))) != BE_OK)
		return (err);
	if (be != NULL)
		c.write[c.nwrite++] = be;
	if (trial[0] != '\0' && fallback[0] != '\0') {
		c.default_trial = true;
	} else if (bootfs[0] != '\0' && be_exists(h, bootfs)) {
		c.deflt = bootfs;
		if (!in_list(c.write, c.nwrite, bootfs))
			c.write[c.nwrite++] = bootfs;
	}
	return (sdb_apply(h, s, &c));
}

static be_error_t
sdb_rename(be_handle_t *h, const char *oldbe, const char *newbe)
{
	struct sdb_change c = { .write = { newbe }, .nwrite = 1,
	    .remove = { oldbe }, .nremove = 1 };
	char deflt[SDB_FIELD_MAX], old[SDB_FIELD_MAX];
	struct sdb *s;
	be_error_t err;

	if ((err = sdb_open(h, &s)) != BE_OK ||
	    (err = esp_enter(h, &s->esps)) != BE_OK)
		return (err);
	loader_default(&s->esps.v[0], deflt, sizeof (deflt));
	esp_leave(&s->esps);
	/* loader.conf named the old entries by pattern: follow the BE. */
	sdb_be_pattern(oldbe, old, sizeof (old));
	if (strcasecmp(deflt, old) == 0)
		c.deflt = newbe;
	return (sdb_apply(h, s, &c));
}

static be_error_t
sdb_destroy(be_handle_t *h, const char *be)
{
	struct sdb_change c = { .remove = { be }, .nremove = 1 };

	return (sdb_run(h, &c));
}

/* ---- check: each ESP against what beadm set ---------------------------- */

/* The default beadm keeps: the trial's while one is on, else the BE the
 * pool's bootfs names ("" when it keeps none). */
static be_error_t
wanted_default(be_handle_t *h, char *pattern, size_t psz, char *be,
    size_t bsz)
{
	char bootfs[BE_PATH_MAX], trial[BE_PATH_MAX], fallback[BE_PATH_MAX];
	be_error_t err;

	pattern[0] = be[0] = '\0';
	if ((err = sdb_trial(h, trial, sizeof (trial), fallback,
	    sizeof (fallback))) != BE_OK ||
	    (err = be_bootfs(h, bootfs, sizeof (bootfs))) != BE_OK)
		return (err);
	if (trial[0] != '\0' && fallback[0] != '\0') {
		snprintf(pattern, psz, "beadm~*");
		snprintf(be, bsz, "%s (on trial)", trial);
	} else if (bootfs[0] != '\0' && be_exists(h, bootfs) &&
	    sdb_be_pattern(bootfs, pattern, psz)) {
		snprintf(be, bsz, "%s", bootfs);
	}
	return (BE_OK);
}

/* Who likely wrote a default that is not beadm's. */
static const char *
default_writer(const char *pattern)
{
	if (strncmp(pattern, "proxmox-", 8) == 0)
		return ("proxmox-boot-tool (its refresh, reinit, kernel pin or "
		    "kernel hooks) rewrote loader.conf");
	if (pattern[0] == '\0')
		return ("loader.conf has no default line (rewritten by another "
		    "tool?)");
	return ("another tool rewrote loader.conf");
}

static be_error_t
sdb_check_esps(be_handle_t *h, be_esp_finding_fn fn, void *arg)
{
	char want[SDB_FIELD_MAX], wantbe[BE_PATH_MAX + 16];
	char pattern[SDB_FIELD_MAX], var[SDB_FIELD_MAX], dir[PATH_MAX];
	char boots[BE_PATH_MAX], once[BE_PATH_MAX];
	char what[PATH_MAX + 2 * BE_PATH_MAX + 3 * SDB_FIELD_MAX + 512];
	char name[PATH_MAX + 8], why[128];
	enum grub_mode mode;
	struct sdb *s;
	be_error_t err;
	size_t i;

	if ((err = sdb_open(h, &s)) != BE_OK ||
	    (err = wanted_default(h, want, sizeof (want), wantbe,
	    sizeof (wantbe))) != BE_OK)
		return (err);
	if (s->foreign[0] != '\0') {
		snprintf(what, sizeof (what), "the EFI system partitions hold "
		    "an interrupted change of the boot environments of %s, "
		    "which beadm finishes only for that BE root",
		    s->foreign);
		snprintf(name, sizeof (name), "run 'beadm -r %s refresh'",
		    s->foreign);
		fn(arg, false, name, what);
	}
	/* (Nothing beadm set: check says so; GRUB mode is still told.) */
	if (want[0] != '\0' && efivar_available(dir, sizeof (dir)) &&
	    efivar_get_string("LoaderEntryDefault", var, sizeof (var)) == 0 &&
	    var[0] != '\0' && strcmp(var, want) != 0) {
		snprintf(what, sizeof (what), "the EFI variable "
		    "LoaderEntryDefault is '%s' and outranks loader.conf's "
		    "default '%s'", var, want);
		fn(arg, false, "clear it with 'bootctl set-default \"\"'", what);
	}
	if ((err = esp_enter(h, &s->esps)) != BE_OK)
		return (err);
	for (i = 0; err == BE_OK && i < s->esps.n; i++) {
		const struct esp *e = &s->esps.v[i];

		snprintf(name, sizeof (name), "ESP %s", e->id[0] != '\0' ?
		    e->id : e->root);
		if ((mode = grub_mode(s, e, why, sizeof (why))) != NOT_GRUB) {
			snprintf(what, sizeof (what), "%s is in GRUB mode (%s): "
			    "GRUB boots from it and ignores beadm's systemd-boot "
			    "entries", name, why);
			fn(arg, false, mode == GRUB_LEGACY_BIOS ?
			    "beadm does not drive GRUB yet: boot environments "
			    "need the machine started by UEFI, where "
			    "proxmox-boot-tool uses systemd-boot" :
			    "beadm does not drive GRUB yet: boot environments "
			    "on this ESP need the systemd-boot mode of "
			    "proxmox-boot-tool", what);
			continue;
		}
		if (want[0] == '\0')
			continue;
		loader_default(e, pattern, sizeof (pattern));
		if (strcmp(pattern, want) == 0) {
			snprintf(what, sizeof (what), "%s boots %s by default "
			    "(loader.conf: default %s)", name, wantbe, want);
			fn(arg, true, NULL, what);
			continue;
		}
		if ((err = esp_boot_state(h, e, boots, sizeof (boots), once,
		    sizeof (once))) != BE_OK)
			break;
		snprintf(what, sizeof (what), "%s boots %s by default "
		    "(loader.conf: default %s), not %s as beadm set it: %s",
		    name, boots[0] != '\0' ? boots : "no boot environment",
		    pattern[0] != '\0' ? pattern : "(none)", wantbe,
		    default_writer(pattern));
		fn(arg, false, "run 'beadm refresh' to write beadm's default "
		    "back on every ESP", what);
	}
	esp_leave(&s->esps);
	return (err);
}

/* The two backends differ only in how they find their ESPs. */
#define SDB_BACKEND(backend_name, probe_fn) {				\
	.name = backend_name,						\
	.probe = probe_fn,						\
	.prepare = sdb_prepare,						\
	.cancel = sdb_cancel,						\
	.create = sdb_create,						\
	.activate = sdb_activate,					\
	.activate_once = sdb_activate_once,				\
	.activate_try = sdb_activate_try,				\
	.trial = sdb_trial,						\
	.refresh = sdb_refresh,						\
	.rename = sdb_rename,						\
	.destroy = sdb_destroy,						\
	.next_boot = sdb_next_boot,					\
	.check_esps = sdb_check_esps,					\
	.fini = sdb_fini,						\
}

const struct be_boot_backend be_backend_proxmox =
    SDB_BACKEND("proxmox", proxmox_probe);
const struct be_boot_backend be_backend_sdboot =
    SDB_BACKEND("systemd-boot", sdboot_probe);
