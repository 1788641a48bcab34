"""Small but real document files for the demo materials: a PDF, a PNG and a JPEG.

Each file is built in code from a short ASCII label, so the same label always gives
the same bytes (and the same SHA-256), and each is a valid file of its type that a
viewer opens and a magic-bytes check recognises.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"


def _pdf_text(text: str) -> str:
    # A PDF string literal: only the backslash and the parentheses need escaping.
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``title`` and ``lines`` (ASCII) in Helvetica."""
    rows = [f"BT /F1 16 Tf 72 770 Td ({_pdf_text(title)}) Tj ET"]
    rows += [
        f"BT /F1 11 Tf 72 {740 - 18 * i} Td ({_pdf_text(line)}) Tj ET"
        for i, line in enumerate(lines)
    ]
    stream = "\n".join(rows).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(label: str, size: int = 16) -> bytes:
    """A small square RGB PNG whose colour is derived from ``label``."""
    red, green, blue = hashlib.sha256(label.encode()).digest()[:3]
    row = b"\x00" + bytes((red, green, blue)) * size  # filter byte "none", then pixels
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"tEXt", b"Comment\x00" + label.encode("ascii"))
        + _png_chunk(b"IDAT", zlib.compress(row * size, 9))
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg(label: str) -> bytes:
    """An 8×8 mid-grey baseline JPEG carrying ``label`` in a comment segment.

    A flat mid-grey block has every DCT coefficient zero, so the whole scan is one
    DC code of category 0 and an end-of-block code: two Huffman tables of one code each.
    """
    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quant = b"\x00" + b"\x01" * 64
    frame = b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"  # 8-bit, 8×8, one component
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1, for symbol 0
    scan = b"\x01\x01\x00\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + _jpeg_segment(0xE0, jfif)
        + _jpeg_segment(0xFE, label.encode("ascii"))
        + _jpeg_segment(0xDB, quant)
        + _jpeg_segment(0xC0, frame)
        + _jpeg_segment(0xC4, b"\x00" + one_code)  # DC table 0
        + _jpeg_segment(0xC4, b"\x10" + one_code)  # AC table 0: the symbol is end-of-block
        + _jpeg_segment(0xDA, scan)
        + b"\x3f"  # DC "0" + EOB "0", padded with ones
        + b"\xff\xd9"
    )
