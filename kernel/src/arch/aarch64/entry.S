/*
 * entry.S: the exception vector table and the register save/restore around every trap.
 *
 * Mirrors Linux arch/arm64/kernel/entry.S: `vectors`, `kernel_ventry` (with the
 * CONFIG_VMAP_STACK overflow check), `kernel_entry` / `kernel_exit`, and
 * `__bad_stack`. Simplified: no KPTI trampoline (under QEMU TCG a TTBR switch on every
 * syscall would flush QEMU's whole TLB), no pointer authentication, no SDEI.
 *
 * Each entry saves a `TrapFrame` (trap.rs; Linux `struct pt_regs`) on the kernel stack
 * and calls a Rust handler with a pointer to it; the handler may change the frame (a
 * syscall's return value, a new task's registers) and `kernel_exit` restores from it.
 * Read next: trap.rs.
 */

/*
 * TrapFrame offsets, computed by the compiler in asm_offsets.rs (Linux asm-offsets.c),
 * and the stack size from mm/layout.rs: the `const` operands of the global_asm! in mod.rs.
 */
.equ S_X0,          {S_X0}
.equ S_LR,          {S_LR}
.equ S_SP,          {S_SP}
.equ S_PC,          {S_PC}
.equ S_PSTATE,      {S_PSTATE}
.equ S_ORIG_X0,     {S_ORIG_X0}
.equ S_FRAME_SIZE,  {S_FRAME_SIZE}
.equ THREAD_SHIFT,  {THREAD_SHIFT}

/*
 * One vector: 128 bytes. For exceptions taken from EL1 it first checks that the stack
 * pointer did not run off the bottom of the kernel stack into the guard page: stacks are
 * THREAD_SIZE long and 2*THREAD_SIZE aligned, so in a valid SP bit THREAD_SHIFT is 0.
 * Without a free register, x0 and sp are juggled as in Linux.
 */
.macro kernel_ventry el:req, label:req
    .align 7
    sub     sp, sp, #S_FRAME_SIZE
    .if \el == 1
    add     sp, sp, x0              /* sp' = sp + x0 */
    sub     x0, sp, x0              /* x0' = sp */
    tbnz    x0, #THREAD_SHIFT, 0f   /* in the guard: overflow */
    sub     x0, sp, x0              /* x0 back */
    sub     sp, sp, x0              /* sp back */
    b       el\el\()_\label
0:  msr     tpidr_el0, x0           /* stash the overflowed sp (minus the frame) */
    sub     x0, sp, x0              /* the original x0 */
    msr     tpidrro_el0, x0
    b       __bad_stack
    .else
    b       el\el\()_\label
    .endif
.endm

/* Save x0-x30, the interrupted sp, pc (ELR) and pstate (SPSR) into a TrapFrame at sp. */
.macro kernel_entry el:req
    stp     x0, x1, [sp, #S_X0 + 16 * 0]
    stp     x2, x3, [sp, #S_X0 + 16 * 1]
    stp     x4, x5, [sp, #S_X0 + 16 * 2]
    stp     x6, x7, [sp, #S_X0 + 16 * 3]
    stp     x8, x9, [sp, #S_X0 + 16 * 4]
    stp     x10, x11, [sp, #S_X0 + 16 * 5]
    stp     x12, x13, [sp, #S_X0 + 16 * 6]
    stp     x14, x15, [sp, #S_X0 + 16 * 7]
    stp     x16, x17, [sp, #S_X0 + 16 * 8]
    stp     x18, x19, [sp, #S_X0 + 16 * 9]
    stp     x20, x21, [sp, #S_X0 + 16 * 10]
    stp     x22, x23, [sp, #S_X0 + 16 * 11]
    stp     x24, x25, [sp, #S_X0 + 16 * 12]
    stp     x26, x27, [sp, #S_X0 + 16 * 13]
    stp     x28, x29, [sp, #S_X0 + 16 * 14]
    .if \el == 0
    mrs     x21, sp_el0
    .else
    add     x21, sp, #S_FRAME_SIZE
    .endif
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x30, x21, [sp, #S_LR]
    stp     x22, x23, [sp, #S_PC]
    str     x0, [sp, #S_ORIG_X0]    /* syscall restart needs the first argument */
    .if \el == 0
    mov     x29, xzr                /* a user frame pointer must not enter the backtrace */
    .endif
.endm

.macro kernel_exit el:req
    ldp     x21, x22, [sp, #S_SP]   /* sp, pc */
    ldr     x23, [sp, #S_PSTATE]
    .if \el == 0
    msr     sp_el0, x21
    .endif
    msr     elr_el1, x22
    msr     spsr_el1, x23
    ldp     x0, x1, [sp, #S_X0 + 16 * 0]
    ldp     x2, x3, [sp, #S_X0 + 16 * 1]
    ldp     x4, x5, [sp, #S_X0 + 16 * 2]
    ldp     x6, x7, [sp, #S_X0 + 16 * 3]
    ldp     x8, x9, [sp, #S_X0 + 16 * 4]
    ldp     x10, x11, [sp, #S_X0 + 16 * 5]
    ldp     x12, x13, [sp, #S_X0 + 16 * 6]
    ldp     x14, x15, [sp, #S_X0 + 16 * 7]
    ldp     x16, x17, [sp, #S_X0 + 16 * 8]
    ldp     x18, x19, [sp, #S_X0 + 16 * 9]
    ldp     x20, x21, [sp, #S_X0 + 16 * 10]
    ldp     x22, x23, [sp, #S_X0 + 16 * 11]
    ldp     x24, x25, [sp, #S_X0 + 16 * 12]
    ldp     x26, x27, [sp, #S_X0 + 16 * 13]
    ldp     x28, x29, [sp, #S_X0 + 16 * 14]
    ldr     x30, [sp, #S_LR]
    add     sp, sp, #S_FRAME_SIZE
    eret
.endm

/*
 * Call-frame information for gdb (in .debug_frame: the image keeps no unwind tables), so
 * a backtrace ends cleanly at the exception entry, as Linux's final frame record makes
 * its own unwinder stop. From EL0 there is no caller: x30, the return-address column, is
 * undefined, which tells gdb this is the outermost frame (the user's registers are in
 * the TrapFrame, not in a caller's frame). From EL1 the interrupted kernel code is the
 * caller: the CFA is the interrupted sp (the TrapFrame's end), x0-x29 are in the frame,
 * and x30 is given as the saved ELR, because gdb takes a caller's pc from x30 on arm64
 * (a separate return column is ignored there). So the backtrace goes on into the
 * function that was running; only that function's own x30 shows as its pc in gdb.
 */
.macro entry_cfi_start el:req
    .cfi_startproc
    .if \el == 0
    .cfi_undefined x30
    .else
    .cfi_def_cfa sp, S_FRAME_SIZE
    .endif
.endm

.macro entry_cfi_saved el:req
    .if \el == 1
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
    .cfi_offset x\n, S_X0 + 8 * \n - S_FRAME_SIZE
    .endr
    .cfi_offset x30, S_PC - S_FRAME_SIZE
    .endif
.endm

    .cfi_sections .debug_frame

/* A handler entry: save, call `rust_fn(&mut TrapFrame)`, restore. */
.macro entry_handler el:req, label:req, rust_fn:req
    .section .text
    .align 6
el\el\()_\label:
    entry_cfi_start \el
    kernel_entry \el
    entry_cfi_saved \el
    mov     x0, sp
    bl      \rust_fn
    b       ret_to_\()el\el
    .cfi_endproc
.endm

    .section .text
    .align 11
    .global vectors
vectors:
    kernel_ventry 1, sync_invalid_t     /* EL1 with SP_EL0: Linnet never runs like this */
    kernel_ventry 1, irq_invalid_t
    kernel_ventry 1, fiq_invalid_t
    kernel_ventry 1, error_invalid_t

    kernel_ventry 1, sync               /* EL1 with SP_EL1: the kernel itself */
    kernel_ventry 1, irq
    kernel_ventry 1, fiq_invalid
    kernel_ventry 1, error_invalid

    kernel_ventry 0, sync               /* EL0, AArch64: user programs */
    kernel_ventry 0, irq
    kernel_ventry 0, fiq_invalid
    kernel_ventry 0, error_invalid

    kernel_ventry 0, sync_invalid_32    /* EL0, AArch32: not supported */
    kernel_ventry 0, irq_invalid_32
    kernel_ventry 0, fiq_invalid_32
    kernel_ventry 0, error_invalid_32

    entry_handler 1, sync, el1h_sync_handler
    entry_handler 1, irq, el1h_irq_handler
    entry_handler 0, sync, el0_sync_handler
    entry_handler 0, irq, el0_irq_handler

/* The unexpected kinds all go to one reporter, with a number saying which it was. */
.macro invalid_entry el:req, label:req, reason:req
    .section .text
    .align 6
el\el\()_\label:
    entry_cfi_start \el
    kernel_entry \el
    entry_cfi_saved \el
    mov     x0, sp
    mov     x1, #\reason
    bl      bad_mode_handler
    b       .
    .cfi_endproc
.endm
    invalid_entry 1, sync_invalid_t, 0
    invalid_entry 1, irq_invalid_t, 1
    invalid_entry 1, fiq_invalid_t, 2
    invalid_entry 1, error_invalid_t, 3
    invalid_entry 1, fiq_invalid, 6
    invalid_entry 1, error_invalid, 7
    invalid_entry 0, fiq_invalid, 10
    invalid_entry 0, error_invalid, 11
    invalid_entry 0, sync_invalid_32, 12
    invalid_entry 0, irq_invalid_32, 13
    invalid_entry 0, fiq_invalid_32, 14
    invalid_entry 0, error_invalid_32, 15

    .section .text
    .global ret_to_el1
ret_to_el1:
    kernel_exit 1

    .global ret_to_el0
ret_to_el0:
    kernel_exit 0

/*
 * The kernel stack overflowed into its guard. Switch to the overflow stack, save the
 * frame there with the real sp and x0 put back, and report (never returns).
 */
__bad_stack:
    .cfi_startproc
    .cfi_undefined x30              /* on the overflow stack: gdb's backtrace ends here */
    adrp    x0, overflow_stack_top
    add     x0, x0, :lo12:overflow_stack_top
    mov     sp, x0
    sub     sp, sp, #S_FRAME_SIZE
    kernel_entry 1
    mrs     x0, tpidrro_el0         /* the interrupted x0 */
    str     x0, [sp, #S_X0]
    mrs     x0, tpidr_el0           /* the interrupted sp */
    add     x0, x0, #S_FRAME_SIZE
    str     x0, [sp, #S_SP]
    mov     x0, sp
    bl      handle_bad_stack
    b       .
    .cfi_endproc

/* The stack the overflow report runs on (Linux: the per-cpu overflow_stack). */
    .section .bss
    .align 12
overflow_stack:
    .space 4096
overflow_stack_top:
