"""Console pages of export markets: the markets table every signed-in user reads (each rule with
its source and confidence, unconfirmed rows marked), and an administrator's replacement of a
market's rules — the body of `PUT /api/v1/markets/{code}`, decoded into the same Struct and
written by the same function, so the same validation holds."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from labels.wording import PURPOSES
from schemas.markets import Market, MarketRulesPut
from service.accounts.markets import administration, queries
from service.accounts.markets.names import market_name
from service.accounts.queries import list_food_categories
from service.console.form import Form, Refusals
from service.console.i18n import gettext_for, language_of
from service.console.render import flash, page
from service.core.auth import ANY_ROLE, AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.forms import FieldError
from service.core.gettext_marker import N_

AuthRequest = Request[AuthUser, Any, State]
ADMIN = roles("admin")
# every market fits one page: a few dozen at most
ALL_MARKETS = 500
RULES_FIELD_LABELS = {"rules": N_("Rules (JSON)")}
RULES_REFUSALS: Refusals = {
    "category_purpose_unknown": lambda exc: [
        FieldError(
            "rules",
            N_("%(problem)s Use a category and purpose of the food-category table."),
            {"problem": exc.detail},
        )
    ],
    "label_language_without_words": lambda exc: [
        FieldError(
            "rules",
            N_("%(problem)s Add the words in that language first."),
            {"problem": exc.detail},
        )
    ],
    "label_language_unprintable": lambda exc: [
        FieldError(
            "rules",
            N_(
                "Labels cannot print the words in the label language (%(characters)s: no label "
                "font has them, or they are written right to left). Choose another language, or "
                "none for the buyer country's."
            ),
            # one by one, isolated: right-to-left letters would otherwise run into the text
            {"characters": "\u2068" + " ".join(exc.extra["characters"]) + "\u2069"},
        )
    ],
}


def rules_text(market: Market) -> str:
    """A market's rules and label language as the edit form shows them: the PUT body's JSON,
    indented."""
    body = msgspec.json.encode(
        MarketRulesPut(rules=market.rules, label_language=market.label_language)
    )
    return msgspec.json.format(body, indent=2).decode()


class MarketPages(Controller):
    path = "/app/markets"
    include_in_schema = False

    @get("/", opt=ANY_ROLE)
    async def markets_page(self, request: AuthRequest, db: Db) -> Template:
        """Every market and its rules, with the source and confidence of each."""
        markets = await queries.list_markets(db, limit=ALL_MARKETS, after=None)
        _ = gettext_for(request)
        lang = language_of(request)
        return page(
            request,
            "accounts/markets.html",
            markets=markets[:ALL_MARKETS],
            names={m.code: _(market_name(m.code, m.name, lang)) for m in markets},
            purpose_names=PURPOSES,
            categories={c.code: c for c in await list_food_categories(db)},
        )

    @get("/{code:str}/edit", opt=ADMIN)
    async def edit_page(self, request: AuthRequest, db: Db, code: FromPath[str]) -> Template:
        """A market's rules as the JSON body of `PUT /api/v1/markets/{code}`, to edit."""
        market = await self._market(db, code)
        return self._form(Form(request, {"rules": rules_text(market)}), market)

    @post("/{code:str}/edit", opt=ADMIN)
    async def save(self, request: AuthRequest, db: Db, code: FromPath[str]) -> Template | Redirect:
        """Replace the market's rules (303 back to the table), or the form again with the
        problem named and the text kept."""
        market = await self._market(db, code)
        form = await Form.read(request, ("rules",))
        data = None
        try:
            data = msgspec.json.decode(form.values.get("rules", ""), type=MarketRulesPut)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            form.fail(
                [
                    FieldError(
                        "rules", N_("The rules do not read: %(problem)s"), {"problem": str(exc)}
                    )
                ],
                400,
            )
        if data is not None:
            with form.refusals(RULES_REFUSALS):
                await administration.replace_rules(
                    db, request.user, market.code, data.rules, data.label_language
                )
        if not form.ok:
            return self._form(form, market)
        _ = gettext_for(request)
        flash(request, _("The rules of %(market)s are saved.") % {"market": market.code})
        return Redirect(f"/app/markets#market-{market.code}", status_code=303)

    @staticmethod
    async def _market(db: Db, code: str) -> Market:
        markets = await queries.list_markets(db, limit=1, after=None, only=code)
        if not markets:
            raise NotFound("market")
        return markets[0]

    @staticmethod
    def _form(form: Form, market: Market) -> Template:
        _ = gettext_for(form.request)
        lang = language_of(form.request)
        return page(
            form.request,
            "accounts/market_edit.html",
            status_code=form.status_code,
            market=market,
            market_title=_(market_name(market.code, market.name, lang)),
            error_labels={field: _(label) for field, label in RULES_FIELD_LABELS.items()},
            **form.context(),
        )
