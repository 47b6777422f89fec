# The virtual card's photo (card face DF 27): a geometric drawing of ellipses and lines, never
# a person, no font, no third-party art; 378x472 8-bit grey like the card's photo. Licensed with
# the repository. Writes a PGM (P5) to stdout. face.jp2 next to it was made with (Debian
# libopenjp2-tools 2.5.0; 9/7 irreversible, ratio 90, 1,992 bytes, like a card's ~1.9 KB):
#
#   python3 face.py > face.pgm && opj_compress -i face.pgm -o face.jp2 -r 90 -I
import math, sys
W, H = 378, 472
img = bytearray(W * H)
def inside_ellipse(x, y, cx, cy, rx, ry):
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0
for y in range(H):
    for x in range(W):
        v = 215 - int(25 * y / H)                       # light background gradient
        if inside_ellipse(x, y, 189, 520, 170, 140):    # shoulders
            v = 70
        if 160 <= x <= 218 and 300 <= y <= 400:         # neck
            v = 170
        if inside_ellipse(x, y, 189, 215, 105, 135):    # head
            v = 185 - int(20 * abs(x - 189) / 105)
        if inside_ellipse(x, y, 189, 150, 112, 80) and y < 165:  # hair
            v = 45
        for ex in (148, 230):                             # eyes
            if inside_ellipse(x, y, ex, 215, 16, 8): v = 245
            if inside_ellipse(x, y, ex, 215, 6, 6): v = 30
            if 198 <= y <= 201 and abs(x - ex) < 20: v = 60  # brows
        if inside_ellipse(x, y, 189, 260, 8, 18) and x > 189: v = 150   # nose shade
        if abs(((x - 189) / 38) ** 2 * -12 + 307 - y) < 2.5 and abs(x - 189) < 38: v = 90  # smile
        img[y * W + x] = v
sys.stdout.buffer.write(b"P5\n%d %d\n255\n" % (W, H) + bytes(img))
