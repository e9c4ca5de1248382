"""HTTP endpoints for products: a producer's validated process specification per food."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.products import Product, ProductCreate, ProductPatch
from service.batches import lifecycle, product_amendments
from service.batches import product_queries as queries
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor

READERS = roles("producer", "regulator", "admin")


class ProductsController(Controller):
    path = "/api/v1/products"
    tags = ["products"]

    @post(operation_id="createProduct", opt=roles("producer"))
    async def create_product(
        self, request: Request[AuthUser, None, State], db: Db, data: JSONBody[ProductCreate]
    ) -> Product:
        """Register a product and its validated process: category, purpose, minimum dose, and the
        facts its shelf life is computed from. The minimum dose must not exceed the legal maximum
        of BPOM 3/2018 Annex I for the category and purpose."""
        return await lifecycle.create_product(db, request.user, data)

    @get(operation_id="listProducts", opt=READERS)
    async def list_products(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[Product]:
        """Products, newest first: a producer's own, or all for a regulator or admin."""
        rows = await queries.list_products(db, request.user, limit=limit, cursor=cursor)
        return Page([queries.to_product(r) for r in rows[:limit]], next_cursor(rows, limit))

    @get("/{product_id:uuid}", operation_id="getProduct", opt=READERS)
    async def get_product(
        self, request: Request[AuthUser, None, State], db: Db, product_id: FromPath[UUID]
    ) -> Product:
        """One product."""
        row = await queries.get_product(db, product_id, request.user)
        if row is None:
            raise NotFound("product")
        return queries.to_product(row)

    @patch("/{product_id:uuid}", operation_id="amendProduct", opt=roles("producer"))
    async def amend_product(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        product_id: FromPath[UUID],
        data: JSONBody[ProductPatch],
    ) -> Product:
        """Amend a product in place (a JSON merge patch; null removes a value) with evidence
        that changes nothing printed: the storage study's conditions (`validated_study_temp_c`,
        `validated_study_dose_kgy`, `validated_study_packaging`), `process_validation_ref` and
        `hs_code`. Each change is written to the admin log with before and after, and a batch
        refused at release for want of them (`study_conditions_missing`,
        `dose_below_purpose_minimum`) can then be released. The amended product must pass the
        product rules. Id, GTIN, category and purpose never change (422 `immutable_field`);
        any other field changes by a new product version (422 `new_version_required`)."""
        return await product_amendments.amend_product(db, request.user, product_id, data)
