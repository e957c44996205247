/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_export(be_handle_t *h, const char *be, int fd, be_progress_fn fn, void *arg)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}

be_error_t
be_import(be_handle_t *h, const char *newbe, int fd, be_progress_fn fn, void *arg)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
