/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_create(be_handle_t *h, const char *newbe, const be_create_opts_t *o)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}
