"""QR symbols for sheets of thousands of labels: zxing-cpp (C++) encodes, `labels.qr` masks.

`qrcode` does mode segmentation and Reed-Solomon in pure Python, some 3 ms a symbol: most of a
bulk render. zxing-cpp encodes the same URI (level M, its own segmentation) in about a tenth of
that when told the mask, while letting it choose the mask costs more than ours does. So
zxing-cpp encodes under mask 0, `labels.qr.unmasked_data` takes the mask back off, and
`labels.qr.best_masked` scores the 8 masks on bit boards as `qr_matrix` does. The symbol is
checked against `labels.qr`'s own function patterns and format information before it is used:
anything unexpected (another zxing-cpp, a URI it cannot encode at that version) falls back to
`qr_matrix`, so a sheet never prints a symbol nobody checked.

The modules can differ from `qr_matrix(uri)` (zxing-cpp may segment the text differently), but
the version is the one asked for, so a sheet's layout (composed for `qr_matrix`'s size) holds.
"""

from __future__ import annotations

from typing import Any

import zxingcpp

from labels.qr import QrMatrix, best_masked, qr_matrix, unmasked_data

_QR = zxingcpp.BarcodeFormat.QRCode
# zxing-cpp's image: one byte a module, 0x00 dark; as '1'/'0' text for int(…, 2)
_AS_BINARY = bytes.maketrans(b"\x00\xff", b"10")


def _zxing_bits(uri: str, version: int) -> int | None:
    """Bit (row * size + col) set for each dark module of zxing-cpp's symbol of `version`
    under mask 0; None when zxing-cpp cannot make one."""
    try:
        symbol = zxingcpp.create_barcode(uri, _QR, ec_level="M", version=version, data_mask=0)
    except (ValueError, RuntimeError):
        return None
    image: Any = symbol.to_image(scale=1, add_quiet_zones=False)  # a buffer, typed as none
    raw = bytes(memoryview(image))
    if len(raw) != (4 * version + 17) ** 2:
        return None
    return int(raw.translate(_AS_BINARY)[::-1], 2)


def bulk_matrix(uri: str, version: int) -> QrMatrix:
    """The level-M symbol of `uri` at `version` (the one `qr_matrix` gives a URI of its batch),
    masked as `qr_matrix` chooses; `qr_matrix(uri)` itself when zxing-cpp cannot."""
    bits = _zxing_bits(uri, version)
    data = None if bits is None else unmasked_data(version, bits, 0)
    if data is None:
        return qr_matrix(uri)
    return best_masked(version, data)
