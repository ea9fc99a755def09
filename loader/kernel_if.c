// SPDX-License-Identifier: GPL-2.0
/* What the running kernel offers scx_xcr0, see kernel_if.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_if.h"
#include "task.h"
#include "util.h"

int kif_kfunc_args(int *nr_args)
{
	const struct btf_type *t;
	struct btf *btf;
	int id;

	*nr_args = -1;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return errno ? -errno : -EINVAL;
	id = btf__find_by_name_kind(btf, KIF_KFUNC_SET, BTF_KIND_FUNC);
	if (id >= 0) {
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (t && btf_is_func_proto(t))
			*nr_args = btf_vlen(t);
	}
	btf__free(btf);
	return id < 0 ? -ENOENT : 0;
}

/*
 * The kernel must have the kfunc that makes masks real, with the flags
 * argument of the pending/applied ABI (an earlier version of the patches
 * had two arguments and applied every mask at once); ask its BTF.
 */
int kif_check_kfunc(void)
{
	int nr_args, ret = kif_kfunc_args(&nr_args);

	if (ret == -ENOENT)
		return fail(-EOPNOTSUPP, "this kernel lacks %s(); boot the scx_xcr0 kernel",
			    KIF_KFUNC_SET);
	if (ret)
		return fail(ret, "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s; the kernel needs CONFIG_DEBUG_INFO_BTF",
			    strerror(-ret));
	if (nr_args != KIF_KFUNC_SET_NR_ARGS)
		return fail(-EOPNOTSUPP, "this kernel's %s() takes %d arguments, not %d (p, xcr0, flags): it predates pending and applied masks; boot a kernel built from kernel/series",
			    KIF_KFUNC_SET, nr_args, KIF_KFUNC_SET_NR_ARGS);
	return 0;
}

bool kif_proc_xcr0(void)
{
	__u64 applied, pending;

	return !task_xcr0(getpid(), &applied, &pending);
}
