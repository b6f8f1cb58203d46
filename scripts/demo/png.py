"""A minimal PNG encoder for 8-bit grey images (the standard library has none)."""
import struct
import zlib


def grey_png(pixels, width, height):
    """PNG bytes of a width×height 8-bit grey image given as row-major bytes."""
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b''.join(b'\x00' + pixels[y * width:(y + 1) * width] for y in range(height))  # filter 0 (None) on every row
    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)  # 8-bit, colour type 0 (grey)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b'')
