# The kiosk test's keyboard (tests/picture_kiosk.rs): cage has no virtual-keyboard protocol,
# so foot runs this instead of madoguchi. It runs the command in a pty of its own and passes
# bytes both ways unchanged (the screen, sixel included, to foot; foot's answers to the
# station's queries back), and types into the command's pty what arrives on a FIFO.
# It writes foot's size "COLS ROWS XPIXELS YPIXELS" to SIZE_FILE, again on each resize.
# Usage: relay.py SIZE_FILE KEYS_FIFO COMMAND...
import fcntl, os, pty, select, signal, struct, sys, termios, tty

size_file, fifo, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)


def resized(*_):
    ws = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, ws)
    rows, cols, xpx, ypx = struct.unpack("HHHH", ws)
    with open(size_file + ".tmp", "w") as f:
        f.write(f"{cols} {rows} {xpx} {ypx}\n")
    os.rename(size_file + ".tmp", size_file)


resized()
signal.signal(signal.SIGWINCH, resized)
tty.setraw(0)
out = sys.stdout.buffer
keys = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)


def copy(src, dst):
    data = os.read(src, 65536)
    while data:
        data = data[os.write(dst, data):]


while True:
    try:
        r, _, _ = select.select([fd, 0, keys], [], [])
    except InterruptedError:
        continue
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out.write(data)
        out.flush()
    if 0 in r:
        copy(0, fd)
    if keys in r:
        copy(keys, fd)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
