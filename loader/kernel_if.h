/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interface scx_xcr0 needs, as the running kernel offers it:
 * the kfunc that sets a task's XCR0 (found in the kernel's BTF) and the
 * x86_xcr0 lines of /proc/PID/status. The daemon refuses to start without
 * the kfunc; `scx_xcr0 --version` reports what it found.
 */
#ifndef __SCX_XCR0_KERNEL_IF_H
#define __SCX_XCR0_KERNEL_IF_H

#include <stdbool.h>

#define KIF_KFUNC_SET		"scx_bpf_task_set_xcr0"

/* Its arguments (p, xcr0, flags) since pending and applied masks. */
#define KIF_KFUNC_SET_NR_ARGS	3

/*
 * kif_kfunc_args - how many arguments the kernel's scx_bpf_task_set_xcr0()
 * takes according to its BTF, in @nr_args (-1 if its type is unreadable).
 * Returns 0, -ENOENT when the kernel has no such kfunc, or the negative
 * errno of reading the BTF. Nothing recorded.
 */
int kif_kfunc_args(int *nr_args);

/*
 * kif_check_kfunc - the kfunc is there with the arguments this scheduler
 * passes; otherwise a recorded message saying which kernel to boot.
 */
int kif_check_kfunc(void);

/* kif_proc_xcr0 - whether /proc/PID/status has the x86_xcr0 line. */
bool kif_proc_xcr0(void);

#endif /* __SCX_XCR0_KERNEL_IF_H */
