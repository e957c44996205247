/*
 * be_trial.c - trial boots: a BE boots a few times on probation, and the
 * previous default comes back on its own when it fails (systemd-boot's
 * boot counting; doc/esp.md).  A good boot ends the trial with be_bless.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "be_impl.h"

be_error_t
be_activate_try(be_handle_t *h, const char *be, int tries)
{
	char dataset[BE_PATH_MAX];
	be_error_t err;

	if (tries < 0 || tries > 9)
		return (be_set_error(h, BE_ERR_INVALID, "tries must be from 1 "
		    "to 9, not %d", tries));
	if ((err = be_existing_dataset(h, be, dataset, sizeof (dataset))))
		return (err);
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	/* The loader first: it can refuse, and then nothing has changed.
	 * canmount is made safe for booting; no promotion yet, that waits
	 * until the trial has succeeded (be_bless activates). */
	if ((err = be_boot_activate_try(h, be, tries)) == BE_OK)
		err = be_settle_all_canmount(h);
	be_unlock(h);
	return (err == BE_OK ? be_ok(h) : err);
}

be_error_t
be_bless(be_handle_t *h, char *trial, size_t tsz, char *kept, size_t ksz)
{
	char fallback[BE_PATH_MAX], running[BE_PATH_MAX];
	be_error_t err;

	kept[0] = '\0';
	if ((err = be_lock(h)) != BE_OK)
		return (err);
	if ((err = be_boot_trial(h, trial, tsz, fallback,
	    sizeof (fallback))) != BE_OK || trial[0] == '\0') {
		be_unlock(h);
		return (err == BE_OK ? be_ok(h) : err);
	}
	be_running_name(h, running, sizeof (running));
	/* What runs now is what the loader chose; keep it if it is the BE
	 * on trial, else the trial failed and its fallback stays. */
	snprintf(kept, ksz, "%s", strcmp(running, trial) == 0 ? trial :
	    fallback);
	err = be_activate(h, kept, 0);
	be_unlock(h);
	return (err);
}
