// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for layout files (loader/json_read.c, xsave_layout.c)
 * and what portable does with them. Sanitizers catch memory errors and
 * leaks; the checks here catch a reader that accepts what it must refuse.
 * Seeds: the JSON files of selftests/data/xsave-layouts/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xcr0.h"
#include "fuzz_check.h"
#include "portable.h"
#include "xsave_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xsave_layout l, cpu;
	const struct xsave_layout *m[2] = { &cpu, &l };
	char err[512] = "";
	struct portable p;
	unsigned int bit;

	if (size > XSAVE_LAYOUT_FILE_MAX)
		return 0;
	if (xsave_layout_parse("fz", (const char *)data, size, &l, err, sizeof(err))) {
		CHECK(!strncmp(err, "fz:", 3));
		CHECK(!l.have && !l.mask);
		return 0;
	}
	CHECK((l.mask & 3) == 3 && !(l.mask & ~l.user_supported) && !(l.mask & ~l.have));
	for (bit = 2; bit < XSAVE_NR_COMPS; bit++)
		if (l.mask & (1ULL << bit))
			CHECK(!l.comp[bit].supervisor && l.comp[bit].offset >= XSAVE_EXT_START &&
			      l.comp[bit].size);
	if (!cpu.have)
		xsave_layout_cpu(&cpu, 0x3);
	cpu.mask = cpu.user_supported & XCR0_USER_MASK;
	if (!portable_mask(m, 2, &p, err, sizeof(err))) {
		CHECK(xcr0_check(p.mask, p.mask) == XCR0_OK);
		CHECK(!(p.mask & ~l.mask) && !(p.mask & ~cpu.mask));
	}
	return 0;
}
