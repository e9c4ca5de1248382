"""GS1 Digital Link and short label URIs: building, signing, parsing, rejecting."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labels.codes import CROCKFORD_ALPHABET
from labels.gs1_dates import gs1_year, parse_gs1_date
from labels.gtin import gtin_check_digit
from labels.signing import Keyring
from labels.uri import (
    LabelUriError,
    parse_gs1_key_path,
    parse_label_uri,
    signed_uri,
    unsigned_path,
)
from schemas.labels import LabelRef
from tests.unit.labels.samples import BASE_URL, GTIN14, TODAY

KEYRING = Keyring.generate()
G = GTIN14


def test_paths_follow_the_spec_examples() -> None:
    short = LabelRef(code="7KQ2M9XW4T", lot="L1", serial="8H3JQ2KD0A")
    assert unsigned_path(short) == "/v/7KQ2M9XW4T/8H3JQ2KD0A"
    assert unsigned_path(LabelRef(code="7KQ2M9XW4T", lot="L1")) == "/v/7KQ2M9XW4T"
    gs1 = LabelRef(code="7KQ2M9XW4T", lot="L1", gtin14=G, best_before=datetime.date(2027, 1, 31))
    assert unsigned_path(gs1) == f"/01/{G}/10/L1?17=270131"
    with_serial = LabelRef(code="7KQ2M9XW4T", lot="L1", gtin14=G, serial="8H3JQ2KD0A")
    assert unsigned_path(with_serial) == f"/01/{G}/10/L1/21/8H3JQ2KD0A"


def test_signature_is_the_last_parameter() -> None:
    gs1 = LabelRef(code="7KQ2M9XW4T", lot="L1", gtin14=G, best_before=datetime.date(2027, 1, 31))
    uri = signed_uri(BASE_URL + "/", gs1, KEYRING)
    assert uri.startswith(f"{BASE_URL}/01/{G}/10/L1?17=270131&s=")
    assert len(uri.rpartition("&s=")[2]) == 96  # 72 bytes in base64url without padding
    short = signed_uri(BASE_URL, LabelRef(code="7KQ2M9XW4T", lot="L1"), KEYRING)
    assert short.startswith(f"{BASE_URL}/v/7KQ2M9XW4T?s=")


@pytest.mark.parametrize(
    "ref",
    [
        LabelRef(code="7KQ2M9XW4T", lot="L1", gtin14="8991234567891"),  # not 14 digits
        LabelRef(code="7KQ2M9XW4T", lot="L1", gtin14="08991234567892"),  # bad check digit
        LabelRef(code="7KQ2M9XW4T", lot="L" * 21, gtin14=G),
        LabelRef(code="7KQ2M9XW4T", lot="", gtin14=G),
        LabelRef(code="7KQ2M9XW4U", lot="L1"),
        LabelRef(code="7KQ2M9XW4T", lot="L1", serial="short"),
    ],
)
def test_bad_refs_are_refused(ref: LabelRef) -> None:
    with pytest.raises(ValueError):
        unsigned_path(ref)


crockford = st.text(alphabet=CROCKFORD_ALPHABET, min_size=10, max_size=10)
lots = st.from_regex(r"\A[A-Za-z0-9-]{1,20}\Z") | st.from_regex(
    r"""\A[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}\Z"""
)


@st.composite
def gtin14s(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    return body + str(gtin_check_digit(body))


refs = st.builds(
    LabelRef,
    code=crockford,
    lot=lots,
    gtin14=st.none() | gtin14s(),
    serial=st.none() | crockford,
    best_before=st.none() | st.dates(datetime.date(1980, 1, 1), datetime.date(2070, 12, 31)),
)


@given(refs)
def test_build_then_parse_gives_the_same_fields(ref: LabelRef) -> None:
    path = unsigned_path(ref)
    parsed = parse_label_uri(BASE_URL + path, today=TODAY)
    assert parsed.canonical
    assert parsed.signed_message == path.encode("ascii")
    assert parsed.canonical_path == path
    assert parsed.serial == ref.serial
    assert parsed.signature is None
    if ref.gtin14 is None:
        assert (parsed.form, parsed.code, parsed.gtin14, parsed.lot) == (
            "short",
            ref.code,
            None,
            None,
        )
        assert parsed.expiry is None
    else:
        assert (parsed.form, parsed.code) == ("gs1", None)
        assert (parsed.gtin14, parsed.lot, parsed.expiry) == (ref.gtin14, ref.lot, ref.best_before)


@given(refs)
def test_signed_uris_parse_and_verify(ref: LabelRef) -> None:
    uri = signed_uri(BASE_URL, ref, KEYRING)
    parsed = parse_label_uri(uri, today=TODAY)
    assert parsed.canonical and parsed.signature_b64 is not None
    assert parsed.signature is not None and len(parsed.signature) == 72
    assert parsed.canonical_path == uri.removeprefix(BASE_URL)
    assert KEYRING.verify(parsed.signed_message, parsed.signature_b64).valid


def test_qualifiers_out_of_order_are_accepted_but_not_canonical() -> None:
    uri = signed_uri(BASE_URL, LabelRef(code="X", lot="L1", gtin14=G, serial="8H3JQ2KD0A"), KEYRING)
    s = uri.rpartition("?s=")[2]
    parsed = parse_label_uri(f"/01/{G}/21/8H3JQ2KD0A/10/L1?s={s}")
    assert not parsed.canonical
    assert parsed.canonical_path == f"/01/{G}/10/L1/21/8H3JQ2KD0A?s={s}"
    assert (parsed.lot, parsed.serial) == ("L1", "8H3JQ2KD0A")
    # The signature covers the canonical form, so the reordered URI still verifies.
    assert KEYRING.verify(parsed.signed_message, s).valid


def test_the_key_path_walk_admits_only_the_callers_qualifiers() -> None:
    resolver_ais = ("22", "10", "21")
    gtin14, qualifiers, in_order = parse_gs1_key_path([G, "10", "L1", "22", "A%2FB"], resolver_ais)
    assert (gtin14, qualifiers, in_order) == (G, {"10": "L1", "22": "A/B"}, False)
    assert parse_gs1_key_path([G, "22", "V", "21", "7"], resolver_ais)[2]
    with pytest.raises(LabelUriError, match=r"AI '22' in the path \(key qualifiers: 10, 21\)"):
        parse_gs1_key_path([G, "22", "V"], ("10", "21"))
    # A stray trailing word is an unknown AI, not an AI without value.
    with pytest.raises(LabelUriError, match="unknown or unsupported AI 'foo'"):
        parse_gs1_key_path([G, "10", "L1", "foo"], resolver_ais)


def test_short_gtin_is_normalized_and_not_canonical() -> None:
    parsed = parse_label_uri("/01/8991234567891/10/L1?17=270131")
    assert parsed.gtin14 == G and not parsed.canonical
    assert parsed.canonical_path == f"/01/{G}/10/L1?17=270131"
    eight = parse_label_uri("/01/96385074/10/L1")
    assert eight.gtin14 == "00000096385074"


def test_lots_outside_unreserved_are_percent_encoded() -> None:
    ref = LabelRef(code="X", lot="A/B%", gtin14=G)
    path = unsigned_path(ref)
    assert path == f"/01/{G}/10/A%2FB%25"
    parsed = parse_label_uri(path)
    assert parsed.lot == "A/B%" and parsed.canonical
    # Escaping a character that needs none reads the same but is not the canonical form.
    odd = parse_label_uri(f"/01/{G}/10/%4C1")
    assert odd.lot == "L1" and not odd.canonical and odd.canonical_path == f"/01/{G}/10/L1"


def test_path_prefix_and_fragment_are_not_signed() -> None:
    parsed = parse_label_uri("https://example.id/radura/v/7KQ2M9XW4T#top")
    assert parsed.code == "7KQ2M9XW4T"
    assert parsed.signed_message == b"/v/7KQ2M9XW4T"


def test_expiry_day_00_is_the_last_day_of_the_month() -> None:
    parsed = parse_label_uri(f"/01/{G}/10/L1?17=280200", today=TODAY)
    assert parsed.expiry == datetime.date(2028, 2, 29)
    # The raw digits are what was signed, not the expanded date.
    assert parsed.signed_message == f"/01/{G}/10/L1?17=280200".encode()
    assert parse_gs1_date("270400", TODAY) == datetime.date(2027, 4, 30)


def test_gs1_century_window() -> None:
    today = datetime.date(2025, 6, 1)
    assert gs1_year(74, today) == 2074  # 49 years ahead: this century
    assert gs1_year(76, today) == 1976  # 51 ahead: the previous one
    assert gs1_year(99, today) == 1999
    assert gs1_year(0, datetime.date(2099, 1, 1)) == 2100  # 99 behind: the next one
    assert gs1_year(50, datetime.date(2099, 1, 1)) == 2050


SIG = "A" * 96
BAD_URIS = [
    ("", "empty label URI"),
    ("/v/7KQ2 M9XW4T", "spaces"),
    ("/v/7KQ2M9XW4T\u00e9", "non-ASCII"),
    ("ftp://radura.example.id/v/7KQ2M9XW4T", "not an http(s) URI"),
    ("radura.example.id/v/7KQ2M9XW4T", "not an http(s) URI"),
    ("https://[::1/v/7KQ2M9XW4T", "malformed URI"),
    ("/x/7KQ2M9XW4T", "neither /01/"),
    (f"/10/L1/01/{G}", "bad AI order: AI 10 comes before the GTIN"),
    ("/01/08991234567892/10/L1", "check digit is wrong"),
    ("/01/899123/10/L1", "8, 12, 13 or 14 digits"),
    ("/01/", "empty path segment"),
    ("/01", "missing GTIN"),
    (f"/01/{G}", "missing lot (AI 10)"),
    (f"/01/{G}/21/8H3JQ2KD0A", "missing lot (AI 10)"),
    (f"/01/{G}/10", "AI 10 in the path has no value"),
    (f"/01/{G}/10/L1/22/ABC", "unknown or unsupported AI '22' in the path"),
    (f"/01/{G}/10/L1/10/L2", "AI 10 appears twice"),
    (f"/01/{G}/10/L1//21/X", "empty path segment"),
    (f"/01/{G}/10/{'L' * 21}", "1-20 characters"),
    (f"/01/{G}/10/L%2", "malformed percent-encoding"),
    (f"/01/{G}/10/L%FF", "not valid UTF-8"),
    (f"/01/{G}/10/L1?17=271301", "bad date in AI 17: month 13"),
    (f"/01/{G}/10/L1?17=270230", "bad date in AI 17: day 30 does not exist"),
    (f"/01/{G}/10/L1?17=2701", "bad date in AI 17: date must be 6 digits"),
    (f"/01/{G}/10/L1?17=270131&17=270131", "AI 17 appears twice"),
    (f"/01/{G}/10/L1?15=270131", "unknown or unsupported AI '15' in the query"),
    (f"/01/{G}/10/L1?s={SIG}&17=270131", "the s parameter must be the last one"),
    (f"/01/{G}/10/L1?s={SIG}&s={SIG}", "the s parameter must be the last one"),
    (f"/01/{G}/10/L1?utm_source=x&s={SIG}", "unknown query parameter 'utm_source'"),
    (f"/01/{G}/10/L1?s", "query parameter 's' has no value"),
    (f"/01/{G}/10/L1?17=270131&&s={SIG}", "query parameter '' has no value"),
    (f"/01/{G}/10/L1?s=", "malformed base64"),
    (f"/01/{G}/10/L1?s=ab+c", "malformed base64"),
    (f"/01/{G}/10/L1?s=abcde", "malformed base64"),
    (f"/01/{G}/10/L1?s=AB", "non-zero padding bits"),
    (f"/01/{G}/10/L1?s={SIG}==", "malformed base64"),
    ("/v/7KQ2M9XW4U", "code after /v/ must be 10 Crockford"),
    ("/v/7kq2m9xw4t", "code after /v/ must be 10 Crockford"),
    ("/v/7KQ2M9XW4T/8H3JQ", "serial must be 10 Crockford"),
    ("/v/7KQ2M9XW4T/8H3JQ2KD0A/X", "unexpected path segment"),
    ("/v/7KQ2M9XW4T/", "empty path segment"),
    ("/v/7KQ2M9XW4T?17=270131", "belongs to the GS1 form"),
    ("/v/" + "7" * 3000, "longer than 2048"),
]


@pytest.mark.parametrize(("text", "reason"), BAD_URIS)
def test_each_rejection_names_its_reason(text: str, reason: str) -> None:
    with pytest.raises(LabelUriError) as caught:
        parse_label_uri(text, today=TODAY)
    assert reason in caught.value.reason


@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_label_uri_error(text: str) -> None:
    with contextlib.suppress(LabelUriError):
        parse_label_uri(text, today=TODAY)
