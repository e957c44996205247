/*
 * backend.c - choosing a boot loader backend and reporting events to it.
 */
#include <string.h>

#include "backend.h"

/* Loader backends in probe order; bootfs is not here because it always runs. */
static const struct be_boot_backend *const loaders[] = {
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
	size_t i;

	h->backend = NULL;
	for (i = 0; loaders[i] != NULL; i++) {
		if (loaders[i]->probe == NULL || loaders[i]->probe(h)) {
			h->backend = loaders[i];
			break;
		}
	}
	return (BE_OK);
}

static const struct be_boot_backend *
loader(be_handle_t *h)
{
	return (h->backend);
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

be_error_t
be_boot_activate(be_handle_t *h, const char *be)
{
	be_error_t err = be_backend_bootfs.activate(h, be);

	if (err == BE_OK && loader(h) != NULL && loader(h)->activate != NULL)
		err = loader(h)->activate(h, be);
	return (err);
}

be_error_t
be_boot_activate_once(be_handle_t *h, const char *be)
{
	const struct be_boot_backend *b = loader(h);

	if (b == NULL || b->activate_once == NULL)
		return (be_set_error(h, BE_ERR_INVALID, "the %s boot loader "
		    "backend cannot boot a BE once; only a systemd-boot based "
		    "loader can", be_backend_name(h)));
	return (b->activate_once(h, be));
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
be_boot_next(be_handle_t *h, char *be, size_t sz, bool *once)
{
	const struct be_boot_backend *b = loader(h);

	*once = false;
	if (b != NULL && b->next_boot != NULL)
		return (b->next_boot(h, be, sz, once));
	return (be_backend_bootfs.next_boot(h, be, sz, once));
}

be_error_t
be_next_boot(be_handle_t *h, char *be, size_t sz, bool *once)
{
	return (be_boot_next(h, be, sz, once));
}
