/* PLACEHOLDER: replaced by the real implementation. */
#include "be_impl.h"

be_error_t
be_list(be_handle_t *h, be_list_t **out)
{
	return (be_set_error(h, BE_ERR_UNKNOWN, "not implemented yet"));
}

void
be_list_free(be_list_t *l)
{
	(void)l;
}
