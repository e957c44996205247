/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_mount(be_handle_t *h, const char *be, const char *mp, char *out, size_t outsz)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}

be_error_t
be_unmount(be_handle_t *h, const char *be, int flags)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
