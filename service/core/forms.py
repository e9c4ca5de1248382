"""HTML form posts decoded into the API's own request Structs, with every error named by field.

A form sends text only: numbers may carry a decimal comma (`2,5`), a `datetime-local` input sends
a time without an offset (read as Asia/Jakarta, where the users are), and an empty input means
"not given". Each field is checked on its own first, then each of the Struct's rules whose fields
read (`schemas.common.FieldRule`), so one post reports every problem at once (msgspec stops at
the first).
Messages are English msgids, translated when the page is rendered.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any, TypeVar, get_args, get_origin

import msgspec

from schemas.batches import JAKARTA
from schemas.common import (
    BIDI_MESSAGE,
    CONTROL_MESSAGE,
    INVISIBLE_MESSAGE,
    MARKS_MESSAGE,
    public_text_problems,
)
from schemas.parties import GLN_CHECK_MESSAGE
from schemas.products import TRADITIONAL_MEDICINE_MESSAGE
from service.core.gettext_marker import N_

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class FieldError:
    """A message about one form field (or `""` for the form as a whole)."""

    field: str
    msgid: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, gettext: Callable[[str], str], number: Callable[[float], str] = str) -> str:
        """The message in the reader's language; numbers in `params` formatted by `number`."""
        values = {
            k: number(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
            for k, v in self.params.items()
        }
        return gettext(self.msgid) % values if values else gettext(self.msgid)


class FormInvalid(Exception):
    """The post cannot become a request: the form is shown again with these errors."""

    def __init__(self, errors: list[FieldError], status_code: int = 400) -> None:
        super().__init__(", ".join(e.field for e in errors))
        self.errors = errors
        self.status_code = status_code


# messages raised by the schemas' own __post_init__ checks, as the catalog knows them
KNOWN_RULE_MESSAGES = {
    "must be a whole number of pieces": N_("Enter a whole number of pieces."),
    "must not be in the future (Asia/Jakarta)": N_("The date must not be in the future."),
    "must not be in the future": N_("The time must not be in the future."),
    "must not be before 2000-01-01": N_("The date must not be before 1 January 2000."),
    "required when `validated_shelf_life_days` is set": N_(
        "Name the storage study that validated this shelf life."
    ),
    "required with a study: a study holds only where it was done": N_(
        "Give the temperature, absorbed dose and packaging the study validated."
    ),
    "required when the study's conditions are set": N_(
        "Give the validated shelf life of the study these conditions belong to."
    ),
    "must be printable text on one line": N_("Enter text on one line."),
    BIDI_MESSAGE: N_("Remove the hidden characters that change the direction of the text."),
    INVISIBLE_MESSAGE: N_("Remove the invisible (zero-width) characters."),
    CONTROL_MESSAGE: N_("Remove the control characters."),
    MARKS_MESSAGE: N_("Enter letters or digits, not only accents or marks."),
    TRADITIONAL_MEDICINE_MESSAGE: N_(
        "Traditional medicines (jamu, TR numbers) are outside this service: it records "
        "irradiated food only."
    ),
    "must be readable text": N_("Enter a reason."),
    "must be after started_at": N_("The end must be after the start."),
    "each dosimeter_id may appear only once": N_("Each dosimeter number may appear only once."),
    "only a facility organization holds a BAPETEN licence": N_(
        "Only an irradiation facility holds a BAPETEN licence."
    ),
    "licence_no and licence_valid_until go together": N_(
        "Give the licence number and its last valid day together."
    ),
    "required for a machine source (electron beam, x-ray)": N_(
        "Enter the maximum energy of a machine source."
    ),
    GLN_CHECK_MESSAGE: N_("The check digit of this GLN does not match: check the 13 digits."),
    "serial_from and serial_to go together": N_(
        "Give the first and the last label position together."
    ),
    "must not be before serial_from": N_("The last position must not come before the first."),
}
# what to do about a required field left empty, where "This field is required." would not say
# it: a choice to make, a reason to write (a page may name its own, see `decode_form`)
WHEN_EMPTY = {
    "product_id": N_("Choose a product."),
    "facility_id": N_("Choose an irradiation facility."),
    "irradiator_id": N_("Choose an irradiator."),
    "category": N_("Choose a food category."),
    "purpose": N_("Choose the purpose of irradiation."),
    "kind": N_("Choose the kind of organization."),
    "role": N_("Choose a role."),
    "organization_id": N_("Choose the person's organization."),
    "reason": N_("Write the reason."),
    "customer_id": N_("Choose a customer."),
    "country": N_("Choose a country."),
}
# hints for fields whose shape is a pattern a person cannot guess from "wrong format"
PATTERN_HINTS = {
    "gtin": N_("Enter the 8, 12, 13 or 14 digits under the barcode."),
    "registration_no": N_(
        "Enter MD or ML and 12 digits, P-IRT and 15 digits, or PSAT PD, PL or PDUK and 8 to 20 "
        "digits."
    ),
    "lot": N_("Use 1 to 20 letters, digits or dashes."),
    "category": N_("Choose one of the options."),
    "hs_code": N_("Enter the 6 to 10 digits of the HS code."),
    "gln": N_("Enter the 13 digits of the GLN."),
    "whatsapp": N_("Enter the number with its country code, such as +62 812 3456 7890."),
    "email": N_("Enter an email address, such as nama@contoh.co.id."),
    "country": N_("Choose one of the options."),
    "market": N_("Choose one of the options."),
}
_BOUND = re.compile(
    r"Expected `(?P<type>\w+)`(?: of length)? (?P<op>>=|<=|>|<) (?P<limit>[-\d.e+]+)"
)
_BOUND_MESSAGES = {
    (False, ">="): N_("Enter a value of at least %(limit)s."),
    (False, ">"): N_("Enter a value greater than %(limit)s."),
    (False, "<="): N_("Enter a value of at most %(limit)s."),
    (False, "<"): N_("Enter a value less than %(limit)s."),
    (True, ">="): N_("Enter at least %(limit)s characters."),
    (True, "<="): N_("Enter at most %(limit)s characters."),
}
_AT_FIELD = re.compile(r" - at `\$\.(?P<field>[a-z_]+)(?:\[\d+\])?`$")
# a cross-field rule of a Struct's __post_init__ names its field first (`errors.field_error`)
_NAMED_RULE = re.compile(r"^(?P<field>[a-z_]+): (?P<message>.+)$", re.S)


def message_for(field_name: str, error: str) -> FieldError:
    """A readable message for one of msgspec's (or a schema check's) error texts."""
    # an optional field's type reads `float | null`: the message is the same as for `float`
    error = _AT_FIELD.sub("", error).replace(" | null", "")
    if error in KNOWN_RULE_MESSAGES:
        return FieldError(field_name, KNOWN_RULE_MESSAGES[error])
    if error == "Number out of range":
        return FieldError(field_name, N_("Enter a smaller number."))
    if error.startswith("Object missing required field"):
        return FieldError(field_name, N_("This field is required."))
    if error.startswith("Expected `int`"):
        if bound := _BOUND.match(error):
            return _bound_error(field_name, bound)
        return FieldError(field_name, N_("Enter a whole number."))
    if bound := _BOUND.match(error):
        return _bound_error(field_name, bound)
    if error.startswith("Expected `float`"):
        return FieldError(field_name, N_("Enter a number, such as 2,5."))
    if "matching regex" in error:
        return FieldError(field_name, PATTERN_HINTS.get(field_name, N_("Enter text on one line.")))
    if error.startswith(("Invalid enum value", "Invalid UUID", "Expected `str`, got")):
        return FieldError(field_name, N_("Choose one of the options."))
    if "date" in error.lower():
        return FieldError(field_name, N_("Enter a valid date."))
    return FieldError(field_name, N_("Check this value."))


def _bound_error(field_name: str, bound: re.Match[str]) -> FieldError:
    is_length = "of length" in bound.group(0)
    msgid = _BOUND_MESSAGES.get((is_length, bound["op"]), N_("Check this value."))
    limit = float(bound["limit"])
    return FieldError(field_name, msgid, {"limit": int(limit) if limit.is_integer() else limit})


def _base_type(tp: Any) -> Any:
    """`Annotated[float, Meta] | None` → float."""
    while True:
        args = get_args(tp)
        if get_origin(tp) is not None and args and hasattr(tp, "__metadata__"):
            tp = args[0]
        elif args and type(None) in args:
            tp = next(a for a in args if a is not type(None))
        else:
            return tp


_NOT_FINITE = frozenset({"nan", "inf", "infinity"})
_NOT_A_NUMBER = "not a number"


def _normalize(value: str, kind: Any) -> Any:
    if kind in (float, int):
        # a decimal comma, as Indonesians write it; a point works too (phones vary); the minus
        # sign (U+2212) as the console prints it, copied back into a form
        value = value.replace("\u2212", "-")
        if "," in value and "." not in value:
            value = value.replace(",", ".")
        # "nan", "inf", "Infinity" parse as floats but are no amount a person means (and an
        # infinite one passes a lower bound): refused as text, so the field asks for a number
        if value.strip().lstrip("+-").lower() in _NOT_FINITE:
            return _NOT_A_NUMBER
        return value
    if kind is datetime:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value  # msgspec names the error
        # a `datetime-local` input has no offset: it is Jakarta time
        return moment if moment.tzinfo else moment.replace(tzinfo=JAKARTA)
    return value


def form_values(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The named fields of a post, trimmed (an empty input stays "" for re-display)."""
    values = {}
    for name in names:
        raw = form.get(name)
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        if raw is not None:
            values[name] = str(raw).strip()
    return values


@dataclasses.dataclass(slots=True)
class FormReading:
    """What a post became: the request Struct (None while anything is wrong), every problem
    found, and the fields that read as valid on their own (for checks that need only them)."""

    data: Any
    errors: list[FieldError]
    readable: dict[str, Any]


def read_form(
    values: Mapping[str, str],
    struct: type[T],
    *,
    when_empty: Mapping[str, str] | None = None,
    **fixed: Any,
) -> FormReading:
    """Every problem of a form post in one round (SPEC §10): each field decoded on its own, then
    the public-text check of each text field and every rule of the Struct (`RULES`) whose fields
    read as valid, then the Struct itself. `when_empty` names, per field, what to do when a
    required field is left empty (over `WHEN_EMPTY`); `fixed` adds values that do not come from
    the form (already typed). Errors come in the Struct's field order."""
    empty_messages = {**WHEN_EMPTY, **(when_empty or {})}
    fields = {f.name: f for f in msgspec.structs.fields(struct)}  # type: ignore[arg-type]
    errors: list[FieldError] = []
    data: dict[str, Any] = dict(fixed)
    unreadable: set[str] = set()
    for name, info in fields.items():
        if name in fixed:
            try:  # already typed, but read as the rules will see it (a list of readings)
                data[name] = msgspec.convert(fixed[name], info.type, strict=False)
            except msgspec.ValidationError as exc:
                errors.append(message_for(name, str(exc)))
                unreadable.add(name)
            continue
        value = values.get(name, "")
        if value == "":
            if info.required:
                message = empty_messages.get(name, N_("This field is required."))
                errors.append(FieldError(name, message))
                unreadable.add(name)
            continue
        normalized = _normalize(value, _base_type(info.type))
        try:
            data[name] = msgspec.convert(normalized, info.type, strict=False)
        except msgspec.ValidationError as exc:
            errors.append(message_for(name, str(exc)))
            unreadable.add(name)
    errors += _rule_errors(struct, fields, data, unreadable)
    if errors:
        order = list(fields)
        errors.sort(key=lambda e: order.index(e.field) if e.field in order else len(order))
        return FormReading(None, errors, data)
    try:
        return FormReading(msgspec.convert(data, struct, strict=False), [], data)
    except msgspec.ValidationError as exc:
        return FormReading(None, [_struct_error(str(exc))], data)


def _struct_error(text: str) -> FieldError:
    """A Struct's refusal (a rule's `… - at `$.field`` or `field: …`) on its field."""
    at = _AT_FIELD.search(text)
    if at is None and (named := _NAMED_RULE.match(text)):
        return message_for(named["field"], named["message"])
    return message_for(at["field"] if at else "", text)


def _rule_errors(
    struct: type,
    fields: Mapping[str, Any],
    data: Mapping[str, Any],
    unreadable: set[str],
) -> list[FieldError]:
    """The public-text check of each text field that read, and each of the Struct's `RULES`
    whose fields all read (an optional field left empty reads as its default)."""
    errors = []
    unreadable = set(unreadable)
    for name, problem in public_text_problems(struct, data):
        errors.append(message_for(name, problem))
        unreadable.add(name)  # one message a field: the rules below say no more of it
    defaults = {
        name: info.default if info.default is not msgspec.NODEFAULT else info.default_factory()
        for name, info in fields.items()
        if not info.required
    }
    body = SimpleNamespace(**(defaults | dict(data)))
    for rule in getattr(struct, "RULES", ()):
        if unreadable.intersection(rule.reads):
            continue
        try:
            rule.check(body)
        except ValueError as exc:
            errors.append(_struct_error(str(exc)))
    return errors


def decode_form(
    values: Mapping[str, str],
    struct: type[T],
    *,
    when_empty: Mapping[str, str] | None = None,
    **fixed: Any,
) -> T:
    """The request Struct for a form post, or FormInvalid (400) naming every wrong field."""
    reading = read_form(values, struct, when_empty=when_empty, **fixed)
    if reading.errors:
        raise FormInvalid(reading.errors)
    data: T = reading.data
    return data
