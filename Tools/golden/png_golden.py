"""Writes Tests/TorchTests/Fixtures/png_filters.json: small PNG files built by hand with zlib and
struct, whose rows use all five filter types (None, Sub, Up, Average, Paeth), in every colour
type and bit depth PNG.decode reads, each checked here against Pillow's decoder.

Image k starts its rows at filter k % 5 and then cycles, so every filter also appears on a first
row (where "above" is zero). Files also carry ancillary chunks (tEXt, gAMA) to skip and split
their data over several IDAT chunks, one of them empty.

Each entry: name, the PNG (base64) and the expected 8-bit decode (width, height, channels,
pixels in hex; 16-bit samples keep their high byte, palettes expand to RGB or RGBA).
Run from the package root:  pip install pillow numpy; python3 Tools/golden/png_golden.py
"""

import base64
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image
import io

rng = np.random.RandomState(50)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (row[i] - pred) & 0xFF
    return bytes(out)


def build(width, height, color_type, depth, rows, start, palette=None, trns=None):
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, samples * depth // 8)
    raw = b""
    prior = bytes(len(rows[0]))
    for y, row in enumerate(rows):
        kind = (start + y) % 5
        raw += bytes([kind]) + filter_row(kind, row, prior, bpp)
        prior = row
    data = zlib.compress(raw, 9)
    third = len(data) // 3
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0))
    png += chunk(b"gAMA", struct.pack(">I", 45455))
    if palette is not None:
        png += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        png += chunk(b"tRNS", bytes(trns))
    png += chunk(b"tEXt", b"Comment\x00made by png_golden.py")
    png += chunk(b"IDAT", data[:third]) + chunk(b"IDAT", b"") + chunk(b"IDAT", data[third:2 * third])
    png += chunk(b"IDAT", data[2 * third:]) + chunk(b"IEND", b"")
    return png


cases = []


def add(name, png, width, height, channels, expected, pil_check):
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.size == (width, height), name
    pil_check(img)
    cases.append({"name": name, "png": base64.b64encode(png).decode(), "width": width, "height": height,
                  "channels": channels, "pixels": bytes(expected).hex()})


for start in range(5):
    # 8-bit grey, grey+alpha, RGB, RGBA: 7 wide, 10 high (each filter twice).
    for color_type, samples, mode in [(0, 1, "L"), (4, 2, "LA"), (2, 3, "RGB"), (6, 4, "RGBA")]:
        w, h = 7, 10
        px = rng.randint(0, 256, size=(h, w * samples)).astype(np.uint8)
        png = build(w, h, color_type, 8, [bytes(r) for r in px], start)
        add(f"{mode}8_start{start}", png, w, h, samples, px.reshape(-1).tolist(),
            lambda img, px=px, mode=mode, samples=samples: np.testing.assert_array_equal(
                np.array(img.convert(mode)).reshape(px.shape[0], -1), px))

# 16-bit grey and RGBA: samples big-endian, the decoder keeps the high byte.
for start, (color_type, samples) in zip([1, 3], [(0, 1), (6, 4)]):
    w, h = 5, 10
    values = rng.randint(0, 65536, size=(h, w * samples)).astype(">u2")
    png = build(w, h, color_type, 16, [r.tobytes() for r in values], start)

    def check16(img, values=values, samples=samples):
        if samples == 1:
            np.testing.assert_array_equal(np.array(img).astype(np.int64).reshape(values.shape), values.astype(np.int64))
        else:
            # Pillow reduces 16-bit RGBA to 8 bits by the high byte, as PNG.decode does.
            np.testing.assert_array_equal(np.array(img).reshape(values.shape), (values >> 8).astype(np.uint8))
    add(f"{'L' if samples == 1 else 'RGBA'}16_start{start}", png, w, h, samples,
        (values >> 8).astype(np.uint8).reshape(-1).tolist(), check16)

# Palette (8-bit indices), with and without transparency.
for start, with_alpha in [(2, False), (4, True)]:
    w, h = 6, 10
    entries = 12
    palette = rng.randint(0, 256, size=entries * 3).astype(np.uint8)
    alpha = rng.randint(0, 256, size=entries - 2).astype(np.uint8) if with_alpha else None  # last two opaque
    idx = rng.randint(0, entries, size=(h, w)).astype(np.uint8)
    png = build(w, h, 3, 8, [bytes(r) for r in idx], start, palette=palette.tolist(),
                trns=alpha.tolist() if with_alpha else None)
    rgb = palette.reshape(-1, 3)[idx]
    if with_alpha:
        a = np.concatenate([alpha, [255, 255]]).astype(np.uint8)[idx]
        expected = np.concatenate([rgb, a[..., None]], axis=-1)
    else:
        expected = rgb
    add(f"palette{'_trns' if with_alpha else ''}_start{start}", png, w, h, expected.shape[-1],
        expected.reshape(-1).tolist(),
        lambda img, expected=expected: np.testing.assert_array_equal(
            np.array(img.convert("RGBA" if expected.shape[-1] == 4 else "RGB")), expected))

# One pixel wide: Sub, Average and Paeth see no left neighbour at all.
for start in range(5):
    w, h = 1, 6
    px = rng.randint(0, 256, size=(h, 4)).astype(np.uint8)
    png = build(w, h, 6, 8, [bytes(r) for r in px], start)
    add(f"RGBA8_1wide_start{start}", png, w, h, 4, px.reshape(-1).tolist(),
        lambda img, px=px: np.testing.assert_array_equal(np.array(img).reshape(px.shape), px))

path = os.path.join("Tests", "TorchTests", "Fixtures", "png_filters.json")
with open(path, "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")
print("wrote", path, len(cases), "images, all checked against Pillow")
