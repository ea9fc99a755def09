// SPDX-License-Identifier: GPL-2.0
/*
 * xcr0_notscx: a bpf_dummy_ops program (another struct_ops type) that calls
 * scx_bpf_task_set_xcr0() on a task it holds a reference to. Only sched_ext
 * programs may call the XCR0 kfuncs: test_kernel_xcr0 checks that the
 * verifier refuses this program. Built again with -DXCR0_NOTSCX_CONTROL,
 * without the call, as the control that must load: so only the call can
 * make it fail. (bpf_dummy_ops rather than tcp_congestion_ops: this kernel's
 * BTF has ten copies of struct tcp_congestion_ops, which libbpf refuses.)
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/xcr0_notscx_test_1")
int BPF_PROG(xcr0_notscx_test_1, struct bpf_dummy_ops_state *state)
{
	struct task_struct *p = bpf_task_from_pid(1);

	if (!p)
		return 0;
#ifndef XCR0_NOTSCX_CONTROL
	scx_bpf_task_set_xcr0(p, 0x3, 0);
#endif
	bpf_task_release(p);
	return 0;
}

SEC(".struct_ops.link")
struct bpf_dummy_ops xcr0_notscx = {
	.test_1	= (void *)xcr0_notscx_test_1,
};
