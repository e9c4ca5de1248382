"""HTTP endpoints for products: a producer's validated process specification per food."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from schemas.common import Page
from schemas.markets import ProductMarkets
from schemas.products import Product, ProductCreate, ProductPatch
from service.batches import lifecycle
from service.batches.market_fit import product_markets
from service.batches.products import queries, versions
from service.core.auth import AuthUser, roles
from service.core.db import Db
from service.core.errors import NotFound
from service.core.pagination import Cursor, Limit, next_cursor

READERS = roles("producer", "regulator", "admin", "market_network")


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

    @get("/{product_id:uuid}/markets", operation_id="getProductMarkets", opt=READERS)
    async def get_product_markets(
        self, request: Request[AuthUser, None, State], db: Db, product_id: FromPath[UUID]
    ) -> ProductMarkets:
        """Where the product may go: each market allowed or not, with every rule it fails there
        and that rule's source and confidence (SPEC §13.3). Judged on its latest released
        batch's treatment, or, before one, on its category, purpose and HS code alone."""
        if await queries.get_product(db, product_id, request.user) is None:
            raise NotFound("product")
        return ProductMarkets(items=await product_markets(db, product_id))

    @patch("/{product_id:uuid}", operation_id="editProduct", opt=roles("producer"))
    async def edit_product(
        self,
        request: Request[AuthUser, None, State],
        db: Db,
        product_id: FromPath[UUID],
        data: JSONBody[ProductPatch],
    ) -> Product:
        """Edit a product (a JSON merge patch; null removes an optional value); the answer is
        the product with its `version`.

        A change of anything a label prints makes a new version: batches keep the version they
        were registered with (their record shows `product.version`), and the product rules
        apply to the new version as to a new product. A patch of evidence alone — the storage
        study's conditions (`validated_study_temp_c`, `validated_study_dose_kgy`,
        `validated_study_packaging`), `process_validation_ref` and `hs_code` — amends the
        current version in place, so a batch refused at release for want of it
        (`study_conditions_missing`, `dose_below_purpose_minimum`) can then be released. Each
        change is written to the admin log with before and after; a patch that changes nothing
        writes nothing. Id, GTIN, category and purpose never change (422 `immutable_field`):
        a different food is a new product."""
        return await versions.edit_product(db, request.user, product_id, data)
