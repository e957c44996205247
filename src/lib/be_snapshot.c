/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_snapshot(be_handle_t *h, const char *be, const char *snap, char *out, size_t outsz)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}

be_error_t
be_rollback(be_handle_t *h, const char *s)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
