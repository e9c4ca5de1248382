"""A console form post as one object, in the manner of sourcehut's `Validation`: read the post
once, decode it into the API's own request Struct (every problem named in one round), keep what
was typed for the page shown again, turn a refusal of the domain into a message on the field it
is about, and hand the page its values, its messages and its status. A handler reads:

    form = await Form.read(request, RECEIPT_FIELDS)
    data = form.decode(ReceiptCreate)
    if data is not None:
        with form.refusals(RECEIPT_REFUSALS):
            await lifecycle.receive_batch(db, request.user, batch_id, data)
    if not form.ok:
        return receipt_page(request, record, form)  # page(…, **form.context())
    # 303 to the result

A refusal the page does not map (a 404, a 409, a rule with no field) is raised on, and the
console's error page shows it as the API's problem document says."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import asyncpg
from litestar import Request
from litestar.exceptions import ValidationException

from service.console.render import errors_text
from service.core.errors import DomainError, NotFound, RuleViolation, unique_violation
from service.core.forms import FieldError, form_values, read_form
from service.core.gettext_marker import N_

T = TypeVar("T")
# a refusal as the message on a field: (field, msgid), or a function giving the messages
FieldMessage = tuple[str, str]
RefusalMessages = FieldMessage | Callable[[Any], list[FieldError]]
Refusals = Mapping[str, RefusalMessages]

REFUSED = 422  # a post the domain refuses is well-formed: the page comes back as 422
MALFORMED = 400


def refusal_key(exc: Exception) -> str | None:
    """What a page's `Refusals` are keyed by: a domain refusal's `code` (`unknown <what>` for a
    404 of a chosen option), a unique violation's code by its constraint's name as the API
    answers it (`duplicate_lot`), `invalid_value` for a format the service checks after
    decoding (a GTIN's check digit). None: not a refusal a form can show."""
    if isinstance(exc, NotFound):
        return f"unknown {exc.what}"
    if isinstance(exc, DomainError):
        return exc.code
    if isinstance(exc, asyncpg.UniqueViolationError):
        return unique_violation(exc)[1]
    if isinstance(exc, ValidationException):
        return "invalid_value"
    return None


def on_the_form(_: RuleViolation) -> list[FieldError]:
    """A rule with no field of its own, as one message on the form as a whole."""
    return [FieldError("", N_("Check this value."))]


class Form:
    """One form: the values as typed, and every problem found with them so far."""

    def __init__(
        self,
        request: Request[Any, Any, Any],
        values: Mapping[str, str] | None = None,
        post: Any = None,
    ) -> None:
        self.request = request
        self.values: dict[str, str] = dict(values or {})
        self.post = post  # the whole post, for repeated fields and check boxes
        self.errors: list[FieldError] = []
        self.readable: dict[str, Any] = {}
        self._status_code = 200

    @classmethod
    async def read(cls, request: Request[Any, Any, Any], fields: Iterable[str]) -> Form:
        """The post's named fields, trimmed (an empty input stays "" for the page)."""
        post = await request.form()
        return cls(request, form_values(post, fields), post)

    def decode(
        self,
        struct: type[T],
        *,
        when_empty: Mapping[str, str] | None = None,
        leave_out: Iterable[str] = (),
        **fixed: Any,
    ) -> T | None:
        """The API's request Struct for these values, or None with every problem noted (400):
        each field, and each rule of the Struct whose fields read, in one round (`read_form`).
        The fields that decoded on their own are kept in `readable`, for checks of the domain
        that need only them (a duplicate lot) to join the same round.
        `leave_out` names values that are no field of the Struct (a hidden one-time key);
        `fixed` gives fields that do not come from the inputs (already typed)."""
        skipped = set(leave_out)
        values = {name: value for name, value in self.values.items() if name not in skipped}
        reading = read_form(values, struct, when_empty=when_empty, **fixed)
        self.readable.update(reading.readable)
        if reading.errors:
            self.fail(reading.errors, MALFORMED)
            return None
        data: T = reading.data
        return data

    def fail(self, errors: Iterable[FieldError], status_code: int = REFUSED) -> None:
        """Note problems; the page's status is the first kind found (400 before 422)."""
        self.errors.extend(errors)
        if self._status_code == 200 or status_code < self._status_code:
            self._status_code = status_code

    def expect(
        self,
        condition: bool,
        field: str,
        msgid: str,
        params: dict[str, Any] | None = None,
        status_code: int = REFUSED,
    ) -> bool:
        """Note `msgid` on `field` unless `condition` holds; returns `condition`."""
        if not condition:
            self.fail([FieldError(field, msgid, params or {})], status_code)
        return condition

    @contextmanager
    def refusals(
        self,
        refusals: Refusals,
        otherwise: Callable[[RuleViolation], list[FieldError]] | None = None,
    ) -> Iterator[None]:
        """Run the domain call inside: a refusal listed in `refusals` (by `refusal_key`), or any
        other rule violation (422) when `otherwise` is given, becomes messages on the form;
        anything else (404, 409, 403) goes on to the error page."""
        try:
            yield
        except (DomainError, asyncpg.UniqueViolationError, ValidationException) as exc:
            errors = self._messages(exc, refusals, otherwise)
            if errors is None:
                raise
            # a format the service checks after decoding is a 400, as in the API
            self.fail(errors, MALFORMED if isinstance(exc, ValidationException) else REFUSED)

    @staticmethod
    def _messages(
        exc: Exception,
        refusals: Refusals,
        otherwise: Callable[[RuleViolation], list[FieldError]] | None,
    ) -> list[FieldError] | None:
        key = refusal_key(exc)
        found = refusals.get(key) if key is not None else None
        if isinstance(found, tuple):
            field, msgid = found
            return [FieldError(field, msgid)]
        if found is not None:
            return found(exc)
        if otherwise is not None and isinstance(exc, RuleViolation):
            return otherwise(exc)
        return None

    def copy(self) -> Form:
        """The same values, no problems noted: the form shown as typed."""
        return Form(self.request, self.values, self.post)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status_code(self) -> int:
        """200 for a form shown as it is; 400, 409 or 422 for one shown with its problems."""
        return self._status_code

    def texts(self) -> dict[str, str]:
        """Field → its messages in the reader's language (`form` for the form as a whole)."""
        return errors_text(self.request, self.errors)

    def context(self) -> dict[str, Any]:
        """What a form template reads: `values` as typed and `errors` by field."""
        return {"values": self.values, "errors": self.texts()}
