/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_rename(be_handle_t *h, const char *o, const char *n)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
