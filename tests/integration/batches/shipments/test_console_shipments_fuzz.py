"""Hypothesis over the customer form and the ship form: whatever is posted, the answer is a page
or a redirect, never a 500 (each example takes a valid form, replaces some fields with any text
and drops others, and posts it with a valid CSRF token against real rows)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.integration.batch_steps import batch_in
from tests.integration.batches.shipments.shipment_steps import create_customer
from tests.integration.console import post_form
from tests.integration.test_console_fuzz import SETTINGS, _producer, broken, form_text
from tests.integration.world import World

CUSTOMER_FORM = {
    "name": "Toko Uni",
    "kind": "retailer",
    "country": "ID",
    "city": "Padang",
    "gln": "4000001000005",
    "email": "toko@uni.co.id",
    "whatsapp": "+62 812 3456 7890",
}
ANSWERS = {200, 303, 400, 404, 409, 422}


@given(data=st.data())
@SETTINGS
async def test_customer_forms_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    producer = await _producer(client, pool, world)
    if "_fuzz_customer" not in world.__dict__:
        world.__dict__["_fuzz_customer"] = (await create_customer(client, world.producer))["id"]
    customer_id = world.__dict__["_fuzz_customer"]
    token = await producer.csrf_token("/app/customers")
    form = data.draw(broken(CUSTOMER_FORM))
    assert await post_form(producer, token, "/app/customers", form) in ANSWERS
    assert await post_form(producer, token, f"/app/customers/{customer_id}", form) in ANSWERS


@given(data=st.data())
@SETTINGS
async def test_ship_and_cancel_forms_never_answer_500(client, pool, world: World, data):  # type: ignore[no-untyped-def]
    producer = await _producer(client, pool, world)
    if "_fuzz_shipping" not in world.__dict__:
        released = await batch_in(client, world, "released")
        customer = await create_customer(client, world.producer)
        world.__dict__["_fuzz_shipping"] = (released, customer["id"])
    released, customer_id = world.__dict__["_fuzz_shipping"]
    token = await producer.csrf_token(f"/app/batches/{released}")
    form = data.draw(
        broken(
            {
                "customer_id": customer_id,
                "quantity": "1",
                "unit": "pcs",
                "shipped_at": "",
                "document_no": "SJ-1",
                "market": "",
                "serial_from": "",
                "serial_to": "",
            }
        )
    )
    assert await post_form(producer, token, f"/app/batches/{released}/shipments", form) in ANSWERS
    reason = data.draw(form_text)
    shipment = "00000000-0000-4000-8000-000000000000"
    answer = await post_form(
        producer, token, f"/app/shipments/{shipment}/cancel", {"reason": reason}
    )
    assert answer in ANSWERS
