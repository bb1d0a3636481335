/*
 * The signal return trampoline (Linux arch/arm64/kernel/vdso/sigreturn.S): a handler
 * installed without SA_RESTORER returns here (x30 points at __kernel_rt_sigreturn), and
 * this calls rt_sigreturn (139) with sp still at the signal frame.
 *
 * The CFI describes the frame record the kernel wrote in the rt_sigframe, so that
 * unwinders (gdb, glibc's backtrace) step from the handler into the interrupted code.
 * The nop before the symbol is Linux's: an unwinder looks up pc - 1 of a return address,
 * which must fall inside this CFI region.
 */
    .text
    .globl  __kernel_rt_sigreturn
    .type   __kernel_rt_sigreturn, %function
    .cfi_startproc
    .cfi_signal_frame
    .cfi_def_cfa x29, 0
    .cfi_offset x29, 0 * 8
    .cfi_offset x30, 1 * 8
    nop
__kernel_rt_sigreturn:
    mov     x8, #139
    svc     #0
    .cfi_endproc
    .size   __kernel_rt_sigreturn, . - __kernel_rt_sigreturn
