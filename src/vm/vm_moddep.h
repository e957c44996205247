/*
 * vm_moddep.h - which files of a kernel's modules directory a module
 * needs, read from its modules.dep and modules.builtin.  Both come from
 * the root being booted (a BE): each path they give must stay inside the
 * modules directory, and no name is cut to fit.
 */
#ifndef VM_MODDEP_H
#define	VM_MODDEP_H

#include <stdbool.h>
#include <stddef.h>

#define	VM_MAX_MODULES	64

struct vm_modlist {
	char *path[VM_MAX_MODULES];	/* relative to the modules directory */
	size_t n;			/* in the order they load */
};

/*
 * Add module want, and the modules it needs before it, to m from the text
 * of modules.dep (each line "PATH: DEP..."; a module's dependencies depend
 * only on those after them), skipping what m has.  0 when added, 1 when
 * modules.dep does not list it, -1 with a message in err (VM_ERR_MAX
 * bytes) for a path that is absolute or climbs out, or too many modules.
 */
int vm_moddep_resolve(struct vm_modlist *m, const char *dep, const char *want,
    char *err);
/* Does the text of modules.builtin list module want? */
bool vm_moddep_builtin(const char *builtin, const char *want);
void vm_modlist_free(struct vm_modlist *m);

#endif /* VM_MODDEP_H */
