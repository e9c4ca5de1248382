"""Our QR engine against qrcode itself (mask choice, every module), and real decoding."""

from __future__ import annotations

import random
import string

import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode import util as qr_util

from labels import qr_bulk
from labels.codes import random_code
from labels.png import qr_png
from labels.qr import (
    QUIET_ZONE_MODULES,
    QrMatrix,
    best_masked,
    mask_penalties,
    qr_matrix,
    unmasked_data,
)
from labels.qr_bulk import bulk_matrix
from labels.signing import Keyring
from labels.svg import qr_svg
from labels.uri import signed_uri
from tests.unit.labels.samples import (
    BASE_URL,
    decode_all,
    decode_png,
    decode_zbar,
    gs1_ref,
    rasterize_svg,
)

M = qrcode.constants.ERROR_CORRECT_M


def _reference(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=M)
    code.add_data(data)
    code.make()
    return code


def _assert_same_as_qrcode(data: str) -> None:
    reference = _reference(data)
    ours = qr_matrix(data)
    assert ours.version == reference.version
    assert ours.to_lists() == [[bool(cell) for cell in row] for row in reference.modules]
    # best_mask_pattern() rebuilds the symbol in place, so it comes after the comparison.
    assert ours.mask == reference.best_mask_pattern()
    scores = []
    for mask in range(8):
        reference.makeImpl(True, mask)
        scores.append(qr_util.lost_point(reference.modules))
    assert mask_penalties(data) == scores


uri_text = st.text(
    alphabet=string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%",
    min_size=1,
    max_size=260,
)


@settings(max_examples=80, deadline=None)
@given(uri_text)
def test_mask_and_modules_equal_qrcode_for_random_uris(data: str) -> None:
    _assert_same_as_qrcode(data)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32))
def test_mask_and_modules_equal_qrcode_for_signed_label_uris(seed: int) -> None:
    keyring = Keyring.generate()
    serial = random.Random(seed).choice([None, random_code()])
    _assert_same_as_qrcode(signed_uri(BASE_URL, gs1_ref(serial), keyring))


def test_every_version_equals_qrcode() -> None:
    rng = random.Random(7)
    for version in range(1, 41):
        # Fill the version with byte-mode text: 4 mode bits, then an 8- or 16-bit length.
        length_bits = 8 if version < 10 else 16
        capacity = (qr_util.BIT_LIMIT_TABLE[M][version] - 4 - length_bits) // 8
        data = "".join(rng.choice(string.ascii_lowercase) for _ in range(capacity))
        assert qr_matrix(data).version == version
        reference = _reference(data)
        assert qr_matrix(data).to_lists() == [[bool(c) for c in row] for row in reference.modules]


def test_penalty_differs_between_masks() -> None:
    # Guards against a scorer that returns a constant (and so always picks mask 0).
    scores = mask_penalties(signed_uri(BASE_URL, gs1_ref("8H3JQ2KD0A"), Keyring.generate()))
    assert len(set(scores)) > 1


@pytest.mark.parametrize("serial", [None, "8H3JQ2KD0A"])
def test_bare_png_and_svg_decode_to_the_uri(serial: str | None) -> None:
    uri = signed_uri(BASE_URL, gs1_ref(serial), Keyring.generate())
    assert decode_png(qr_png(uri, module_px=4)) == [uri]
    assert decode_png(qr_png(uri, dpi=300)) == [uri]
    svg = qr_svg(uri)
    assert decode_png(rasterize_svg(svg)) == [uri]
    side = qr_matrix(uri).size + 2 * QUIET_ZONE_MODULES
    assert f'viewBox="0 0 {side} {side}"' in svg


def test_bare_png_rejects_silly_sizes() -> None:
    with pytest.raises(ValueError):
        qr_png("x", module_px=0)
    with pytest.raises(ValueError):
        qr_png("x", dpi=10)


def _image(matrix: QrMatrix, module_px: int = 4) -> Image.Image:
    """The symbol with its quiet zone, black on white."""
    side = (matrix.size + 2 * QUIET_ZONE_MODULES) * module_px
    image = Image.new("L", (side, side), 255)
    for row, col, length in matrix.dark_runs():
        x = (col + QUIET_ZONE_MODULES) * module_px
        y = (row + QUIET_ZONE_MODULES) * module_px
        image.paste(0, (x, y, x + length * module_px, y + module_px))
    return image


def _assert_bulk_symbol(uri: str, version: int) -> None:
    matrix = bulk_matrix(uri, version)
    assert matrix.version == version and matrix.size == 4 * version + 17
    # masked as qr_matrix chooses: the lowest of qrcode's penalties over its own data
    data = unmasked_data(version, matrix.bits, matrix.mask)
    assert data is not None and best_masked(version, data) == matrix
    image = _image(matrix)
    assert decode_all(image) == [uri]
    assert decode_zbar(image) == [uri]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.booleans())
def test_bulk_symbols_of_signed_label_uris_decode_at_the_batch_version(
    seed: int, short_lot: bool
) -> None:
    serial = "".join(
        random.Random(seed).choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in "x" * 10
    )
    lot = "RDG-2511-07" if short_lot else "lot-2025-11-abcdefgh"
    uri = signed_uri(BASE_URL, gs1_ref(serial, lot=lot), Keyring.generate())
    _assert_bulk_symbol(uri, qr_matrix(uri).version)


@settings(max_examples=40, deadline=None)
@given(uri_text)
def test_bulk_symbols_of_any_text_decode_at_qrcodes_version(data: str) -> None:
    _assert_bulk_symbol(data, qr_matrix(data).version)


def test_zxing_cpp_makes_the_bulk_symbols_without_falling_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a zxing-cpp that ignored the version, mask or level asked for would fall back to qrcode
    # for every symbol: correct, but as slow as before
    uris = [signed_uri(BASE_URL, gs1_ref(random_code()), Keyring.generate()) for _ in range(20)]
    version = qr_matrix(uris[0]).version

    def no_fallback(uri: str) -> QrMatrix:
        raise AssertionError(f"fell back to qrcode for {uri}")

    monkeypatch.setattr(qr_bulk, "qr_matrix", no_fallback)
    assert all(bulk_matrix(uri, version).version == version for uri in uris)


def test_a_bulk_symbol_may_be_larger_than_needed_never_smaller() -> None:
    uri = signed_uri(BASE_URL, gs1_ref("8H3JQ2KD0A"), Keyring.generate())
    version = qr_matrix(uri).version
    _assert_bulk_symbol(uri, version + 1)
    # a version too small for the URI: qrcode's own symbol instead
    assert bulk_matrix(uri, version - 1) == qr_matrix(uri)


def test_unmasked_data_refuses_a_symbol_of_another_mask() -> None:
    matrix = qr_matrix(signed_uri(BASE_URL, gs1_ref("8H3JQ2KD0A"), Keyring.generate()))
    assert unmasked_data(matrix.version, matrix.bits, matrix.mask) is not None
    assert unmasked_data(matrix.version, matrix.bits, (matrix.mask + 1) % 8) is None
