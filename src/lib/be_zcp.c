/*
 * be_zcp.c - the channel programs of destroy and rollback, and running them.
 *
 * libzfs destroys or rolls back one dataset per transaction group, and a
 * failure half-way leaves a BE half destroyed or half rolled back.  A
 * channel program runs in one transaction group; these check every step
 * first (zfs.check.*) and only then make the changes (zfs.sync.*).
 *
 * The BE's datasets reach the program in its argument table, args.datasets
 * (parents before children), and the snapshot name in args.snapshot: names
 * are never spliced into the Lua.  The program returns a table: done, the
 * number of changes made, and when it stopped, error (an errno), name (what
 * it stopped on) and what it found out about it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_zcp.h"

/*
 * Snapshots first, then children before their parents.  Checked first:
 * every snapshot's destroy (a hold or a clone stops it); that nothing but
 * the BE's own datasets lies below them (a volume would); and each
 * dataset's destroy, which until its snapshots and children are gone fails
 * for them (EBUSY with snapshots, EEXIST with children) or for a long hold
 * such as a mount.  With snapshots, a long hold shows as EBUSY from a
 * rollback's check instead, which has no other reason for that error.
 */
static const char destroy_program[] =
    "local args = ...\n"
    "local datasets = args['datasets']\n"
    "local ours = {}\n"
    "for _, ds in ipairs(datasets) do ours[ds] = true end\n"
    "local snaps = {}\n"
    "for _, ds in ipairs(datasets) do\n"
    "  if not zfs.exists(ds) then\n"
    "    return {error = ENOENT, name = ds, done = 0}\n"
    "  end\n"
    "  local kids, own = false, false\n"
    "  for child in zfs.list.children(ds) do\n"
    "    if not ours[child] then\n"
    "      return {error = EEXIST, name = child, foreign = true, done = 0}\n"
    "    end\n"
    "    kids = true\n"
    "  end\n"
    "  for snap in zfs.list.snapshots(ds) do\n"
    "    local err = zfs.check.destroy(snap)\n"
    "    if err ~= 0 then\n"
    "      local r = {error = err, name = snap, done = 0}\n"
    "      for tag in zfs.list.holds(snap) do r['hold'] = tag end\n"
    "      return r\n"
    "    end\n"
    "    snaps[#snaps + 1] = snap\n"
    "    own = true\n"
    "  end\n"
    "  local err = zfs.check.destroy(ds)\n"
    "  if err == EBUSY and own then\n"
    "    err = zfs.check.rollback(ds) == EBUSY and EBUSY or 0\n"
    "  elseif err == EEXIST and kids then\n"
    "    err = 0\n"
    "  end\n"
    "  if err ~= 0 then return {error = err, name = ds, done = 0} end\n"
    "end\n"
    "local done = 0\n"
    "for _, snap in ipairs(snaps) do\n"
    "  local err = zfs.sync.destroy(snap)\n"
    "  if err ~= 0 then return {error = err, name = snap, done = done} end\n"
    "  done = done + 1\n"
    "end\n"
    "for i = #datasets, 1, -1 do\n"
    "  local err = zfs.sync.destroy(datasets[i])\n"
    "  if err ~= 0 then\n"
    "    return {error = err, name = datasets[i], done = done}\n"
    "  end\n"
    "  done = done + 1\n"
    "end\n"
    "return {done = done}\n";

/*
 * zfs.sync.rollback goes back to a dataset's most recent snapshot, so make
 * sure that is args.snapshot on every dataset: a newer one stops the
 * program (it is never destroyed; the caller refused those already, this
 * is for one taken since).  Then check every rollback (a mount, or a
 * bookmark newer than the snapshot, stops it), then roll all back.
 */
static const char rollback_program[] =
    "local args = ...\n"
    "local datasets, snap = args['datasets'], args['snapshot']\n"
    "for _, ds in ipairs(datasets) do\n"
    "  local target = ds .. '@' .. snap\n"
    "  if not zfs.exists(target) then\n"
    "    return {error = ENOENT, name = target, done = 0}\n"
    "  end\n"
    "  local txg = zfs.get_prop(target, 'createtxg')\n"
    "  for s in zfs.list.snapshots(ds) do\n"
    "    if zfs.get_prop(s, 'createtxg') > txg then\n"
    "      return {error = EEXIST, name = s, newer = true, done = 0}\n"
    "    end\n"
    "  end\n"
    "  local err = zfs.check.rollback(ds)\n"
    "  if err ~= 0 then return {error = err, name = ds, done = 0} end\n"
    "end\n"
    "local done = 0\n"
    "for _, ds in ipairs(datasets) do\n"
    "  local err = zfs.sync.rollback(ds)\n"
    "  if err ~= 0 then return {error = err, name = ds, done = done} end\n"
    "  done = done + 1\n"
    "end\n"
    "return {done = done}\n";

static be_error_t
make_args(be_handle_t *h, const be_tree_t *tree, const char *snap,
    nvlist_t **args)
{
	const char **names;
	size_t i;
	int rc;

	if ((names = calloc(tree->count, sizeof (*names))) == NULL)
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	for (i = 0; i < tree->count; i++)
		names[i] = tree->names[i];
	*args = NULL;
	rc = nvlist_alloc(args, NV_UNIQUE_NAME, 0);
	if (rc == 0)
		rc = zfsa_nvlist_add_strings(*args, "datasets", names,
		    (unsigned)tree->count);
	if (rc == 0 && snap != NULL)
		rc = nvlist_add_string(*args, "snapshot", snap);
	free(names);
	if (rc != 0) {
		nvlist_free(*args);
		return (be_set_error(h, BE_ERR_NOMEM, "out of memory"));
	}
	return (BE_OK);
}

static void
read_result(nvlist_t *out, be_zcp_result_t *res)
{
	const char *s;
	int64_t v;
	boolean_t b;

	if (nvlist_lookup_int64(out, "error", &v) == 0)
		res->error = (int)v;
	if (nvlist_lookup_int64(out, "done", &v) == 0)
		res->done = (int)v;
	if (zfsa_nvlist_string(out, "name", &s))
		snprintf(res->name, sizeof (res->name), "%s", s);
	if (zfsa_nvlist_string(out, "hold", &s))
		snprintf(res->hold, sizeof (res->hold), "%s", s);
	if (nvlist_lookup_boolean_value(out, "foreign", &b) == 0)
		res->foreign = b;
	if (nvlist_lookup_boolean_value(out, "newer", &b) == 0)
		res->newer = b;
}

static be_error_t
run(be_handle_t *h, const char *what, const char *program,
    const be_tree_t *tree, const char *snap, be_zcp_result_t *res)
{
	nvlist_t *args, *out;
	char msg[512];
	be_error_t err;
	int rc;

	memset(res, 0, sizeof (*res));
	if ((err = make_args(h, tree, snap, &args)) != BE_OK)
		return (err);
	rc = zfsa_channel_program(h->pool, program, args, &out, msg,
	    sizeof (msg));
	nvlist_free(args);
	if (rc == ENOTSUP)
		return (BE_OK);
	if (rc != 0)
		return (be_set_error(h, rc == ENOMEM ? BE_ERR_NOMEM :
		    BE_ERR_ZFS, "%s: the channel program on pool %s failed: "
		    "%s", what, h->pool, msg[0] != '\0' ? msg : strerror(rc)));
	res->ran = true;
	read_result(out, res);
	nvlist_free(out);
	return (BE_OK);
}

be_error_t
be_zcp_destroy(be_handle_t *h, const char *be, const be_tree_t *tree,
    be_zcp_result_t *res)
{
	char what[BE_PATH_MAX + 32];

	snprintf(what, sizeof (what), "cannot destroy '%s'", be);
	return (run(h, what, destroy_program, tree, NULL, res));
}

be_error_t
be_zcp_rollback(be_handle_t *h, const char *arg, const be_tree_t *tree,
    const char *snap, be_zcp_result_t *res)
{
	char what[BE_PATH_MAX + 32];

	snprintf(what, sizeof (what), "cannot roll back to %s", arg);
	return (run(h, what, rollback_program, tree, snap, res));
}
