/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xcr0_regdump: print, as raw bytes on stdout, the register state a new
 * program starts with, before any code of its own touches it: XCR0 (8
 * bytes), MXCSR (4), 4 bytes of padding, xmm0-15 (256), and the upper
 * halves of ymm0-15 (256, zero when XCR0 has no AVX). No libc: a dynamic
 * loader would use (and clear) the vector registers first.
 * test_kernel_xcr0's exec isolation tests exec it (struct regdump).
 */
	.text
	.globl	_start
_start:
	xor	%ecx, %ecx
	xgetbv
	mov	%eax, buf(%rip)
	mov	%edx, buf+4(%rip)
	stmxcsr	buf+8(%rip)
	.irp	i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu	%xmm\i, buf+16+\i*16(%rip)
	.endr
	testb	$4, buf(%rip)
	jz	1f
	.irp	i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vextractf128	$1, %ymm\i, buf+272+\i*16(%rip)
	.endr
1:
	mov	$1, %eax		/* write(1, buf, 528) */
	mov	$1, %edi
	lea	buf(%rip), %rsi
	mov	$528, %edx
	syscall
	mov	$60, %eax		/* exit(0) */
	xor	%edi, %edi
	syscall

	.bss
	.balign	16
buf:
	.skip	528

	.section .note.GNU-stack, "", @progbits
