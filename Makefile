# Linnet: every user-facing command. `make help` lists them.
#
#   make run       build and boot in QEMU (Ctrl-A X quits)
#   make run USERLAND=busybox   boot to Debian's busybox ash instead (qemu/userland.sh)
#   make test      host unit tests + in-QEMU tests + gdb test; last line "N passed, N failed"
#   make fuzz SECONDS=N SEED=S   the syscall fuzzer as init for N seconds (default 600)
#   make debug     boot frozen, waiting for gdb;  make gdb  attaches (another terminal)
#   make gdb-boot  attaches with symbols at the physical load address, to step head.S
#   make doctor    check the tools;  make setup  install what is missing
#   make lab-handout LAB=N DEST=dir   the student tree;  make grade [LAB=N] [TEST=NAME]   its score
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

.PHONY: all build run debug gdb gdb-boot test fuzz doctor setup fmt clippy docs lab-handout grade clean help
all: build

help:
	@awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' Makefile

setup:
	@bash qemu/setup.sh

doctor:
	@bash qemu/doctor.sh

# The kernel: link (cargo), write the symbol table into .kallsyms, then make the raw
# Linux arm64 Image QEMU boots. cargo decides what to rebuild; the rest is cheap.
build:
	@mkdir -p $(BUILD)
	@if [ -n "$(INITRAMFS)" ]; then cp "$(INITRAMFS)" $(BUILD)/initramfs.cpio; \
	 else bash qemu/initramfs.sh $(BUILD)/initramfs.cpio; fi
	@LINNET_INITRAMFS=$(CURDIR)/$(BUILD)/initramfs.cpio cargo build -p linnet --target $(TARGET) --profile $(PROFILE)
	@mkdir -p $(BUILD)
	@cp $(ELF) $(BUILD)/kernel.elf
	@python3 kernel/scripts/kallsyms.py $(BUILD)/kernel.elf >/dev/null
	@$(OBJCOPY) -O binary $(BUILD)/kernel.elf $(BUILD)/kernel.img
	@echo "built $(BUILD)/kernel.img (Linux arm64 Image, initramfs inside) and $(BUILD)/kernel.elf (symbols)"

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

debug: setup build
	@GDB=1 bash qemu/run.sh

gdb:
	@gdb-multiarch -q -x qemu/gdbinit $(BUILD)/kernel.elf

gdb-boot:
	@gdb-multiarch -q -x qemu/gdbinit-boot

test: setup
	@python3 qemu/runtests.py

# The syscall fuzzer (user/tests/src/bin/fuzz.rs) booted as init for SECONDS (default
# 600) from SEED (default 1); the console is kept in build/fuzz.log.
fuzz: setup build
	@python3 qemu/runtests.py --fuzz $(or $(SECONDS),600) $(or $(SEED),1)

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

clean:
	@cargo clean
	@cd user && cargo clean
	@cd user/std && cargo clean
	@rm -rf $(BUILD)
