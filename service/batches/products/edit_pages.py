"""The console's page that edits a product (SPEC §3.2 "Editing", §10: `/app/products/{id}/edit`).

The form is the product form, filled with the product as it stands, without the fields that
never change (category, purpose, GTIN). What the producer changed goes to `versions.edit_product`,
the function behind PATCH /api/v1/products/{id}: a change to what the label prints makes a new
version, evidence alone amends the current one. The live shelf-life preview is the product
form's own (`POST /app/products/preview`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from labels.wording import PURPOSES
from schemas.products import VERSIONED_FIELDS, Product, ProductCreate, ProductPatch
from service.accounts.queries import list_food_categories
from service.batches import rules
from service.batches.pages import error_labels
from service.batches.products import queries, versions
from service.batches.products.pages import PRODUCT_FIELDS, rule_errors, shelf_life_preview
from service.console.i18n import gettext_for, language_of
from service.console.render import errors_text, flash, page
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound, RuleViolation
from service.core.forms import FieldError, FormInvalid, decode_form, form_values
from service.core.gettext_marker import N_
from service.core.prefill import prefilled

AuthRequest = Request[AuthUser, Any, State]
# what the edit form sends; category and purpose come back as hidden fields for the preview
EDIT_FIELDS = tuple(f for f in PRODUCT_FIELDS if f != "gtin")


def changes_of(product: Product, data: ProductCreate) -> ProductPatch:
    """The merge patch of what the form changed (a registration number compared in its stored
    form, so a number typed with spaces is no change)."""
    changes: dict[str, Any] = {}
    for field in VERSIONED_FIELDS:
        value = getattr(data, field)
        if field == "registration_no":
            value = rules.normalize_registration_no(value)
        if value != getattr(product, field):
            changes[field] = value
    return msgspec.convert(changes, ProductPatch)


class ProductEditPages(Controller):
    path = "/app/products"
    include_in_schema = False

    @get("/{product_id:uuid}/edit", opt=roles("producer"))
    async def edit_page(self, request: AuthRequest, db: Db, product_id: FromPath[UUID]) -> Template:
        """The product form, filled with the product as it stands."""
        product = await _own_product(db, request, product_id)
        values = prefilled(msgspec.structs.asdict(product), EDIT_FIELDS, language_of(request))
        return await _edit_form(request, db, product, values, {})

    @post("/{product_id:uuid}/edit", opt=roles("producer"))
    async def edit(
        self, request: AuthRequest, db: Db, product_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the changes (303 to the product), or show the preview, or every error."""
        product = await _own_product(db, request, product_id)
        form = await request.form()
        # what never changes is the product's, whatever the post says
        values = form_values(form, EDIT_FIELDS) | {
            "category": product.category,
            "purpose": product.purpose,
        }
        if form.get("action") == "preview":
            return await _edit_form(request, db, product, values, {})
        try:
            data = decode_form(values, ProductCreate, gtin=product.gtin)
            edited = await versions.edit_product(
                db, request.user, product_id, changes_of(product, data)
            )
        except FormInvalid as exc:
            errors = errors_text(request, exc.errors)
            return await _edit_form(request, db, product, values, errors, exc.status_code)
        except ValidationException as exc:  # a number the service normalizes
            fields = [e.get("key", "") for e in exc.extra] if isinstance(exc.extra, list) else []
            field_errors = [FieldError(f, N_("Check this value.")) for f in fields]
            errors = errors_text(request, field_errors)
            return await _edit_form(request, db, product, values, errors, 400)
        except RuleViolation as exc:
            errors = errors_text(request, rule_errors(exc))
            return await _edit_form(request, db, product, values, errors, 422)
        _ = gettext_for(request)
        if edited.version > product.version:
            message = _(
                "%(name)s saved as version %(version)s. Batches registered before keep version "
                "%(previous)s."
            ) % {"name": edited.name, "version": edited.version, "previous": product.version}
        elif edited != product:
            message = _("%(name)s saved.") % {"name": edited.name}
        else:
            message = _("Nothing was changed.")
        flash(request, message)
        return Redirect(f"/app/products/{product_id}", status_code=303)


async def _own_product(db: Db, request: AuthRequest, product_id: UUID) -> Product:
    row = await queries.get_product(db, product_id, request.user)
    if row is None:
        raise NotFound("product")
    return queries.to_product(row)


async def _edit_form(
    request: AuthRequest,
    db: Db,
    product: Product,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "batches/product_form.html",
        status_code=status_code,
        product=product,
        error_labels=error_labels(request),
        values=values,
        errors=errors,
        categories=await list_food_categories(db),
        purposes=list(PURPOSES),
        purpose_names=PURPOSES,
        preview=await shelf_life_preview(db, request, values),
    )
