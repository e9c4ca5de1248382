"""The verification page gzipped from halves compressed once: any gzip reader gets the page."""

from __future__ import annotations

import gzip
import zlib

import pytest

from service.verify.page_body import PageBody, accepts_gzip

HEAD = ("<!doctype html><html lang=id><style>" + "p{margin:0}" * 200 + "</style><p>").encode()
TAIL = ("</p><footer>Radura – pangan iradiasi</footer>" * 50 + "</html>").encode()


@pytest.mark.parametrize("count", [b"0", b"1", b"42", b"65.535", b"1,000,000,000,000"])
def test_gzipped_page_is_the_plain_page(count: bytes) -> None:
    body = PageBody(HEAD, TAIL)
    assert body.plain(count) == HEAD + count + TAIL
    compressed = body.gzipped(count)
    assert gzip.decompress(compressed) == body.plain(count)
    # one complete gzip member: the reader reaches its end, with nothing after it
    reader = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    assert reader.decompress(compressed) == body.plain(count)
    assert reader.eof and reader.unused_data == b""


def test_gzipped_page_is_small_and_counts_change_only_their_block() -> None:
    body = PageBody(HEAD, TAIL)
    one, other = body.gzipped(b"7"), body.gzipped(b"8")
    assert len(one) < len(body.plain(b"7")) / 5
    assert len(one) == len(other) and one != other


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate, br, zstd", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("deflate, *;q=0.5", True),
        ("br, gzip;q=0", False),
        ("*;q=0", False),
        ("identity", False),
        ("", False),
        (None, False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding(header: str | None, gzip_ok: bool) -> None:
    assert accepts_gzip(header) is gzip_ok
