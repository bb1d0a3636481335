# Linnet: every user-facing command. `make help` lists them.
#
#   make build     the kernel with the user programs inside: build/kernel.img (QEMU boots
#                  it) and build/kernel.elf (symbols); a no-op when nothing changed.
#                  `make` and `make all` are make build
#   make run       build and boot in QEMU (Ctrl-A X quits)
#   make run USERLAND=busybox   boot to Debian's busybox ash instead (qemu/userland.sh)
#   make test      host unit tests + in-QEMU tests + gdb test; last line "N passed, N failed"
#   make fuzz SECONDS=N SEED=S   the syscall fuzzer as init for N seconds (default 600)
#   make bench [ROUNDS=N]   user/bench's benchmarks on Linnet and on Debian's Linux, same
#                  QEMU, N rounds (default 3): medians and ratios (docs/performance.md)
#   make debug     the unoptimized kernel (build/debug), boot frozen, waiting for gdb;
#                  make gdb  attaches (another terminal);  make build-debug  only builds it
#   make gdb-boot  attaches with symbols at the physical load address, to step head.S
#   make doctor    check the tools;  make setup  install what is missing
#   make lab-handout LAB=N DEST=dir   the student tree;  make grade [LAB=N] [TEST=NAME]   its score
#   make fmt       format all the Rust code (cargo fmt);  make clippy  lint it (-D warnings)
#   make docs      regenerate docs/syscalls.md and docs/linux-map.md from the code
#   make clean     remove what the builds made (cargo's target/ directories, build/)
#   make help      this list
#
# Knobs: MEM=512M  GIC=2|3  EL2=0|1  APPEND="loglevel=7 hz=250"  INITRD=file
#        INITRAMFS=file (build this archive into the image instead of packing user/)
#        GDB_PORT=1234  USERLAND=busybox (the user-land initrd: busybox, Rust std, C programs)

TARGET    := aarch64-unknown-none-softfloat
PROFILE   := release
ELF       := $(or $(CARGO_TARGET_DIR),target)/$(TARGET)/$(PROFILE)/linnet
BUILD     := build
SYSROOT    = $(shell rustc --print sysroot)
HOST       = $(shell rustc -vV | sed -n 's/^host: //p')
OBJCOPY    = $(SYSROOT)/lib/rustlib/$(HOST)/bin/llvm-objcopy

GDB_PORT ?= 1234
export MEM GIC EL2 APPEND INITRD GDB_PORT

.PHONY: all build build-debug run debug gdb gdb-boot test fuzz bench doctor setup fmt clippy docs lab-handout grade clean help
all: build

help:
	@awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' Makefile

setup:
	@bash qemu/setup.sh

doctor:
	@bash qemu/doctor.sh

# The kernel: pack the initramfs, link (cargo), write the symbol table into .kallsyms,
# then make the raw Linux arm64 Image QEMU boots. When nothing changed, nothing is
# rewritten: the archive is replaced only when its bytes change (kernel/build.rs watches
# it, so a new mtime alone would relink the kernel), and kernel.elf/kernel.img are redone
# only when the linked ELF (or kallsyms.py) is not the one they were made from, as the
# stamp file build/kernel.stamp records (a path and mtimes: switching profiles redoes it).
build:
	@mkdir -p $(BUILD)
	@if [ -n "$(INITRAMFS)" ]; then cmp -s "$(INITRAMFS)" $(BUILD)/initramfs.cpio || \
	   cp "$(INITRAMFS)" $(BUILD)/initramfs.cpio; \
	 else bash qemu/initramfs.sh $(BUILD)/initramfs.cpio; fi
	@LINNET_INITRAMFS=$(CURDIR)/$(BUILD)/initramfs.cpio cargo build -p linnet --target $(TARGET) --profile $(PROFILE) $(KFEATURES)
	@stamp="$$(stat -c '%n %y' $(ELF) kernel/scripts/kallsyms.py)"; \
	 if [ "$$stamp" != "$$(cat $(BUILD)/kernel.stamp 2>/dev/null)" ] || \
	    [ ! -f $(BUILD)/kernel.elf ] || [ ! -f $(BUILD)/kernel.img ]; then \
	   rm -f $(BUILD)/kernel.stamp && \
	   cp $(ELF) $(BUILD)/kernel.elf.tmp && \
	   python3 kernel/scripts/kallsyms.py $(BUILD)/kernel.elf.tmp >/dev/null && \
	   $(OBJCOPY) -O binary $(BUILD)/kernel.elf.tmp $(BUILD)/kernel.img.tmp && \
	   mv $(BUILD)/kernel.img.tmp $(BUILD)/kernel.img && \
	   mv $(BUILD)/kernel.elf.tmp $(BUILD)/kernel.elf && \
	   echo "$$stamp" > $(BUILD)/kernel.stamp && \
	   echo "built $(BUILD)/kernel.img (Linux arm64 Image, initramfs inside) and $(BUILD)/kernel.elf (symbols)"; \
	 else echo "$(BUILD)/kernel.img is up to date"; fi

# USERLAND=busybox: boot the user-land initrd (-initrd build/userland.cpio: Debian's
# busybox-static with its applet links in /bin, fetched on first use, plus the Rust std
# and C programs); the default is Linnet's own user land, built into the kernel.
# Its shell is ash, started by Linnet's init as it starts its own shell: in a session of
# its own with the console as its controlling terminal (setsid + TIOCSCTTY, as a getty
# does), so ash has job control (Ctrl-C, `&`, jobs).
run: setup build
	@if [ "$(USERLAND)" = busybox ]; then bash qemu/userland.sh $(BUILD)/userland.cpio; fi
	@echo "Booting Linnet in QEMU; quit with Ctrl-A X."
	@if [ "$(USERLAND)" = busybox ]; then INITRD=$(BUILD)/userland.cpio \
	   APPEND="$(APPEND) init=/sbin/init" bash qemu/run.sh; \
	 elif [ -n "$(USERLAND)" ]; then echo "USERLAND=$(USERLAND): unknown (want busybox)"; exit 2; \
	 else bash qemu/run.sh; fi

# make debug: the kernel for stepping, unoptimized (Cargo profile kdebug, feature kdebug:
# 64 KiB kernel stacks), built into build/debug only here (build-debug), so `make build`
# and `make test` keep the optimized kernel. DEBUG_PROFILE=release boots the optimized
# one instead. build/gdb.elf names the ELF booted, for `make gdb` and `make gdb-boot`.
DEBUG_PROFILE ?= kdebug
debug: setup
	@if [ "$(DEBUG_PROFILE)" = release ]; then $(MAKE) -s build && \
	   ln -sfn kernel.elf $(BUILD)/gdb.elf; \
	 else $(MAKE) -s build-debug && ln -sfn debug/kernel.elf $(BUILD)/gdb.elf; fi
	@GDB=1 KERNEL=$(CURDIR)/$(BUILD)/$(if $(filter release,$(DEBUG_PROFILE)),,debug/)kernel.img bash qemu/run.sh

build-debug:
	@$(MAKE) -s build PROFILE=kdebug BUILD=$(BUILD)/debug KFEATURES="--features kdebug"

# Both first check that a QEMU gdb stub is listening (qemu/gdbinit says the same when
# gdb is started by hand), so a forgotten `make debug` is one line, at once.
gdb:
	@python3 qemu/gdbstub-check.py $(GDB_PORT)
	@gdb-multiarch -q -x qemu/gdbinit $(if $(wildcard $(BUILD)/gdb.elf),$(BUILD)/gdb.elf,$(BUILD)/kernel.elf)

gdb-boot:
	@python3 qemu/gdbstub-check.py $(GDB_PORT)
	@KERNEL_ELF=$(if $(wildcard $(BUILD)/gdb.elf),$(BUILD)/gdb.elf,$(BUILD)/kernel.elf) gdb-multiarch -q -x qemu/gdbinit-boot

test: setup
	@python3 qemu/runtests.py

# The syscall fuzzer (user/tests/src/bin/fuzz.rs) booted as init for SECONDS (default
# 600) from SEED (default 1); the console is kept in build/fuzz.log.
fuzz: setup build
	@python3 qemu/runtests.py --fuzz $(or $(SECONDS),600) $(or $(SEED),1)

# The benchmarks (user/bench) booted as /init on Linnet and on Debian's arm64 Linux
# (qemu/debian-pkg.sh fetches it once), alternating, ROUNDS times (default 3); prints one
# table of medians and ratios, last line "bench: worst ratio R (metric); boot ratio B".
bench: setup
	@python3 qemu/bench.py --rounds $(or $(ROUNDS),3)

fmt:
	@cargo fmt --all

# Coursework: the student tree for lab N, and its grade (labs/README.md).
lab-handout:
	@test -n "$(LAB)" -a -n "$(DEST)" || { echo "usage: make lab-handout LAB=N DEST=dir"; exit 2; }
	@python3 labs/lab.py handout $(LAB) $(DEST)

# In a handout LAB= is known (labs/handout.json); TEST=NAME runs one test.
grade:
	@python3 labs/lab.py grade $(LAB) $(if $(TEST),--test '$(TEST)')

# Regenerate the documents made from the code (docs/syscalls.md, docs/linux-map.md).
docs:
	@python3 qemu/syscalls-doc.py
	@python3 qemu/linux-map.py

clippy:
	@cargo clippy -p linnet --target $(TARGET) -- -D warnings
	@cargo clippy -p linnet --tests -- -D warnings
	@cargo clippy -p uapi -- -D warnings

clean:
	@cargo clean
	@cd user && cargo clean
	@cd user/std && cargo clean
	@rm -rf $(BUILD)
