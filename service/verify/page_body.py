"""A rendered verification page as two fixed halves around the scan count, sent plain or gzipped.

Phones on slow networks ask for gzip, and the page changes on every scan only by its count.
Compressing the whole page for each scan would cost more than the rest of the verification, so
both halves are compressed once and the count goes between them as a stored (uncompressed)
deflate block: gzip (RFC 1952) around deflate (RFC 1951) allows exactly that, since deflate
data is a sequence of blocks and a full flush ends the head's blocks on a byte boundary.
"""

from __future__ import annotations

import struct
import zlib

from service.verify.memo import memo_of_short_texts
from service.verify.response import quality

# gzip member header: deflate, no flags, no time stamp, best compression, unknown OS
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
_RAW_DEFLATE_BITS = -15  # negative: deflate blocks with no zlib header or checksum of their own
_LEVEL = 9  # compressed once per label and language: worth the best ratio


def _deflate(data: bytes, mode: int) -> bytes:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _RAW_DEFLATE_BITS)
    return compressor.compress(data) + compressor.flush(mode)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether `Accept-Encoding` allows gzip (RFC 9110 §12.5.3: listed, or `*`, with q > 0)."""
    if not accept_encoding:
        return False
    return _accepts_gzip(accept_encoding)


@memo_of_short_texts(max_entries=256)
def _accepts_gzip(header: str) -> bool:
    weights: dict[str, float] = {}
    for item in header.lower().split(",")[:20]:
        coding, _, params = item.partition(";")
        weights[coding.strip()] = quality(params)
    if "gzip" in weights:
        return weights["gzip"] > 0
    if "x-gzip" in weights:
        return weights["x-gzip"] > 0
    return weights.get("*", 0.0) > 0


class PageBody:
    """One page (a label, a language, a verdict) split at the scan count."""

    __slots__ = ("_gzip_head", "_gzip_tail", "_head_crc", "head", "tail")

    def __init__(self, head: bytes, tail: bytes) -> None:
        self.head = head
        self.tail = tail
        self._gzip_head: bytes | None = None  # compressed on the first gzip request
        self._gzip_tail = b""
        self._head_crc = 0

    # `scan_count` as the page's language writes it (`page.scan_count`: "1.234" or "1,234")
    def plain(self, scan_count: bytes) -> bytes:
        return b"%b%b%b" % (self.head, scan_count, self.tail)

    def gzipped(self, scan_count: bytes) -> bytes:
        if self._gzip_head is None:
            self._gzip_tail = _deflate(self.tail, zlib.Z_FINISH)  # the last block
            self._head_crc = zlib.crc32(self.head)
            self._gzip_head = _GZIP_HEADER + _deflate(self.head, zlib.Z_FULL_FLUSH)
        count = scan_count
        # a stored block that is not the last: header bits 0, LEN, and LEN's ones' complement
        stored = b"\x00" + struct.pack("<HH", len(count), len(count) ^ 0xFFFF) + count
        crc = zlib.crc32(self.tail, zlib.crc32(count, self._head_crc))
        size = (len(self.head) + len(count) + len(self.tail)) & 0xFFFFFFFF
        return b"".join((self._gzip_head, stored, self._gzip_tail, struct.pack("<II", crc, size)))
