/*
 * backend.h - the interface between libbe and the boot loaders.
 *
 * libbe changes datasets; a backend makes the boot loader follow.  Each
 * backend is a table of hooks compiled into the library; a hook left NULL
 * means the backend has nothing to do for that event.  Every hook returns
 * BE_OK or an error recorded with be_set_error().
 *
 * The bootfs backend (the pool's bootfs property, read by FreeBSD's loader
 * and ZFSBootMenu) always runs; a loader backend (systemd-boot, Proxmox)
 * runs after it when one is selected.
 */
#ifndef BACKEND_H
#define BACKEND_H

#include <stdbool.h>

#include "be_impl.h"

/* One finding of a backend's check_esps hook, for beadm check: ok or a
 * problem, with what to do about a problem. */
typedef void (*be_esp_finding_fn)(void *arg, bool ok, const char *fix,
    const char *what);

struct be_boot_backend {
	const char *name;
	/* Is this loader in use on this system? */
	bool (*probe)(be_handle_t *);
	/*
	 * libbe is about to change datasets: create newbe (be NULL), rename
	 * be to newbe, or destroy be (newbe NULL).  Refuse names the loader
	 * cannot carry, and note the change so that an interrupted one is
	 * found and finished by the next run.
	 */
	be_error_t (*prepare)(be_handle_t *, const char *be, const char *newbe);
	/* The dataset change that prepare announced failed: forget it. */
	void (*cancel)(be_handle_t *);
	/* A BE was created (dataset exists): write its boot entries. */
	be_error_t (*create)(be_handle_t *, const char *be);
	/* Make be the default from now on. */
	be_error_t (*activate)(be_handle_t *, const char *be);
	/* Boot be at the next boot only; be NULL cancels such a request. */
	be_error_t (*activate_once)(be_handle_t *, const char *be);
	/* Boot be on trial: tries boots, then the current default again. */
	be_error_t (*activate_try)(be_handle_t *, const char *be, int tries);
	/* The BE on trial and its fallback, "" when no trial is on. */
	be_error_t (*trial)(be_handle_t *, char *trial, size_t tsz,
	    char *fallback, size_t fsz);
	/* Write be's entries again (NULL: none) and put the default back. */
	be_error_t (*refresh)(be_handle_t *, const char *be);
	/* A BE was renamed (dataset already renamed). */
	be_error_t (*rename)(be_handle_t *, const char *oldbe,
	    const char *newbe);
	/* A BE is about to be destroyed: remove its entries. */
	be_error_t (*destroy)(be_handle_t *, const char *be);
	/* Which BE boots by default and which once, from the loader's own
	 * state ("" for none or unknown). */
	be_error_t (*next_boot)(be_handle_t *, char *deflt, size_t dsz,
	    char *once, size_t osz);
	/* Tell fn, place by place (each ESP), whether what boots there by
	 * default is what beadm set, or why beadm cannot drive it. */
	be_error_t (*check_esps)(be_handle_t *, be_esp_finding_fn fn,
	    void *arg);
	/* Release what the backend holds (mounted ESPs). */
	void (*fini)(be_handle_t *);
};

extern const struct be_boot_backend be_backend_bootfs;
extern const struct be_boot_backend be_backend_proxmox;
extern const struct be_boot_backend be_backend_sdboot;

/* Pick the loader backend for h (settings, then probes); sets h->backend,
 * which stays NULL when only bootfs is in use. */
be_error_t be_backend_select(be_handle_t *);

/*
 * The events libbe reports.  Each runs the bootfs backend, then the loader
 * backend when there is one.
 */
be_error_t be_boot_prepare(be_handle_t *, const char *be, const char *newbe);
void be_boot_cancel(be_handle_t *);
be_error_t be_boot_create(be_handle_t *, const char *be);
be_error_t be_boot_activate(be_handle_t *, const char *be);
/* The two halves of be_boot_activate, for be_activate's ordering. */
be_error_t be_boot_activate_loader(be_handle_t *, const char *be);
be_error_t be_boot_activate_bootfs(be_handle_t *, const char *be);
be_error_t be_boot_activate_once(be_handle_t *, const char *be);
be_error_t be_boot_activate_try(be_handle_t *, const char *be, int tries);
be_error_t be_boot_trial(be_handle_t *, char *trial, size_t tsz,
    char *fallback, size_t fsz);
be_error_t be_boot_refresh(be_handle_t *, const char *be);
be_error_t be_boot_rename(be_handle_t *, const char *oldbe, const char *newbe);
be_error_t be_boot_destroy(be_handle_t *, const char *be);
/* The BE that boots next (the one-time choice when there is one). */
be_error_t be_boot_next(be_handle_t *, char *be, size_t sz, bool *once);
/* The default BE and the one-time BE, each "" when there is none. */
be_error_t be_boot_state(be_handle_t *, char *deflt, size_t dsz, char *once,
    size_t osz);
/* The loader backend's findings for check (none without check_esps). */
be_error_t be_boot_check_esps(be_handle_t *, be_esp_finding_fn fn,
    void *arg);
void be_boot_fini(be_handle_t *);

#endif /* BACKEND_H */
