/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_check(be_handle_t *h, be_check_fn fn, void *arg)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
