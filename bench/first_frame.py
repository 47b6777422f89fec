#!/usr/bin/env python3
"""Time from exec to the demo's first frame (the consent screen's title on the pty), N runs,
80x24; prints each run and the median. The demo makes its keys after drawing, so a cold start
(no cache anywhere) is what every run measures.

    python3 bench/first_frame.py [BINARY] [RUNS]
"""
import fcntl, os, pty, select, signal, statistics, struct, sys, tempfile, termios, time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/madoguchi"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
TITLE = "My Number Card enrollment".encode()

times = []
for _ in range(RUNS):
    data_dir = tempfile.mkdtemp(prefix="madoguchi-ff-")
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execv(BIN, [BIN, "--lang", "en", "demo", "--data-dir", data_dir])
    buf = b""
    while TITLE not in buf:
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            sys.exit("no first frame within 10 s")
        buf += os.read(fd, 65536)
    times.append((time.monotonic() - t0) * 1000)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
for i, t in enumerate(times):
    print(f"run {i + 1}: {t:.0f} ms")
print(f"first frame, median of {RUNS}: {statistics.median(times):.0f} ms")
