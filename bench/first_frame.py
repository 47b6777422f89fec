#!/usr/bin/env python3
"""Time from exec to the demo's first frame (the consent screen's title on the pty), 80x24,
median of N runs, cold and warm:

- cold: the kernel's page cache dropped before each run (as root; else said and skipped) and
  a fresh data dir, so the binary and its libraries come from disk and the outbox is created;
- warm: the same data dir each run (the outbox exists), the binary in the page cache.

The demo draws before it makes its keys, and caches nothing, so what differs is the disk.

    python3 bench/first_frame.py [BINARY] [RUNS]
"""
import fcntl, os, pty, select, signal, statistics, struct, sys, tempfile, termios, time

TITLE = "My Number Card enrollment".encode()


def drop_caches():
    """True when the page cache could be dropped (root)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def one(binary, data_dir):
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, "--lang", "en", "demo", "--data-dir", data_dir])
    buf = b""
    while TITLE not in buf:
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            sys.exit("no first frame within 10 s")
        buf += os.read(fd, 65536)
    ms = (time.monotonic() - t0) * 1000
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return ms


def measure(binary, runs):
    """{"cold": [ms…] or None, "warm": [ms…]}"""
    cold = []
    for _ in range(runs):
        if not drop_caches():
            cold = None
            break
        cold.append(one(binary, tempfile.mkdtemp(prefix="madoguchi-ff-")))
    warm_dir = tempfile.mkdtemp(prefix="madoguchi-ff-")
    one(binary, warm_dir)  # the outbox made, the binary cached
    warm = [one(binary, warm_dir) for _ in range(runs)]
    return {"cold": cold, "warm": warm}


def report(result, runs):
    for kind in ("cold", "warm"):
        times = result[kind]
        if times is None:
            print(f"first frame, {kind}: SKIPPED (dropping the page cache needs root)")
            continue
        runs_text = " ".join(f"{t:.0f}" for t in times)
        print(f"first frame, {kind}, median of {runs}: {statistics.median(times):.0f} ms  (runs: {runs_text})")


if __name__ == "__main__":
    BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/madoguchi"
    RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    report(measure(BIN, RUNS), RUNS)
