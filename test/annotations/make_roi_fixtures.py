"""ImageJ .roi fixtures written straight from the format description in ImageJ's
RoiDecoder/RoiEncoder (big-endian 64-byte header, coordinates, 64-byte header2 with the
name), independently of nucseg's TypeScript encoder, plus the mask each should give on a
40 x 32 field: rectangle by slicing, oval by ImageJ's OvalRoi rule, polygons (pixel centres
inside) with skimage.draw.polygon, composites even-odd as the XOR of their sub-paths.

usage: make_roi_fixtures.py OUTDIR   (writes OUTDIR/*.roi, OUTDIR/RoiSet.zip, prints JSON masks)
"""
import json, struct, sys, zipfile
import numpy as np
from skimage.draw import polygon as sk_polygon

W, H = 40, 32
out = sys.argv[1]


def header(version, typ, top, left, bottom, right, n=0, options=0, shape_size=0, subtype=0):
    h = bytearray(64)
    h[0:4] = b'Iout'
    struct.pack_into('>hBx', h, 4, version, typ)
    struct.pack_into('>hhhhH', h, 8, top, left, bottom, right, n)
    struct.pack_into('>i', h, 36, shape_size)
    struct.pack_into('>hh', h, 48, subtype, options)
    return h


def with_name(h, body, name):
    """Appends header2 (offset at byte 60) and the UTF-16BE name."""
    if name is None:
        return bytes(h + body)
    h2off = len(h) + len(body)
    h2 = bytearray(64)
    struct.pack_into('>ii', h2, 16, h2off + 64, len(name))
    struct.pack_into('>i', h, 60, h2off)
    return bytes(h + body + h2 + name.encode('utf-16-be'))


def int_polygon(typ, pts, name):
    xs = [p[0] for p in pts]; ys = [p[1] for p in pts]
    left, top = min(xs), min(ys)
    h = header(227, typ, top, left, max(ys), max(xs), n=len(pts))
    body = b''.join(struct.pack('>h', x - left) for x in xs) + b''.join(struct.pack('>h', y - top) for y in ys)
    return with_name(h, body, name)


def float_polygon(typ, pts, name):
    xs = [p[0] for p in pts]; ys = [p[1] for p in pts]
    left, top = int(np.floor(min(xs))), int(np.floor(min(ys)))
    h = header(228, typ, top, left, int(np.ceil(max(ys))), int(np.ceil(max(xs))), n=len(pts), options=128)
    body = b''.join(struct.pack('>h', int(x) - left) for x in xs) + b''.join(struct.pack('>h', int(y) - top) for y in ys)
    body += b''.join(struct.pack('>f', x) for x in xs) + b''.join(struct.pack('>f', y) for y in ys)
    return with_name(h, body, name)


def poly_mask(pts):
    m = np.zeros((H, W), bool)
    rr, cc = sk_polygon(np.array([p[1] for p in pts]) - 0.5, np.array([p[0] for p in pts]) - 0.5, shape=(H, W))
    m[rr, cc] = True
    return m


rois, masks = {}, {}
# rectangle: pixels x 3..8, y 2..5
rois['rect'] = with_name(header(227, 1, 2, 3, 6, 9), b'', 'box')
m = np.zeros((H, W), bool); m[2:6, 3:9] = True; masks['rect'] = m
# oval in the box x 10..17, y 1..6 (version 218-style file without header2: named by its file)
rois['oval'] = bytes(header(218, 2, 1, 10, 6, 17))
yy, xx = np.mgrid[0:H, 0:W]
a, b = 7 / 2, 5 / 2
masks['oval'] = ((xx + 0.5 - (10 + a)) ** 2 / a ** 2 + (yy + 0.5 - (1 + b)) ** 2 / b ** 2) <= 1
# polygon (an L along pixel edges), traced outline, and a sub-pixel freehand
L = [(20, 2), (26, 2), (26, 4), (23, 4), (23, 9), (20, 9)]
rois['polygon'] = int_polygon(0, L, 'nucleus 5'); masks['polygon'] = poly_mask(L)
T = [(30, 1), (33, 1), (33, 2), (35, 2), (35, 6), (30, 6)]
rois['traced'] = int_polygon(8, T, None); masks['traced'] = poly_mask(T)
F = [(2.3, 12.2), (9.7, 11.4), (11.2, 17.9), (5.1, 19.6), (1.4, 16.3)]
rois['freehand'] = float_polygon(7, F, 'free'); masks['freehand'] = poly_mask(F)
# composite: a 10 x 10 square with a 4 x 4 hole, plus a separate 2 x 2 square (one ROI)
rings = [[(20, 12), (30, 12), (30, 22), (20, 22)], [(23, 15), (23, 19), (27, 19), (27, 15)], [(33, 12), (35, 12), (35, 14), (33, 14)]]
path = []
for r in rings:
    for i, (x, y) in enumerate(r):
        path += [0 if i == 0 else 1, x, y]
    path.append(4)
h = header(227, 1, 12, 20, 22, 35, shape_size=len(path))
rois['composite'] = with_name(h, b''.join(struct.pack('>f', v) for v in path), 'with hole')
m = np.zeros((H, W), bool)
for r in rings:
    m ^= poly_mask(r)
masks['composite'] = m
# a straight line: no area
l = header(227, 3, 25, 2, 28, 12)
struct.pack_into('>ffff', l, 18, 2.0, 25.0, 12.0, 28.0)
rois['line'] = with_name(l, b'', 'a line')

for k, v in rois.items():
    open(f'{out}/{k}.roi', 'wb').write(v)
with zipfile.ZipFile(f'{out}/RoiSet.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for k, v in rois.items():
        z.writestr(f'{k}.roi', v)
    z.writestr('notes.txt', 'not a ROI')


class Unseekable:
    """A write-only stream: zipfile then writes data descriptors after each entry (sizes
    not in the local headers), as Java's ZipOutputStream in ImageJ's ROI Manager does."""
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()


with open(f'{out}/RoiSet-streamed.zip', 'wb') as raw:
    with zipfile.ZipFile(Unseekable(raw), 'w', zipfile.ZIP_DEFLATED) as z:
        for k, v in rois.items():
            z.writestr(f'{k}.roi', v)
print(json.dumps({'width': W, 'height': H, 'masks': {k: np.flatnonzero(v.ravel()).tolist() for k, v in masks.items()}}))
