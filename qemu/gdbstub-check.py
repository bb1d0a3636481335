#!/usr/bin/env python3
"""qemu/gdbstub-check.py [PORT]: exit 0 if QEMU's gdb stub listens on localhost:PORT
(default $GDB_PORT or 1234), else say to start it with `make debug` and exit 1.
`make gdb` and `make gdb-boot` run this first; qemu/gdbinit imports `stub_listening`."""
import os
import socket
import sys


def stub_listening(port, timeout=1.0):
    """Whether something accepts a TCP connection on localhost:port within `timeout` s.
    The probe connection is closed at once; QEMU's stub then waits for the next one."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def advice(port):
    return ("no QEMU gdb stub on port %d: run `make debug` first (in another terminal), "
            "then `make gdb`" % port)


if __name__ == "__main__":
    port = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GDB_PORT", "1234"))
    if not stub_listening(port):
        print(advice(port), file=sys.stderr)
        sys.exit(1)
