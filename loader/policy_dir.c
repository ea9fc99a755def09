// SPDX-License-Identifier: GPL-2.0
/* Loading a policy directory and keeping xcr0_cgroup in step, see policy_dir.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "scx_xcr0.h"
#include "cgroup.h"
#include "mask.h"
#include "output.h"
#include "policy.h"
#include "policy_dir.h"
#include "util.h"

static int is_policy_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name), s = strlen(POLICY_SUFFIX);

	return de->d_name[0] != '.' && n > s &&
	       !strcmp(de->d_name + n - s, POLICY_SUFFIX);
}

void policy_dir_free(struct policy_dir *pd)
{
	size_t i;

	for (i = 0; i < pd->nr; i++) {
		free(pd->rules[i].path);
		free(pd->rules[i].origin);
	}
	free(pd->rules);
	pd->rules = NULL;
	pd->nr = 0;
}

/* Move the rules of @pol (from @file) into @pd; a cgroup twice is an error. */
static int add_file(struct policy_dir *pd, const char *file, struct policy *pol)
{
	struct cg_rule *rules;
	size_t i, j;
	char origin[PATH_MAX + 16];

	rules = realloc(pd->rules, (pd->nr + pol->nr) * sizeof(*rules));
	if (!rules && pd->nr + pol->nr)
		return fail(-ENOMEM, "out of memory");
	pd->rules = rules;
	for (i = 0; i < pol->nr; i++) {
		const struct policy_rule *r = &pol->rules[i];

		snprintf(origin, sizeof(origin), "%s:%u", file, r->line);
		for (j = 0; j < pd->nr; j++) {
			if (!strcmp(pd->rules[j].path, r->path))
				return fail(-EINVAL, "%s: cgroup %s already has a rule at %s",
					    origin, r->path, pd->rules[j].origin);
		}
		pd->rules[pd->nr] = (struct cg_rule){
			.path = strdup(r->path),
			.origin = strdup(origin),
			.val = r->mask | (r->live ? SCX_XCR0_VAL_LIVE : 0),
		};
		pd->nr++;
		if (!pd->rules[pd->nr - 1].path || !pd->rules[pd->nr - 1].origin)
			return fail(-ENOMEM, "out of memory");
	}
	return 0;
}

int policy_dir_load(const char *dir, __u64 supported, bool may_be_missing,
		    struct policy_dir *out)
{
	struct policy_dir pd = { 0 };
	struct dirent **names;
	char path[PATH_MAX], err[1024];
	int n, i, ret = 0;

	n = scandir(dir, &names, is_policy_file, alphasort);
	if (n < 0) {
		if (errno == ENOENT && may_be_missing) {
			*out = pd;
			return 0;
		}
		return fail(-errno, "cannot read policy directory %s: %s", dir, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		struct policy pol = { 0 };

		if (ret)
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		ret = policy_load(path, supported, &pol, err, sizeof(err));
		if (ret) {
			ret = fail(ret, "%s", err);
			goto next;
		}
		ret = add_file(&pd, path, &pol);
		policy_free(&pol);
next:
		free(names[i]);
	}
	free(names);
	if (ret) {
		policy_dir_free(&pd);
		return ret;
	}
	*out = pd;
	return 0;
}

/* Whether a rule of @pd installed the entry of cgroup @id. */
static bool installed_by(const struct policy_dir *pd, __u64 id)
{
	size_t i;

	for (i = 0; i < pd->nr; i++)
		if (pd->rules[i].id == id)
			return true;
	return false;
}

int policy_dir_sync(struct policy_dir *pd, const struct policy_dir *old, int map_fd)
{
	int changed = 0, ret;
	__u64 id;
	size_t i;

	for (i = 0; i < pd->nr; i++) {
		struct cg_rule *r = &pd->rules[i];

		ret = cgroup_id(r->path, &id);
		if (ret) {
			if (!r->missing)
				fprintf(stderr, "scx_xcr0: %s: cgroup %s does not exist (yet); the rule waits for it\n",
					r->origin, r->path);
			r->missing = true;
			if (r->id && !bpf_map_delete_elem(map_fd, &r->id))
				changed = 1;
			r->id = 0;
			continue;
		}
		if (r->missing)
			fprintf(stderr, "scx_xcr0: %s: cgroup %s appeared, %s applies\n",
				r->origin, r->path, val_str(r->val));
		r->missing = false;
		/* installed already: a later `scx_xcr0 set` stands until a reload */
		if (r->id == id)
			continue;
		/* the cgroup was recreated under the same path */
		if (r->id)
			bpf_map_delete_elem(map_fd, &r->id);
		if (bpf_map_update_elem(map_fd, &id, &r->val, BPF_ANY))
			return fail(-errno, "%s: cannot set the mask of %s: %s", r->origin,
				    r->path, strerror(errno));
		r->id = id;
		changed = 1;
	}
	for (i = 0; old && i < old->nr; i++) {
		id = old->rules[i].id;
		if (id && !installed_by(pd, id) && !bpf_map_delete_elem(map_fd, &id))
			changed = 1;
	}
	return changed;
}
