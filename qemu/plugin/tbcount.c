/*
 * qemu/plugin/tbcount.c: a QEMU TCG plugin that counts guest instructions between two
 * marker addresses, for the page-fault diagnosis of `make bench` (qemu/faultprof.py,
 * docs/performance.md). Built by faultprof.py with the host's cc; QEMU 7.2's plugin
 * API version 1 (the few functions used are declared below, so no QEMU headers are
 * needed).
 *
 *   -plugin build/bench/tbcount.so,start=0xADDR,stop=0xADDR,out=FILE[,time=1]
 *
 * Every translation block gets an inline counter of its executions. When a block that
 * begins at `start` runs, the counters are snapshotted; when one that begins at `stop`
 * runs, the differences are written to FILE as "window K" followed by one line per block
 * start address: "vaddr insns_per_block executions", and the counts of a few instruction
 * classes (TLBI, DSB, ISB, ERET, SVC, DC ZVA, MSR) executed in the window, and of MSR
 * per system register ("msr S3_0_C4_C0_1 N": op0, op1, CRn, CRm, op2). Counts are of
 * whole blocks: a block cut short by an exception counts as if it ran to its end.
 *
 * With time=1 every block also calls back into the plugin when it starts, and the host
 * time (TSC) since the previous callback is charged to the previous block: a fourth
 * column, host nanoseconds, that includes what instruction counts miss (QEMU's TLB
 * refills, exception entry, helpers) and the callbacks' own cost (about the same per
 * block everywhere: compare shares, not absolute values).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu_index, void *userdata);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vcpu_udata_cb cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translation (a block may be translated again: each translation has its own). */
struct block {
    uint64_t vaddr, insns, count, base, ticks, ticks_base;
};

static struct block **blocks;
static size_t nblocks, capblocks;
static uint64_t start_pc, stop_pc;
static FILE *out;
static int window;
static int timing;
static struct block *prev;
static uint64_t last_tsc;
static double tsc_per_ns;

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void on_block(unsigned int vcpu, void *u)
{
    (void)vcpu;
    uint64_t now = tsc();
    if (prev)
        prev->ticks += now - last_tsc;
    prev = u;
    last_tsc = tsc();
}

/* Instruction classes, by encoding (Arm ARM C6): mask, value, name. */
#define NCLASS 7
static const struct { uint32_t mask, value; const char *name; } classes[NCLASS] = {
    {0xfff8f000, 0xd5088000, "tlbi"},  /* SYS with CRn = 8 */
    {0xfffff0ff, 0xd503309f, "dsb"},
    {0xfffff0ff, 0xd50330df, "isb"},
    {0xffffffff, 0xd69f03e0, "eret"},
    {0xffe0001f, 0xd4000001, "svc"},
    {0xffffffe0, 0xd50b7420, "dc_zva"},
    {0xfff00000, 0xd5100000, "msr"},   /* MSR (register), any system register */
};
static uint64_t class_count[NCLASS], class_base[NCLASS];

/* MSR (register) executions per system register (the encoding without Rt). */
#define NMSR 128
static uint32_t msr_enc[NMSR];
static uint64_t msr_count[NMSR], msr_base[NMSR];
static int nmsr;

static uint64_t *msr_counter(uint32_t word)
{
    uint32_t enc = word & 0xffffffe0;
    for (int i = 0; i < nmsr; i++)
        if (msr_enc[i] == enc)
            return &msr_count[i];
    if (nmsr == NMSR)
        return NULL;
    msr_enc[nmsr] = enc;
    return &msr_count[nmsr++];
}

static void on_start(unsigned int vcpu, void *u)
{
    (void)vcpu; (void)u;
    for (size_t i = 0; i < nblocks; i++) {
        blocks[i]->base = blocks[i]->count;
        blocks[i]->ticks_base = blocks[i]->ticks;
    }
    memcpy(class_base, class_count, sizeof class_count);
    memcpy(msr_base, msr_count, sizeof msr_count);
}

static void on_stop(unsigned int vcpu, void *u)
{
    (void)vcpu; (void)u;
    fprintf(out, "window %d\n", ++window);
    for (int c = 0; c < NCLASS; c++)
        fprintf(out, "class %s %" PRIu64 "\n", classes[c].name, class_count[c] - class_base[c]);
    for (int i = 0; i < nmsr; i++) {
        /* op0 (19-20), op1 (16-18), CRn (12-15), CRm (8-11), op2 (5-7) */
        uint32_t e = msr_enc[i];
        if (msr_count[i] != msr_base[i])
            fprintf(out, "msr S%u_%u_C%u_C%u_%u %" PRIu64 "\n", (e >> 19) & 3, (e >> 16) & 7,
                    (e >> 12) & 15, (e >> 8) & 15, (e >> 5) & 7, msr_count[i] - msr_base[i]);
        msr_base[i] = msr_count[i];
    }
    for (size_t i = 0; i < nblocks; i++) {
        struct block *b = blocks[i];
        if (b->count != b->base)
            fprintf(out, "%" PRIx64 " %" PRIu64 " %" PRIu64 " %.0f\n", b->vaddr, b->insns,
                    b->count - b->base, (b->ticks - b->ticks_base) / tsc_per_ns);
        b->base = b->count;
        b->ticks_base = b->ticks;
    }
    fprintf(out, "end\n");
    fflush(out);
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    struct block *b = calloc(1, sizeof *b);
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->insns = qemu_plugin_tb_n_insns(tb);
    if (nblocks == capblocks) {
        capblocks = capblocks ? 2 * capblocks : 65536;
        blocks = realloc(blocks, capblocks * sizeof *blocks);
    }
    blocks[nblocks++] = b;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
    if (timing)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, b);
    if (b->vaddr == start_pc)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (b->vaddr == stop_pc)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
    for (size_t i = 0; i < b->insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t word;
        memcpy(&word, qemu_plugin_insn_data(insn), 4);
        for (int c = 0; c < NCLASS; c++)
            if ((word & classes[c].mask) == classes[c].value)
                qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                           &class_count[c], 1);
        uint64_t *m = (word & 0xfff00000) == 0xd5100000 ? msr_counter(word) : NULL;
        if (m)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, m, 1);
    }
}

static void on_atexit(qemu_plugin_id_t id, void *u)
{
    (void)id; (void)u;
    if (out)
        fclose(out);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *path = "tbcount.out";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "arg=", 4))
            a += 4;
        if (!strncmp(a, "start=", 6))
            start_pc = strtoull(a + 6, NULL, 0);
        else if (!strncmp(a, "stop=", 5))
            stop_pc = strtoull(a + 5, NULL, 0);
        else if (!strncmp(a, "out=", 4))
            path = a + 4;
        else if (!strncmp(a, "time=", 5))
            timing = atoi(a + 5);
    }
    /* Calibrate the TSC against CLOCK_MONOTONIC over 50 ms. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t c0 = tsc();
    do
        clock_gettime(CLOCK_MONOTONIC, &t1);
    while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 50000000L);
    tsc_per_ns = (double)(tsc() - c0) / ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec));
    out = fopen(path, "w");
    if (!out || !start_pc || !stop_pc)
        return 1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
    qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
    return 0;
}
