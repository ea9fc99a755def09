// SPDX-License-Identifier: GPL-2.0
/*
 * scx_xcr0 layout [MASK]: this CPU's XSAVE layout under MASK.
 * scx_xcr0 portable FILE...: the widest mask whose layout is the same here
 * and on every machine whose `layout --json` output is given.
 *
 * Both read CPUID and files only: no root, no daemon. The mask portable
 * prints is the only thing on its stdout, so that
 * `scx_xcr0 run "$(scx_xcr0 portable host.json)" -- CMD` works; the reasons
 * go to stderr (or into --json).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xcr0.h"
#include "cli.h"
#include "output.h"
#include "portable.h"
#include "util.h"
#include "xsave_layout.h"

/* The most files portable compares. */
#define PORTABLE_MAX_FILES	32

static void help_layout(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 layout [--json] [MASK]\n"
		"  This CPU's XSAVE layout in the standard format (signal frames, ptrace\n"
		"  NT_X86_XSTATE, core dumps, rr traces) under MASK: vendor, each component's\n"
		"  offset, size and 64-byte alignment, and the total size, which CPUID 0xD.0\n"
		"  EBX reports to a program running with MASK. MASK as `run` takes it;\n"
		"  default: the full mask this machine's kernel enables. --json writes the\n"
		"  layout file `scx_xcr0 portable` reads on another machine.\n");
}

static void help_portable(FILE *f)
{
	fprintf(f,
		"usage: scx_xcr0 portable [--json] [--no-local] FILE...\n"
		"  The widest mask whose XSAVE layout is identical on this machine and on\n"
		"  every machine whose `scx_xcr0 layout --json` output FILE is: state saved\n"
		"  under it (an rr trace, a core dump) has the same layout on all of them.\n"
		"  The mask alone goes to stdout, so this works:\n"
		"    scx_xcr0 run \"$(scx_xcr0 portable replay-host.json)\" -- rr record CMD\n"
		"  and each excluded component with its reason to stderr. --no-local compares\n"
		"  only the FILEs. --json prints one document with the mask, the machines and\n"
		"  the reasons.\n");
}

/* The full mask of this machine, as `run` judges masks (cli_parse_mask()). */
static int local_full(__u64 *full)
{
	__u64 supported;

	return cli_parse_mask("full", full, &supported);
}

static void print_layout(const struct xsave_layout *l)
{
	unsigned int bit;

	printf("vendor %s, mask %s\n", l->vendor[0] ? esc(l->vendor) : "unknown",
	       mask_str(l->mask));
	printf("%4s  %-10s %7s %6s  %s\n", "bit", "component", "offset", "size", "align64");
	for (bit = 0; bit < XSAVE_NR_COMPS; bit++) {
		const struct xsave_comp *c = &l->comp[bit];
		const char *name = xcr0_bit_name(bit);
		char other[16];

		if (!(l->mask & l->have & (1ULL << bit)))
			continue;
		snprintf(other, sizeof(other), "bit%u", bit);
		printf("%4u  %-10s %7u %6u  %s\n", bit, name ? name : other, c->offset, c->size,
		       bit < 2 ? "-" : !c->align_known ? "?" : c->align64 ? "yes" : "no");
	}
	printf("total %u bytes: CPUID 0xD.0 EBX under this mask\n",
	       xsave_layout_size(l, l->mask));
}

int cmd_layout(int argc, char **argv)
{
	struct xsave_layout l;
	__u64 mask, supported;
	int ret;

	ret = cli_parse_common("layout", argc, argv, "vh", help_layout);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (argc - optind > 1)
		return fail_usage("layout takes one MASK at most ('%s'); see `scx_xcr0 layout -h`",
				  argv[optind + 1]);
	if (optind < argc)
		ret = cli_parse_mask(argv[optind], &mask, &supported);
	else
		ret = local_full(&mask);
	if (ret)
		return ret;
	/* none: no restriction, so the layout of the full mask */
	if (!mask) {
		ret = local_full(&mask);
		if (ret)
			return ret;
	}
	xsave_layout_cpu(&l, mask);
	if (json_out) {
		struct json j;

		json_begin(&j, stdout);
		xsave_layout_json(&j, &l);
		json_end(&j);
		return 0;
	}
	print_layout(&l);
	return 0;
}

static void print_portable_json(const struct xsave_layout *const *m, size_t nr,
				const struct portable *p)
{
	struct json j;
	unsigned int i;

	json_begin(&j, stdout);
	json_mask(&j, "mask", p->mask);
	json_u64(&j, "total_size", xsave_layout_size(m[0], p->mask));
	json_arr(&j, "machines");
	for (i = 0; i < nr; i++) {
		json_obj(&j, NULL);
		json_str(&j, "name", m[i]->name);
		json_str(&j, "vendor", m[i]->vendor);
		json_mask(&j, "mask", m[i]->mask);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr(&j, "excluded");
	for (i = 0; i < p->nr_excl; i++) {
		json_obj(&j, NULL);
		json_u64(&j, "bit", p->excl[i].bit);
		json_str(&j, "name", xcr0_bit_name(p->excl[i].bit));
		json_str(&j, "reason", p->excl[i].why);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
}

int cmd_portable(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },	/* what cli_common_option() takes */
		{ "no-local", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct xsave_layout *m[PORTABLE_MAX_FILES + 1];
	struct xsave_layout *ls = NULL;
	bool local = true;
	struct portable p;
	char err[512];
	size_t nr = 0;
	int opt, ret, i;
	__u64 full;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		if (opt == 'n') {
			local = false;
			continue;
		}
		ret = cli_common_option("portable", opt, argv, help_portable);
		if (ret)
			return ret > 0 ? 0 : ret;
	}
	if (optind == argc)
		return fail_usage("portable needs a layout FILE (`scx_xcr0 layout --json` on the other machine writes one); see `scx_xcr0 portable -h`");
	if (argc - optind > PORTABLE_MAX_FILES)
		return fail_usage("portable compares %d files at most", PORTABLE_MAX_FILES);
	ls = calloc(argc - optind + 1, sizeof(*ls));
	if (!ls)
		return fail(-ENOMEM, "out of memory");
	if (local) {
		ret = local_full(&full);
		if (ret)
			goto out;
		xsave_layout_cpu(&ls[nr], full);
		m[nr] = &ls[nr];
		nr++;
	}
	for (i = optind; i < argc; i++) {
		ret = xsave_layout_load(argv[i], &ls[nr]);
		if (ret)
			goto out;
		m[nr] = &ls[nr];
		nr++;
	}
	ret = portable_mask(m, nr, &p, err, sizeof(err));
	if (ret) {
		ret = fail(ret, "%s", err);
		goto out;
	}
	if (json_out) {
		print_portable_json(m, nr, &p);
		goto out;
	}
	printf("0x%llx\n", (unsigned long long)p.mask);
	for (i = 0; i < (int)p.nr_excl; i++)
		fprintf(stderr, "scx_xcr0 portable: excluded %s\n", esc(p.excl[i].why));
	fprintf(stderr, "scx_xcr0 portable: %s, %u bytes, the same layout on %zu machine%s\n",
		mask_str(p.mask), xsave_layout_size(m[0], p.mask), nr, nr == 1 ? "" : "s");
out:
	free(ls);
	return ret;
}
