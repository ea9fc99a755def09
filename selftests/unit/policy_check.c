// SPDX-License-Identifier: GPL-2.0
/*
 * policy_check SUPPORTED DIR: does DIR load as the daemon's --policy-dir on
 * a CPU whose XCR0 is SUPPORTED? The daemon's own code (policy_dir_load(),
 * so the same file, line, mask and security rules) with no map and no BPF:
 * deploy/check runs it on the policy files of the Kubernetes ConfigMap.
 * Prints the rules, or the daemon's refusal; exit 0 if it loads, 1 if not,
 * 2 for bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>

#include "policy_dir.h"
#include "util.h"

int main(int argc, char **argv)
{
	struct policy_dir pd = { 0 };
	unsigned long long sup;
	char *end;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: policy_check SUPPORTED-XCR0 DIR\n");
		return 2;
	}
	sup = strtoull(argv[1], &end, 0);
	if (*end || !sup) {
		fprintf(stderr, "policy_check: '%s' is not an XCR0 value\n", argv[1]);
		return 2;
	}
	if (policy_dir_load(argv[2], sup, false, &pd)) {
		fprintf(stderr, "policy_check: %s\n", fail_msg());
		return 1;
	}
	for (i = 0; i < pd.nr; i++)
		printf("%s %s %#llx\n", pd.rules[i].origin, pd.rules[i].path,
		       (unsigned long long)pd.rules[i].val);
	policy_dir_free(&pd);
	return 0;
}
