/*
 * backend.c - choosing a boot loader backend and reporting events to it.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"

/* Loader backends in probe order; bootfs is not here because it always runs. */
static const struct be_boot_backend *const loaders[] = {
	&be_backend_proxmox,
	&be_backend_sdboot,
	NULL
};

const char *
be_backend_name(const be_handle_t *h)
{
	return (h->backend != NULL ? h->backend->name : be_backend_bootfs.name);
}

be_error_t
be_backend_select(be_handle_t *h)
{
	char want[64];
	size_t i;

	h->backend = NULL;
	/* "" or "auto": probe. */
	be_root_setting(h, BE_PROP_BOOTLOADER, want, sizeof (want));
	if (strcmp(want, be_backend_bootfs.name) == 0)
		return (BE_OK);
	for (i = 0; loaders[i] != NULL; i++) {
		if (want[0] != '\0' && strcmp(want, "auto") != 0) {
			if (strcmp(want, loaders[i]->name) == 0) {
				h->backend = loaders[i];
				return (BE_OK);
			}
		} else if (loaders[i]->probe == NULL || loaders[i]->probe(h)) {
			h->backend = loaders[i];
			return (BE_OK);
		}
	}
	if (want[0] != '\0' && strcmp(want, "auto") != 0)
		return (be_set_error(h, BE_ERR_INVALID, "%s=%s on %s names no "
		    "boot loader backend; use auto, bootfs, proxmox or "
		    "systemd-boot", BE_PROP_BOOTLOADER, want, h->root));
	return (BE_OK);
}

static const struct be_boot_backend *
loader(be_handle_t *h)
{
	return (h->backend);
}

be_error_t
be_boot_prepare(be_handle_t *h, const char *be, const char *newbe)
{
	if (loader(h) == NULL || loader(h)->prepare == NULL)
		return (BE_OK);
	return (loader(h)->prepare(h, be, newbe));
}

void
be_boot_cancel(be_handle_t *h)
{
	if (loader(h) != NULL && loader(h)->cancel != NULL)
		loader(h)->cancel(h);
}

be_error_t
be_boot_create(be_handle_t *h, const char *be)
{
	be_error_t err = BE_OK;

	if (be_backend_bootfs.create != NULL)
		err = be_backend_bootfs.create(h, be);
	if (err == BE_OK && loader(h) != NULL && loader(h)->create != NULL)
		err = loader(h)->create(h, be);
	return (err);
}

/* The loader goes first: it is the one that can refuse (no kernel, no
 * room on an ESP), and bootfs should not name a BE the loader refused. */
be_error_t
be_boot_activate_loader(be_handle_t *h, const char *be)
{
	if (loader(h) != NULL && loader(h)->activate != NULL)
		return (loader(h)->activate(h, be));
	return (BE_OK);
}

be_error_t
be_boot_activate_bootfs(be_handle_t *h, const char *be)
{
	return (be_backend_bootfs.activate(h, be));
}

be_error_t
be_boot_activate(be_handle_t *h, const char *be)
{
	be_error_t err = be_boot_activate_loader(h, be);

	return (err == BE_OK ? be_boot_activate_bootfs(h, be) : err);
}

static be_error_t
unsupported(be_handle_t *h, const char *what)
{
	return (be_set_error(h, BE_ERR_INVALID, "the %s boot loader backend "
	    "cannot %s; only a systemd-boot based loader can",
	    be_backend_name(h), what));
}

be_error_t
be_boot_activate_once(be_handle_t *h, const char *be)
{
	const struct be_boot_backend *b = loader(h);

	if (b == NULL || b->activate_once == NULL)
		return (unsupported(h, "boot a BE once"));
	return (b->activate_once(h, be));
}

be_error_t
be_boot_activate_try(be_handle_t *h, const char *be, int tries)
{
	const struct be_boot_backend *b = loader(h);

	if (b == NULL || b->activate_try == NULL)
		return (unsupported(h, "boot a BE on trial"));
	return (b->activate_try(h, be, tries));
}

be_error_t
be_boot_trial(be_handle_t *h, char *trial, size_t tsz, char *fallback,
    size_t fsz)
{
	const struct be_boot_backend *b = loader(h);

	if (tsz > 0)
		trial[0] = '\0';
	if (fsz > 0)
		fallback[0] = '\0';
	if (b == NULL || b->trial == NULL)
		return (BE_OK);
	return (b->trial(h, trial, tsz, fallback, fsz));
}

be_error_t
be_boot_refresh(be_handle_t *h, const char *be)
{
	const struct be_boot_backend *b = loader(h);

	if (b == NULL || b->refresh == NULL)
		return (BE_OK);
	return (b->refresh(h, be));
}

be_error_t
be_boot_rename(be_handle_t *h, const char *oldbe, const char *newbe)
{
	be_error_t err = be_backend_bootfs.rename(h, oldbe, newbe);

	if (err == BE_OK && loader(h) != NULL && loader(h)->rename != NULL)
		err = loader(h)->rename(h, oldbe, newbe);
	return (err);
}

be_error_t
be_boot_destroy(be_handle_t *h, const char *be)
{
	be_error_t err = BE_OK;

	if (loader(h) != NULL && loader(h)->destroy != NULL)
		err = loader(h)->destroy(h, be);
	if (err == BE_OK && be_backend_bootfs.destroy != NULL)
		err = be_backend_bootfs.destroy(h, be);
	return (err);
}

be_error_t
be_boot_state(be_handle_t *h, char *deflt, size_t dsz, char *once,
    size_t osz)
{
	const struct be_boot_backend *b = loader(h);

	if (b != NULL && b->next_boot != NULL)
		return (b->next_boot(h, deflt, dsz, once, osz));
	return (be_backend_bootfs.next_boot(h, deflt, dsz, once, osz));
}

be_error_t
be_boot_next(be_handle_t *h, char *be, size_t sz, bool *once)
{
	char deflt[BE_PATH_MAX], one[BE_PATH_MAX];
	be_error_t err;

	*once = false;
	if ((err = be_boot_state(h, deflt, sizeof (deflt), one,
	    sizeof (one))) != BE_OK)
		return (err);
	*once = one[0] != '\0';
	snprintf(be, sz, "%s", *once ? one : deflt);
	return (BE_OK);
}

be_error_t
be_next_boot(be_handle_t *h, char *be, size_t sz, bool *once)
{
	return (be_boot_next(h, be, sz, once));
}

be_error_t
be_boot_check_esps(be_handle_t *h, be_esp_finding_fn fn, void *arg)
{
	const struct be_boot_backend *b = loader(h);

	if (b == NULL || b->check_esps == NULL)
		return (BE_OK);
	return (b->check_esps(h, fn, arg));
}

void
be_boot_fini(be_handle_t *h)
{
	if (loader(h) != NULL && loader(h)->fini != NULL)
		loader(h)->fini(h);
}
