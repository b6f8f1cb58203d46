#!/usr/bin/python3
"""
Makes test/fixtures/resize/pil-resize-fixtures.json: seeded synthetic images
(sharp edges, black/white steps that make bicubic overshoot and clip,
gradients, stripes finer than the output grid, noise; grey and colour, one
RGBA) and what Pillow's Image.resize makes of each with NEAREST, BILINEAR,
BICUBIC and BOX, the way Keras's load_img / flow_from_directory does it:
convert('RGB') first (alpha dropped), then resize(target, resample), no
reducing_gap.

Run it with Debian's Python, whose python3-pil is the Pillow the fixture
records:

    /usr/bin/python3 scripts/resize-fixtures/make_resize_fixtures.py [--out FILE]

Every byte string in the JSON is zlib-compressed (level 9), then base64:
decompress with DecompressionStream('deflate') in the browser. The sources
come from random.Random(seed) and fixed arithmetic, so two runs write the
same file.
"""
import argparse
import base64
import json
import os
import random
import zlib

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'test', 'fixtures', 'resize', 'pil-resize-fixtures.json'))

# Names as in workers/dataset/resize.ts ('area' is Keras's 'box', PIL's BOX).
METHODS = {
    'nearest': Image.Resampling.NEAREST,
    'bilinear': Image.Resampling.BILINEAR,
    'bicubic': Image.Resampling.BICUBIC,
    'area': Image.Resampling.BOX,
}

# name, source width, height, grey?, alpha?, output width, height, seed
CASES = [
    ('digit-grey-28x28-to-32x32', 28, 28, True, False, 32, 32, 1),
    ('odd-colour-37x23-to-16x16', 37, 23, False, False, 16, 16, 2),
    ('colour-64x48-to-150x150', 64, 48, False, False, 150, 150, 3),
    ('photo-500x375-to-150x150', 500, 375, False, False, 150, 150, 4),
    ('grey-200x150-to-150x150', 200, 150, True, False, 150, 150, 5),
    ('identity-150x150', 150, 150, False, False, 150, 150, 6),
    ('stretch-90x40-to-40x90', 90, 40, False, False, 40, 90, 7),
    ('width-only-60x50-to-97x50', 60, 50, False, False, 97, 50, 8),
    ('height-only-50x60-to-50x21', 50, 60, False, False, 50, 21, 9),
    ('rgba-45x30-to-20x25', 45, 30, False, True, 20, 25, 10),
    ('tiny-3x2-to-7x5', 3, 2, False, False, 7, 5, 11),
    ('one-pixel-1x1-to-4x3', 1, 1, False, False, 4, 3, 12),
    ('thin-300x20-to-7x3', 300, 20, False, False, 7, 3, 13),
]


def clip(v):
    return 0 if v < 0 else 255 if v > 255 else v


def make_source(width, height, grey, alpha, seed):
    """Bytes of a width×height image, 1 (grey), 3 or 4 channels."""
    rng = random.Random(seed)
    bands = 1 if grey else 4 if alpha else 3
    # Per channel: a linear gradient in a random direction.
    grads = [(rng.randint(-127, 127), rng.randint(-127, 127), rng.randint(64, 192)) for _ in range(3)]
    # Sharp-edged rectangles, some pure black or white so bicubic overshoots and clips.
    rects = []
    for _ in range(4):
        x0, x1 = sorted(rng.randrange(width + 1) for _ in range(2))
        y0, y1 = sorted(rng.randrange(height + 1) for _ in range(2))
        colour = rng.choice([(0, 0, 0), (255, 255, 255), tuple(rng.randrange(256) for _ in range(3))])
        rects.append((x0, y0, x1, y1, colour))
    # A disc, a band of one-pixel stripes (finer than most output grids) and a noise block.
    cx, cy, r = rng.randrange(width), rng.randrange(height), 1 + rng.randrange(max(1, min(width, height) // 2))
    disc = tuple(rng.randrange(256) for _ in range(3))
    stripe_x0, stripe_x1 = sorted(rng.randrange(width + 1) for _ in range(2))
    # Noise in a band at most a third of the height (noise does not compress; the fixture stays small).
    noise_y0 = rng.randrange(height)
    noise_y1 = noise_y0 + 1 + rng.randrange(max(1, height // 3))
    out = bytearray()
    for y in range(height):
        for x in range(width):
            px = [clip(c + (gx * x) // max(1, width) + (gy * y) // max(1, height)) for gx, gy, c in grads]
            for x0, y0, x1, y1, colour in rects:
                if x0 <= x < x1 and y0 <= y < y1:
                    px = list(colour)
            if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                px = list(disc)
            if stripe_x0 <= x < stripe_x1 and y % 7 < 5:
                px = [255 if (x + y // 7) % 2 else 0] * 3
            if noise_y0 <= y < noise_y1:
                n = rng.randrange(-24, 25)
                px = [clip(v + n + rng.randrange(-6, 7)) for v in px]
            if grey:
                out.append((px[0] * 299 + px[1] * 587 + px[2] * 114 + 500) // 1000)
            else:
                out.extend(px)
                if alpha:
                    out.append(rng.randrange(256))
    return bytes(out), bands


def pack(data):
    return base64.b64encode(zlib.compress(data, 9)).decode('ascii')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=DEFAULT_OUT)
    args = parser.parse_args()

    cases = []
    for name, w, h, grey, alpha, ow, oh, seed in CASES:
        data, bands = make_source(w, h, grey, alpha, seed)
        mode = {1: 'L', 3: 'RGB', 4: 'RGBA'}[bands]
        image = Image.frombytes(mode, (w, h), data)
        # What Keras's load_img(color_mode='rgb') does before resizing.
        rgb = image.convert('RGB')
        if grey:
            # The source travels as RGB (R = G = B), the way the app would hand it over.
            data, bands = rgb.tobytes(), 3
        expected = {}
        for method, resample in METHODS.items():
            out = rgb.resize((ow, oh), resample)
            assert out.mode == 'RGB' and out.size == (ow, oh)
            if grey:
                # Sanity: Pillow resizes each band alone, so L resized then expanded is the same bytes.
                assert image.resize((ow, oh), resample).convert('RGB').tobytes() == out.tobytes(), (name, method)
            if out.tobytes() == rgb.tobytes():
                # Same size: Pillow returns a copy. Stored once, as the source.
                assert (ow, oh) == (w, h) and not alpha
                expected[method] = 'same-as-source'
            else:
                expected[method] = pack(out.tobytes())
        cases.append({
            'name': name,
            'width': w,
            'height': h,
            'channels': bands,
            'outWidth': ow,
            'outHeight': oh,
            'source': pack(data),
            'expected': expected,
        })

    fixture = {
        'about': 'Pillow Image.resize of seeded synthetic images, made by scripts/resize-fixtures/make_resize_fixtures.py. '
                 'Byte strings are zlib (DecompressionStream "deflate") then base64; source has `channels` bytes a pixel, '
                 'expected is RGB after convert("RGB").resize((outWidth, outHeight), method), or "same-as-source" '
                 'when Pillow returned the source unchanged. area = PIL BOX.',
        'pillow': PIL.__version__,
        'methods': {m: f'Image.Resampling.{r.name}' for m, r in METHODS.items()},
        'cases': cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, 'w', encoding='ascii', newline='\n') as f:
        json.dump(fixture, f, indent=1, sort_keys=False)
        f.write('\n')
    print(f'{args.out}: {os.path.getsize(args.out)} bytes, {len(cases)} cases, Pillow {PIL.__version__}')


if __name__ == '__main__':
    main()
