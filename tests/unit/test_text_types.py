"""The shared text types refuse control characters, and `$` lets no final newline through."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from schemas.batches import ReasonBody
from schemas.common import (
    BIDI_MESSAGE,
    CONTROL_MESSAGE,
    INVISIBLE_MESSAGE,
    MARKS_MESSAGE,
    LongText,
    Name,
    Reason,
    ShortText,
    public_text_problem,
)
from schemas.tokens import TokenCreate

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"]
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029"]
BIDI = ["\u202a", "\u202e", "\u2066", "\u2069"]


def _valid(text_type: Any, value: str) -> bool:
    try:
        msgspec.convert(value, text_type)
    except msgspec.ValidationError:
        return False
    return True


@pytest.mark.parametrize("char", CONTROLS + BIDI + LINE_BREAKS + ["\t"])
@pytest.mark.parametrize("text_type", [Name, ShortText], ids=["Name", "ShortText"])
def test_one_line_types_refuse_controls_anywhere(text_type: Any, char: str):
    for value in (f"{char}Bu Sri", f"Bu{char}Sri", f"Bu Sri{char}"):
        assert not _valid(text_type, value), repr(value)


@pytest.mark.parametrize("char", CONTROLS + BIDI + ["\r", "\u2028"])
@pytest.mark.parametrize("text_type", [LongText, Reason], ids=["LongText", "Reason"])
def test_long_texts_refuse_every_other_control(text_type: Any, char: str):
    assert not _valid(text_type, f"Suhu{char} 4 °C")


@pytest.mark.parametrize("text_type", [LongText, Reason], ids=["LongText", "Reason"])
def test_long_texts_keep_tabs_and_line_breaks(text_type: Any):
    assert _valid(text_type, "Suhu 4 °C\n\tsegel utuh\r\nkarton 3 penyok\n")


def test_a_name_has_no_space_at_either_end_but_a_short_text_may():
    assert _valid(Name, "Rendang Uni Ros — Bukittinggi, 東京 №3")
    assert not _valid(Name, " Rendang") and not _valid(Name, "Rendang ")
    assert _valid(ShortText, " Jl. Melati 3 ")


INVISIBLE = ["\u3164", "\u200b", "\u200c\u200d", "\u2060", "\ufeff", "\u00ad", "\u115f", "\uffa0"]


@pytest.mark.parametrize("blank", INVISIBLE)
@pytest.mark.parametrize(
    "text_type",
    [Name, ShortText, LongText, Reason],
    ids=["Name", "ShortText", "LongText", "Reason"],
)
def test_a_text_of_invisible_characters_only_is_refused(text_type: Any, blank: str):
    assert not _valid(text_type, blank * 3)
    assert not _valid(text_type, f"{blank} {blank}\u3000{blank}")


@pytest.mark.parametrize(
    "text_type", [Name, ShortText, LongText], ids=["Name", "ShortText", "LongText"]
)
def test_a_hangul_filler_beside_visible_characters_passes_the_pattern(text_type: Any):
    assert _valid(text_type, "\u3164Rendang")


# --- public text: every stored text a person or a shopper reads ------------------------------

BIDI_ALL = ["\u200e", "\u200f", "\u061c", *map(chr, range(0x202A, 0x202F)), "\u2066", "\u2069"]
INVISIBLE_ALL = [
    *("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"),
    *("\U000e0001", "\U000e0041", "\U000e007f", "\ufff9", "\ufffa", "\ufffb"),
]
OTHER_FORMAT = ["\u00ad", "\u0600", "\u206a", "\U0001d173", "\x07", "\x85"]


def _problem(value: str, multiline: bool = False) -> str | None:
    return public_text_problem(value, multiline=multiline)


@pytest.mark.parametrize("char", BIDI_ALL)
def test_bidirectional_controls_are_refused_anywhere(char: str):
    for value in (f"{char}Bu Sri", f"Bu{char}Sri", f"Bu Sri{char}"):
        assert _problem(value) == BIDI_MESSAGE, repr(value)
        assert _problem(value, multiline=True) == BIDI_MESSAGE


@pytest.mark.parametrize("char", INVISIBLE_ALL)
def test_zero_width_and_invisible_characters_are_refused(char: str):
    assert _problem(f"Sambal{char}Ibu") == INVISIBLE_MESSAGE
    assert _problem(f"{char}Sambal Ibu", multiline=True) == INVISIBLE_MESSAGE


@pytest.mark.parametrize("char", OTHER_FORMAT)
def test_other_format_and_control_characters_are_refused(char: str):
    assert _problem(f"Sambal{char}Ibu") == CONTROL_MESSAGE


def test_line_breaks_and_tabs_only_in_multi_line_text():
    assert _problem("Suhu 4 °C\n\tsegel utuh\r\nOK", multiline=True) is None
    assert _problem("Suhu 4 °C\nOK") == CONTROL_MESSAGE
    assert _problem("Suhu\u20284 °C", multiline=True) == CONTROL_MESSAGE


@pytest.mark.parametrize("value", ["\u0301", "\u0301\u0302\u0303", "\u0301 \u20dd", " \u0e31\n"])
def test_combining_marks_alone_are_refused(value: str):
    assert _problem(value, multiline=True) == MARKS_MESSAGE


@pytest.mark.parametrize(
    "value",
    [
        "Rendang Uni Ros — Bukittinggi",
        "Abon ikan tongkol, 250 g (kemasan vakum)",
        "Kemasan bocor; mohon jangan dikonsumsi!",
        "Jl. Raya Puspiptek No. 3, Setu, Tangerang Selatan",
        "Café Médan ñ",  # precomposed and combining accents
        "Cafe\u0301 Mede\u0301an",
        "Sambal 🌶️ pedas 🔥",
        "👨\u200d👩\u200d👧 keluarga, 👍🏽\u200d",
        "👩🏽\u200d🍳 dapur",
        "东京 №3, 北京烤鸭, 김치, ต้มยำ",
        "Bu\u00a0Sri",  # a no-break space is a space
    ],
)
def test_ordinary_text_emoji_and_cjk_are_public_text(value: str):
    problem = _problem(value)
    if value.endswith("\u200d"):  # a joiner with nothing after it joins nothing
        assert problem == INVISIBLE_MESSAGE
    else:
        assert problem is None, value


def test_every_message_names_the_rule_beyond_the_schema():
    for message in (BIDI_MESSAGE, INVISIBLE_MESSAGE, CONTROL_MESSAGE, MARKS_MESSAGE):
        assert "printable text" in message


def test_a_request_names_the_field_of_the_refused_text():
    body = {"reason": "Kemasan \u200fbocor"}
    with pytest.raises(msgspec.ValidationError, match=r"bidirectional.*\$\.reason"):
        msgspec.json.decode(msgspec.json.encode(body), type=ReasonBody)
    with pytest.raises(msgspec.ValidationError, match=r"zero-width.*\$\.name"):
        msgspec.convert({"name": "Dapur\u200bUni"}, TokenCreate)
    assert msgspec.convert({"reason": "Kemasan bocor 🙏"}, ReasonBody).reason
