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

struct be_boot_backend {
	const char *name;
	/* Is this loader in use on this system? */
	bool (*probe)(be_handle_t *);
	/* A BE was created (dataset exists): write its boot entries. */
	be_error_t (*create)(be_handle_t *, const char *be);
	/* Make be the default from now on. */
	be_error_t (*activate)(be_handle_t *, const char *be);
	/* Boot be at the next boot only; be NULL cancels such a request. */
	be_error_t (*activate_once)(be_handle_t *, const char *be);
	/* A BE was renamed (dataset already renamed). */
	be_error_t (*rename)(be_handle_t *, const char *oldbe,
	    const char *newbe);
	/* A BE is about to be destroyed: remove its entries. */
	be_error_t (*destroy)(be_handle_t *, const char *be);
	/* Which BE boots next, from the loader's own state ("" if unknown);
	 * *once is set when that is a one-time choice. */
	be_error_t (*next_boot)(be_handle_t *, char *be, size_t sz,
	    bool *once);
};

extern const struct be_boot_backend be_backend_bootfs;

/* Pick the loader backend for h (settings, then probes); sets h->backend,
 * which stays NULL when only bootfs is in use. */
be_error_t be_backend_select(be_handle_t *);

/*
 * The events libbe reports.  Each runs the bootfs backend, then the loader
 * backend when there is one.
 */
be_error_t be_boot_create(be_handle_t *, const char *be);
be_error_t be_boot_activate(be_handle_t *, const char *be);
be_error_t be_boot_activate_once(be_handle_t *, const char *be);
be_error_t be_boot_rename(be_handle_t *, const char *oldbe, const char *newbe);
be_error_t be_boot_destroy(be_handle_t *, const char *be);
/* The loader backend's answer when it has one, else bootfs's. */
be_error_t be_boot_next(be_handle_t *, char *be, size_t sz, bool *once);

#endif /* BACKEND_H */
