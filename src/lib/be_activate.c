/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_activate(be_handle_t *h, const char *be, int flags)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
