"""Label URIs (SPEC §5.1): GS1 Digital Link or the short /v/ form; build, sign and parse them.

Signed message = the URI's path and query without `s`, starting at `/01/` or `/v/` (a path
prefix in the base URL is not signed, like the host). `s` is always the last query parameter.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from labels.codes import CODE_LENGTH, is_code
from labels.gs1_dates import format_gs1_date, parse_gs1_date
from labels.gtin import normalize_gtin
from schemas.labels import LabelForm, LabelRef, ParsedLabel

MAX_URI_CHARS = 2048
# GS1 AI encodable character set 82 (GS1 General Specifications figure 7.11-1), 1-20 chars:
# what AI 10 (lot) and AI 21 (serial) may hold.
_AI_VALUE = re.compile(r"""^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$""")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
# the key qualifiers a label carries, in canonical order (GS1 DL: 22, 10, 21; labels use no 22)
_PATH_QUALIFIERS = ("10", "21")


class LabelUriError(ValueError):
    """A label URI that cannot be read; `reason` says why, in words fit for a log or a page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Signer(Protocol):
    """Anything that signs bytes into the `s` text (a `labels.signing.Keyring`)."""

    def sign(self, message: bytes) -> str: ...


def _encode_ai_value(value: str) -> str:
    # GS1 DL: characters of set 82 outside RFC 3986 'unreserved' are percent-encoded.
    return quote(value, safe="")


def encode_ai_value(value: str) -> str:
    """An AI value as it stands in a GS1 Digital Link path."""
    return _encode_ai_value(value)


def _check_ai_value(ai: str, value: str) -> None:
    if _AI_VALUE.match(value) is None:
        raise ValueError(f"AI {ai} value must be 1-20 GS1 set-82 characters, got {value!r}")


def unsigned_path(ref: LabelRef) -> str:
    """The path + query a label's signature covers, e.g. `/01/08991234567895/10/L1?17=270131`."""
    if ref.gtin14 is not None:
        if normalize_gtin(ref.gtin14) != ref.gtin14:
            raise ValueError("gtin14 must be the 14-digit form of the GTIN")
        _check_ai_value("10", ref.lot)
        path = f"/01/{ref.gtin14}/10/{_encode_ai_value(ref.lot)}"
        if ref.serial is not None:
            _check_ai_value("21", ref.serial)
            path += f"/21/{_encode_ai_value(ref.serial)}"
        if ref.best_before is not None:
            path += f"?17={format_gs1_date(ref.best_before)}"
        return path
    if not is_code(ref.code):
        raise ValueError(f"code must be {CODE_LENGTH} Crockford base-32 characters")
    if ref.serial is None:
        return f"/v/{ref.code}"
    if not is_code(ref.serial):
        raise ValueError(f"serial must be {CODE_LENGTH} Crockford base-32 characters")
    return f"/v/{ref.code}/{ref.serial}"


def with_signature(path: str, signature: str) -> str:
    """Append `s` as the last query parameter of a path (+ query)."""
    return f"{path}{'&' if '?' in path else '?'}s={signature}"


def signed_uri(base_url: str, ref: LabelRef, keyring: Signer) -> str:
    """The full URI a QR holds: base URL + unsigned path + `s` (signature over the path)."""
    path = unsigned_path(ref)
    return base_url.rstrip("/") + with_signature(path, keyring.sign(path.encode("ascii")))


def _split_text(text: str) -> tuple[str, str | None]:
    """Path and raw query (None when there is no '?') of a URI or a path + query."""
    if not text:
        raise LabelUriError("empty label URI")
    if len(text) > MAX_URI_CHARS:
        raise LabelUriError(f"label URI longer than {MAX_URI_CHARS} characters")
    if not text.isascii() or any(ch <= " " or ch == "\x7f" for ch in text):
        raise LabelUriError("label URI contains spaces, control or non-ASCII characters")
    if text.startswith("/"):
        text = text.partition("#")[0]
        path, question, query = text.partition("?")
        return path, query if question else None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket in the host
        raise LabelUriError("malformed URI") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise LabelUriError("not an http(s) URI nor a path starting with /")
    has_query = "?" in text.partition("#")[0]
    return parts.path, parts.query if has_query else None


def _decode_ai_value(ai: str, raw: str) -> str:
    if _BAD_PERCENT.search(raw):
        raise LabelUriError(f"malformed percent-encoding in AI {ai}")
    try:
        value = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise LabelUriError(f"AI {ai} is not valid UTF-8 once decoded") from None
    if _AI_VALUE.match(value) is None:
        raise LabelUriError(f"AI {ai} must be 1-20 characters of the GS1 set 82")
    return value


def _primary_index(segments: list[str]) -> int:
    for index, segment in enumerate(segments):
        if segment in ("01", "v"):
            return index
        if segment in ("10", "21", "17"):
            raise LabelUriError(f"bad AI order: AI {segment} comes before the GTIN (AI 01)")
    raise LabelUriError("path has neither /01/{gtin} (GS1 Digital Link) nor /v/{code}")


def parse_gs1_key_path(
    segments: list[str], allowed_ais: tuple[str, ...]
) -> tuple[str, dict[str, str], bool]:
    """Take apart the segments after `/01/`: a GTIN, then key qualifier AI / value pairs.

    `allowed_ais` are the key qualifiers the caller accepts, in their canonical order (GS1 DL:
    22, 10, 21). Returns the GTIN-14, the decoded values by AI in the order received, and
    whether that order is the canonical one; raises LabelUriError saying what is wrong.
    """
    if not segments:
        raise LabelUriError("missing GTIN after /01/")
    try:
        gtin14 = normalize_gtin(segments[0])
    except ValueError as error:
        raise LabelUriError(f"bad GTIN: {error}") from None
    qualifiers: dict[str, str] = {}
    last = len(segments) - 1
    # Errors come in reading order, so a stray trailing word is named as an unknown AI.
    for index in range(1, len(segments), 2):
        ai = segments[index]
        if ai not in allowed_ais:
            accepted = ", ".join(allowed_ais)
            message = f"unknown or unsupported AI {ai!r} in the path (key qualifiers: {accepted})"
            raise LabelUriError(message)
        if ai in qualifiers:
            raise LabelUriError(f"AI {ai} appears twice in the path")
        if index == last:
            raise LabelUriError(f"AI {ai} in the path has no value")
        qualifiers[ai] = _decode_ai_value(ai, segments[index + 1])
    in_order = list(qualifiers) == [ai for ai in allowed_ais if ai in qualifiers]
    return gtin14, qualifiers, in_order


def _parse_short_path(rest: list[str]) -> tuple[str, str | None]:
    if not rest or not is_code(rest[0]):
        raise LabelUriError(f"code after /v/ must be {CODE_LENGTH} Crockford base-32 characters")
    if len(rest) > 2:
        raise LabelUriError("unexpected path segment after the serial")
    serial = rest[1] if len(rest) == 2 else None
    if serial is not None and not is_code(serial):
        raise LabelUriError(f"serial must be {CODE_LENGTH} Crockford base-32 characters")
    return rest[0], serial


def _parse_query(query: str | None, form: LabelForm) -> tuple[str | None, str | None]:
    """The raw AI 17 value and the raw `s` value, checking order and names."""
    if not query:
        return None, None
    expiry_raw: str | None = None
    signature: str | None = None
    items = query.split("&")
    for position, item in enumerate(items):
        key, equals, value = item.partition("=")
        if not item or not equals:
            raise LabelUriError(f"query parameter {item!r} has no value")
        if key == "s":
            if position != len(items) - 1:
                raise LabelUriError("the s parameter must be the last one")
            signature = value
        elif key == "17" and form == "gs1":
            if expiry_raw is not None:
                raise LabelUriError("AI 17 appears twice in the query")
            expiry_raw = value
        elif key == "17":
            raise LabelUriError("AI 17 (expiry) belongs to the GS1 form, not /v/")
        elif key.isdigit():
            raise LabelUriError(f"unknown or unsupported AI {key!r} in the query")
        else:
            raise LabelUriError(f"unknown query parameter {key!r}")
    return expiry_raw, signature


def _decode_signature(text: str) -> bytes:
    if _BASE64URL.match(text) is None or len(text) % 4 == 1:
        raise LabelUriError("malformed base64 in s (base64url without padding expected)")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LabelUriError("malformed base64 in s") from None
    # Unused low bits in the last character must be zero, so one signature has one spelling.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:
        raise LabelUriError("malformed base64 in s (non-zero padding bits)")
    return raw


def parse_label_uri(text: str, *, today: datetime.date | None = None) -> ParsedLabel:
    """Take apart a label URI (full, or path + query); raise LabelUriError saying what is wrong.

    `today` fixes the GS1 century window for AI 17 (default: the local date).
    """
    path, query = _split_text(text)
    if not path.startswith("/"):
        raise LabelUriError("path must start with /")
    segments = path[1:].split("/")
    start = _primary_index(segments)
    rest = segments[start + 1 :]
    if any(segment == "" for segment in rest):
        raise LabelUriError("empty path segment (a double or trailing slash)")
    gtin14 = lot = serial = code = None
    form: LabelForm
    if segments[start] == "01":
        form = "gs1"
        gtin14, qualifiers, in_order = parse_gs1_key_path(rest, _PATH_QUALIFIERS)
        if "10" not in qualifiers:
            raise LabelUriError("missing lot (AI 10) after the GTIN")
        lot, serial = qualifiers["10"], qualifiers.get("21")
        canonical_unsigned = f"/01/{gtin14}/10/{_encode_ai_value(lot)}"
        if serial is not None:
            canonical_unsigned += f"/21/{_encode_ai_value(serial)}"
    else:
        form = "short"
        in_order = True
        code, serial = _parse_short_path(rest)
        canonical_unsigned = f"/v/{code}" + (f"/{serial}" if serial else "")
    expiry_raw, signature_b64 = _parse_query(query, form)
    expiry = None
    if expiry_raw is not None:
        try:
            expiry = parse_gs1_date(expiry_raw, today or datetime.date.today())
        except ValueError as error:
            raise LabelUriError(f"bad date in AI 17: {error}") from None
        # The raw digits stay: DD=00 was signed as 00, not as the month's last day.
        canonical_unsigned += f"?17={expiry_raw}"
    signature = _decode_signature(signature_b64) if signature_b64 is not None else None
    canonical_path = canonical_unsigned
    if signature_b64 is not None:
        canonical_path = with_signature(canonical_unsigned, signature_b64)
    received = "/" + "/".join(segments[start:]) + (f"?{query}" if query is not None else "")
    return ParsedLabel(
        form=form,
        gtin14=gtin14,
        lot=lot,
        serial=serial,
        code=code,
        expiry=expiry,
        signature=signature,
        signature_b64=signature_b64,
        signed_message=canonical_unsigned.encode("ascii"),
        canonical=in_order and received == canonical_path,
        canonical_path=canonical_path,
    )
