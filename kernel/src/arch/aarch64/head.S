/*
 * head.S: the first instructions Linnet runs, from QEMU's jump to `start_kernel`.
 *
 * Mirrors Linux arch/arm64/kernel/head.S: the Image header, `primary_entry`,
 * `init_kernel_el` (drop from EL2), `__create_page_tables`, `__enable_mmu` and
 * `__primary_switched`. Simplified: one CPU, no KASLR, no EFI stub; the early tables
 * use 1 GiB / 2 MiB blocks and are replaced by `paging_init` (mm/kmap.rs) in Rust.
 *
 * Runs with the MMU off at whatever physical address QEMU chose, so until the MMU is
 * on only PC-relative addressing (adr/adrp) may be used. Registers kept across:
 *   x19 = physical address of the device tree (from x0, the boot protocol)
 *   x20 = physical address of _text (where the image was loaded)
 *
 * To stop here in gdb before the MMU is on, see docs/boot.md (`make gdb-boot`).
 * Read next: entry.S (exception vectors), then init.rs (start_kernel).
 */

/*
 * Descriptor bits for the early block mappings (Arm ARM D8.3, VMSAv8-64 descriptors),
 * the MAIR_EL1 value and the link address: written once in Rust (pte.rs, mm/layout.rs)
 * and passed in as the `const` operands of the global_asm! in mod.rs.
 */
.equ DESC_TABLE,     ({PTE_VALID} | {PTE_TABLE}) /* valid + table */
.equ DESC_BLOCK,     {PTE_VALID}    /* valid + block (levels 1 and 2) */
.equ ATTR_NORMAL,    {ATTR_NORMAL}  /* AttrIndx = MT_NORMAL */
.equ ATTR_DEVICE,    {ATTR_DEVICE}  /* AttrIndx = MT_DEVICE_nGnRE */
.equ SH_INNER,       {PTE_SH_INNER}
.equ AF,             {PTE_AF}
.equ PXN,            {PTE_PXN}
.equ UXN,            {PTE_UXN}
.equ BLOCK_NORMAL,   (DESC_BLOCK | ATTR_NORMAL | SH_INNER | AF)
.equ BLOCK_DEVICE,   (DESC_BLOCK | ATTR_DEVICE | AF)

/* MAIR_EL1: the five memory types of pte.rs (MT_DEVICE_nGnRnE .. MT_NORMAL). */
.equ MAIR_VALUE,     {MAIR_EL1_VALUE}
/*
 * TCR_EL1 (Arm ARM D17.2.131) and SCTLR_EL1 (D17.2.118), from aarch64-cpu's named
 * fields in sysreg.rs: 48-bit VAs, 4 KiB granules, 16-bit ASIDs; IPS is filled in from
 * ID_AA64MMFR0_EL1.PARange below. SCTLR: the v8.0 RES1 bits alone with the MMU off;
 * with it on, MMU, caches, alignment checks, and EL0's cache and WFI/WFE rights.
 */
.equ TCR_VALUE,      {TCR_EL1_VALUE}
.equ TCR_IPS_SHIFT,  {TCR_EL1_IPS_SHIFT}
.equ PARANGE_SHIFT,  {ID_AA64MMFR0_EL1_PARANGE_SHIFT}
.equ SCTLR_MMU_OFF,  {INIT_SCTLR_EL1_MMU_OFF}
.equ SCTLR_MMU_ON,   {INIT_SCTLR_EL1_MMU_ON}
/* The EL2 -> EL1 drop (init_kernel_el), also from sysreg.rs. */
.equ INIT_HCR_EL2,   {INIT_HCR_EL2}
.equ CNTHCTL_EL1PC,  {CNTHCTL_EL2_EL1PC}
.equ ICC_SRE_EL2_INIT, {ICC_SRE_EL2_INIT}
.equ INIT_PSTATE_EL1, {INIT_PSTATE_EL1}
.equ CPACR_EL1_FPEN, {CPACR_EL1_FPEN}
.equ KIMAGE_VADDR,   {KIMAGE_VADDR} /* mm/layout.rs */

    .section .head.text, "ax"
    .global _head
/*
 * The Linux arm64 Image header (Documentation/arch/arm64/booting.rst). QEMU sees the
 * magic at 0x38, loads the file at a 2 MiB-aligned address + text_offset, passes the
 * device tree address in x0 and loads -initrd.
 */
_head:
    b       primary_entry           /* code0: branch to the kernel's start */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset: load at a 2 MiB boundary */
    .quad   _kernel_size_le         /* image_size, bss included (linker.ld) */
    .quad   0xa                     /* flags: little endian, 4 KiB pages, anywhere in RAM */
    .quad   0                       /* res2 */
    .quad   0                       /* res3 */
    .quad   0                       /* res4 */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* res5: no PE/COFF header */

    .section .text.boot, "ax"
primary_entry:
    mov     x19, x0                 /* device tree (physical) */
    adrp    x20, _head              /* where we were loaded (physical) */
    bl      init_kernel_el
    bl      __create_page_tables
    bl      __enable_mmu
    /* The MMU is on: jump from the identity map to the link address in TTBR1. */
    ldr     x8, =__primary_switched
    br      x8

/* Enter EL1 whether QEMU started us at EL2 (virtualization=on) or EL1 (the default). */
init_kernel_el:
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.eq    1f
    ldr     x0, =SCTLR_MMU_OFF      /* at EL1: MMU and caches off, little endian */
    msr     sctlr_el1, x0
    isb
    ret
1:  mov     x0, #INIT_HCR_EL2       /* HCR_EL2.RW: EL1 runs AArch64 */
    msr     hcr_el2, x0
    mrs     x0, cnthctl_el2         /* EL1 may use the physical counter and timer */
    orr     x0, x0, #CNTHCTL_EL1PC
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr        /* virtual time = physical time */
    mov     x0, #0x33ff             /* CPTR_EL2: do not trap FP/SIMD */
    msr     cptr_el2, x0
    msr     hstr_el2, xzr
    mrs     x0, id_aa64pfr0_el1     /* GICv3 system registers usable from EL1? */
    ubfx    x0, x0, #24, #4
    cbz     x0, 2f
    mov     x0, #ICC_SRE_EL2_INIT   /* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
    msr     S3_4_C12_C9_5, x0
    isb
2:  mrs     x0, midr_el1
    msr     vpidr_el2, x0
    mrs     x0, mpidr_el1
    msr     vmpidr_el2, x0
    ldr     x0, =SCTLR_MMU_OFF
    msr     sctlr_el1, x0
    mov     x0, #INIT_PSTATE_EL1    /* SPSR: EL1h, D, A, I, F masked */
    msr     spsr_el2, x0
    msr     elr_el2, x30            /* "return" to our caller, at EL1 */
    eret

/*
 * Two early address spaces:
 *   TTBR1: the image at KIMAGE_VADDR -> x20, 2 MiB blocks, RWX for now;
 *   TTBR0: identity map of the first 512 GiB of physical space (1 GiB blocks; the
 *          first GiB, where QEMU virt has its devices, as device memory), so the
 *          instructions right after the MMU turns on still exist, and start_kernel
 *          can read the device tree and the UART at their physical addresses.
 */
__create_page_tables:
    adrp    x0, init_pg_dir         /* clear the six table pages */
    adrp    x1, init_pg_end
1:  stp     xzr, xzr, [x0], #16
    cmp     x0, x1
    b.lo    1b

    adrp    x0, init_pg_dir         /* x0: TTBR1 level 0 */
    add     x1, x0, #0x1000         /* x1: TTBR1 level 1 */
    add     x2, x0, #0x2000         /* x2: TTBR1 level 2 */
    ldr     x3, =KIMAGE_VADDR
    ubfx    x4, x3, #39, #9         /* L0 index */
    orr     x5, x1, #DESC_TABLE
    str     x5, [x0, x4, lsl #3]
    ubfx    x4, x3, #30, #9         /* L1 index */
    orr     x5, x2, #DESC_TABLE
    str     x5, [x1, x4, lsl #3]
    ubfx    x4, x3, #21, #9         /* L2 index of the first block */
    ldr     x6, =_kernel_size_le
    sub     x6, x6, #1
    lsr     x6, x6, #21
    add     x6, x6, #1              /* number of 2 MiB blocks: ceil(size / 2 MiB) */
    ldr     x7, =(BLOCK_NORMAL | UXN)
    orr     x5, x20, x7
2:  str     x5, [x2, x4, lsl #3]
    add     x5, x5, #(1 << 21)
    add     x4, x4, #1
    subs    x6, x6, #1
    b.ne    2b

    add     x0, x0, #0x3000         /* x0: TTBR0 level 0 */
    add     x1, x0, #0x1000         /* x1: TTBR0 level 1 */
    orr     x5, x1, #DESC_TABLE
    str     x5, [x0]
    ldr     x5, =(BLOCK_DEVICE | PXN | UXN)
    str     x5, [x1]                /* [0, 1 GiB): devices */
    ldr     x5, =(BLOCK_NORMAL | UXN | (1 << 30))
    mov     x4, #1
    mov     x7, #(1 << 30)
3:  str     x5, [x1, x4, lsl #3]    /* [1 GiB, 512 GiB): RAM, and whatever else */
    add     x5, x5, x7
    add     x4, x4, #1
    cmp     x4, #512
    b.lo    3b
    dsb     ishst
    ret

__enable_mmu:
    ldr     x0, =MAIR_VALUE
    msr     mair_el1, x0
    ldr     x0, =TCR_VALUE
    mrs     x1, id_aa64mmfr0_el1    /* IPS = the CPU's physical address size */
    ubfx    x1, x1, #PARANGE_SHIFT, #3
    bfi     x0, x1, #TCR_IPS_SHIFT, #3
    msr     tcr_el1, x0
    adrp    x0, init_pg_dir
    msr     ttbr1_el1, x0
    add     x0, x0, #0x3000
    msr     ttbr0_el1, x0
    mov     x0, #CPACR_EL1_FPEN     /* FP/SIMD for EL0 (the kernel uses none) */
    msr     cpacr_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    ldr     x0, =SCTLR_MMU_ON
    msr     sctlr_el1, x0
    isb
    ic      iallu
    dsb     nsh
    isb
    ret

/* Now at the high address (TTBR1): a stack, the vectors, a clean bss, then Rust. */
    .cfi_sections .debug_frame
__primary_switched:
    .cfi_startproc
    .cfi_undefined x30              /* for gdb (.debug_frame): the outermost frame */
    adrp    x0, init_stack_top
    add     x0, x0, :lo12:init_stack_top
    mov     sp, x0
    mov     x29, xzr                /* end of the frame-pointer chain for backtraces */
    mov     x30, xzr
    adrp    x0, vectors
    add     x0, x0, :lo12:vectors
    msr     vbar_el1, x0
    isb
    adrp    x0, __bss_start         /* clear bss up to the early page tables */
    add     x0, x0, :lo12:__bss_start
    adrp    x1, init_pg_dir
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:  mov     x0, x19                 /* start_kernel(dtb_pa, image_pa) */
    mov     x1, x20
    bl      start_kernel
3:  wfe                             /* start_kernel never returns */
    b       3b
    .cfi_endproc

    .ltorg
