#!/usr/bin/env python3
"""Station benchmark: drives `madoguchi demo` in a pseudo-terminal (80x24) and prints
time to first frame (median of 10, cold and warm: bench/first_frame.py), bytes written per
PIN keystroke, bytes and CPU over an idle period, wall time of a scripted enrollment (no
human delays), and peak RSS.

    python3 bench/station.py [BINARY] [IDLE_SECONDS]
"""
import fcntl, os, pty, select, struct, sys, tempfile, termios, time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/madoguchi"
IDLE = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import first_frame
FIRST_FRAMES = first_frame.measure(BIN, 10)
data_dir = tempfile.mkdtemp(prefix="madoguchi-bench-")

t_start = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.environ["TERM"] = "xterm-256color"
    os.execv(BIN, [BIN, "--lang", "en", "demo", "--data-dir", data_dir, "--profile", "yamada"])

buf = bytearray()
total = 0

def pump(timeout):
    global total
    end = time.monotonic() + timeout
    got = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return got
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return got
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return got
        if not chunk:
            return got
        buf.extend(chunk)
        total += len(chunk)
        got += len(chunk)

def until(text, timeout=20.0):
    needle = text.encode()
    end = time.monotonic() + timeout
    while needle not in buf:
        if time.monotonic() > end:
            sys.exit(f"timed out waiting for {text!r}")
        pump(0.05)
    del buf[:]

def send(s):
    os.write(fd, s.encode())

def cpu_ticks():
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])

def rss_peak_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0

until("Terms of use")
first_frame_s = time.monotonic() - t_start
pump(0.5)
# The demo makes its test keys after the first frame: idle starts once that is done (the CPU
# count stops moving), at most 20 s on.
settle_end = time.monotonic() + 20
last = cpu_ticks()
while time.monotonic() < settle_end:
    pump(0.5)
    now = cpu_ticks()
    if now == last:
        break
    last = now

# Idle on the consent screen: nothing should be written.
t0, c0, b0 = time.monotonic(), cpu_ticks(), total
pump(IDLE)
idle_bytes, idle_ticks = total - b0, cpu_ticks() - c0

# Scripted enrollment, no human delays: keys are sent as soon as each screen is up.
t_enroll = time.monotonic()
send("\x1b[F"); pump(0.2); send("\r")
until("Tries left: 3")
pump(0.3)
per_key = []
for ch in "1234":
    b = total
    send(ch)
    pump(0.3)
    per_key.append(total - b)
send("\r")
until("Please check")
send("\r")
until("Tries left: 5")
send("ABC123\r")
until("Enrollment complete.")
enroll_s = time.monotonic() - t_enroll - 4 * 0.3 - 0.3 - 0.2
peak = rss_peak_kb()
send("\x03")
pump(2.0)
os.waitpid(pid, 0)

first_frame.report(FIRST_FRAMES, 10)
print(f"time to first frame, this run:  {first_frame_s * 1000:.0f} ms")
print(f"bytes per PIN keystroke:        {per_key} (mean {sum(per_key) / len(per_key):.0f})")
print(f"idle {IDLE:.0f} s: bytes written      {idle_bytes}")
print(f"idle {IDLE:.0f} s: CPU                {idle_ticks} ticks = {idle_ticks / 100 / IDLE * 100:.3f} % of one core")
print(f"scripted enrollment wall time:  {enroll_s * 1000:.0f} ms (consent to 完了, sign + store + deliver)")
print(f"peak RSS (VmHWM):               {peak / 1024:.1f} MiB")
