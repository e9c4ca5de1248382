"""Product pages over plain HTTP with a cookie jar: the form posted empty, wrong and right, the
shelf-life preview with and without htmx, another producer's product, and the wrong role."""

from __future__ import annotations

import html
import re
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.batch_steps import chicken, create_product, fresh_gtin13
from tests.integration.console import Browser, signed_in
from tests.integration.world import World

CHICKEN_FORM = {
    "name": "Ayam potong kemasan",
    "category": "meat_poultry",
    "purpose": "extend_shelf_life",
    "min_dose_kgy": "1,5",
    "base_shelf_life_days": "5",
    "reference_temp_c": "4",
    "storage_temp_c": "4",
    "packaging": "air",
}


async def english(browser: Browser) -> None:
    answer = await browser.submit(
        "/app/language", {"lang": "en", "next": "/app/"}, form_page="/app/"
    )
    assert answer.status_code == 303


@pytest.fixture
async def producer(client: AsyncTestClient, pool: asyncpg.Pool, world: World) -> Any:
    browser = await signed_in(client, pool, world.producer.id)
    await english(browser)
    return browser


def field_error(page: str, field: str) -> str:
    """The message shown next to a field (GOV.UK pattern), or '' when there is none."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


def input_value(page: str, field: str) -> str:
    match = re.search(rf'<input id="{field}" name="{field}"[^>]*value="([^"]*)"', page)
    assert match, f"no input {field}"
    return html.unescape(match.group(1))


async def test_product_form_posted_empty_names_every_required_field(producer: Browser) -> None:
    answer = await producer.submit("/app/products/new", {})
    assert answer.status_code == 400
    page = answer.text
    assert 'class="error-summary"' in page
    for field, message in (
        ("name", "This field is required."),
        ("category", "Choose a food category."),  # a select says what to do
        ("purpose", "Choose the purpose of irradiation."),
        ("min_dose_kgy", "This field is required."),
        ("base_shelf_life_days", "This field is required."),
    ):
        assert field_error(page, field) == message, field
        assert f'<a href="#{field}">' in page  # the summary links to the field
    # the summary names each field, as a message alone would not say which one
    assert '<a href="#name">Product name: This field is required.</a>' in page
    assert 'aria-describedby="name-error"' in page and 'aria-invalid="true"' in page
    assert field_error(page, "gtin") == ""  # optional fields are not flagged


async def test_product_form_with_wrong_values_keeps_the_input_and_names_each_field(
    producer: Browser,
) -> None:
    answer = await producer.submit(
        "/app/products/new",
        CHICKEN_FORM | {"min_dose_kgy": "banyak", "reference_temp_c": "80", "gtin": "12ab"},
    )
    assert answer.status_code == 400
    page = answer.text
    assert field_error(page, "min_dose_kgy") == "Enter a number, such as 2,5."
    assert field_error(page, "reference_temp_c") == "Enter a value of at most 60."
    assert field_error(page, "gtin") == "Enter the 8, 12, 13 or 14 digits under the barcode."
    assert input_value(page, "min_dose_kgy") == "banyak"
    assert input_value(page, "name") == "Ayam potong kemasan"
    # a GTIN with the wrong check digit is checked by the service, named the same way
    answer = await producer.submit("/app/products/new", CHICKEN_FORM | {"gtin": "8991234567890"})
    assert answer.status_code == 400
    assert field_error(answer.text, "gtin") == "The check digit does not match."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"category": "fish_seafood", "purpose": "sprout_inhibition"},
            "purpose",
            "This category may not be irradiated for this purpose (BPOM 3/2018 Annex I).",
        ),
        (
            {"min_dose_kgy": "3,5"},
            "min_dose_kgy",
            "The dose is above the legal maximum of 3 kGy for this category and purpose.",
        ),
        (
            {"category": "ready_meal_sterile", "purpose": "sterilisation", "min_dose_kgy": "45"},
            "packaging",
            "A sterile meal must be vacuum packed or hermetically sealed.",
        ),
    ],
)
async def test_product_form_refused_by_a_domain_rule_is_422_next_to_the_field(
    producer: Browser, changes: dict[str, str], field: str, message: str
) -> None:
    answer = await producer.submit("/app/products/new", CHICKEN_FORM | changes)
    assert answer.status_code == 422
    assert field_error(answer.text, field) == message


async def test_duplicate_gtin_is_named_on_the_gtin_field(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    gtin = fresh_gtin13()
    await create_product(client, world.other_producer, chicken(gtin=gtin))
    answer = await producer.submit("/app/products/new", CHICKEN_FORM | {"gtin": gtin})
    assert answer.status_code == 422
    assert field_error(answer.text, "gtin") == "Another product already has this GTIN."


async def test_product_form_right_creates_it_with_a_decimal_comma_and_redirects(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    answer = await producer.submit("/app/products/new", CHICKEN_FORM | {"ph": "5,8"})
    assert answer.status_code == 303
    location = answer.headers["location"]
    product_id = location.rsplit("/", 1)[1]
    stored = await client.get(f"/api/v1/products/{product_id}", headers=world.producer.headers)
    assert stored.json()["min_dose_kgy"] == 1.5 and stored.json()["ph"] == 5.8
    page = await producer.get(location)
    assert page.status_code == 200
    assert "Product Ayam potong kemasan saved." in page.text  # the flash, once
    assert "<dd>5.8</dd>" in page.text
    again = await producer.get(location)
    assert "saved." not in again.text
    # in Bahasa Indonesia the same number has a decimal comma
    await producer.submit("/app/language", {"lang": "id", "next": "/app/"}, form_page="/app/")
    indonesian = (await producer.get(location)).text
    assert "<dd>5,8</dd>" in indonesian
    # the packaging in words, not its code (DOMAIN §8.11)
    assert "<dd>udara biasa (tidak kedap udara)</dd>" in indonesian
    listing = await producer.get("/app/products")
    assert f'href="/app/products/{product_id}"' in listing.text


async def test_preview_button_without_javascript_shows_the_date_and_saves_nothing(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    answer = await producer.submit("/app/products/new", CHICKEN_FORM | {"action": "preview"})
    assert answer.status_code == 200
    page = answer.text
    # chicken at 4 °C, 5 days, treated at 1.5 kGy: m = 1.5, E = floor(7.5) = 7 days
    assert "7 days" in page
    assert input_value(page, "min_dose_kgy") == "1,5"
    # the category's allowed purposes and legal maximum
    assert "extending shelf life: at most 3 kGy" in page
    products = await client.get("/api/v1/products", headers=world.producer.headers)
    assert products.json()["items"] == []


async def test_htmx_preview_is_the_fragment_the_form_includes(producer: Browser) -> None:
    token = await producer.csrf_token("/app/products/new")
    answer = await producer.http.post(
        "/app/products/preview",
        data=CHICKEN_FORM | {"min_dose_kgy": "3"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert answer.status_code == 200
    fragment = answer.text
    assert fragment.lstrip().startswith('<div id="preview"')
    assert "<html" not in fragment
    # 3 kGy: m = 2.0, E = 10 days; the same model as /api/v1/shelf-life/estimate
    assert "10 days" in fragment
    incomplete = await producer.http.post(
        "/app/products/preview",
        data={"category": "meat_poultry"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert "Fill in the category" in incomplete.text
    assert "extending shelf life: at most 3 kGy" in incomplete.text


async def test_another_producers_product_is_a_404_page(
    client: AsyncTestClient, producer: Browser, world: World
) -> None:
    theirs = await create_product(client, world.other_producer, chicken())
    answer = await producer.get(f"/app/products/{theirs['id']}")
    assert answer.status_code == 404
    assert "text/html" in answer.headers["content-type"]
    assert theirs["name"] not in answer.text


async def test_products_are_for_producers_only(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    operator = await signed_in(client, pool, world.operator.id)
    for path in ("/app/products", "/app/products/new"):
        answer = await operator.get(path)
        assert answer.status_code == 403, path
        assert "text/html" in answer.headers["content-type"]
    token = await operator.csrf_token("/app/")
    answer = await operator.http.post(
        "/app/products/new", data=CHICKEN_FORM | {"_csrf_token": token}
    )
    assert answer.status_code == 403


async def test_the_form_explains_each_packaging_and_offers_hermetic(producer: Browser) -> None:
    page = (await producer.get("/app/products/new")).text
    for value in ("air", "vacuum", "map", "hermetic"):
        assert f'id="packaging-{value}" name="packaging" type="radio" value="{value}"' in page
        assert f'id="packaging-{value}-hint"' in page
    assert "A jar, bottle or can closed tight, or food covered in oil, is not this" in page
    await producer.submit("/app/language", {"lang": "id", "next": "/app/"}, form_page="/app/")
    indonesian = (await producer.get("/app/products/new")).text
    assert "udara biasa (tidak kedap udara)" in indonesian
    assert "hermetis (kedap udara)" in indonesian
    assert "Stoples, botol atau kaleng" in indonesian and "terendam minyak" in indonesian


async def test_the_preview_lists_every_refusal(producer: Browser) -> None:
    # raw chicken, vacuum, at 30 °C: refused as raw food out of the cold chain and as a warm
    # reduced-oxygen pack without a control; both reasons are shown, in SPEC §4's order
    warm = CHICKEN_FORM | {
        "packaging": "vacuum",
        "reference_temp_c": "30",
        "storage_temp_c": "30",
        "action": "preview",
    }
    page = (await producer.submit("/app/products/new", warm)).text
    assert "No best-before date can be given:" in page
    raw = page.index("Raw meat and poultry must be kept chilled")
    airtight = page.index("A vacuum pack at 30 °C")
    assert raw < airtight
    saved = await producer.submit("/app/products/new", warm | {"action": "save"})
    assert saved.status_code == 422
    assert field_error(saved.text, "storage_temp_c").startswith("Raw fish and meat must be kept")
    assert field_error(saved.text, "packaging").startswith("Above 10 °C an airtight pack")


async def test_a_study_without_its_conditions_names_the_missing_one(producer: Browser) -> None:
    study = CHICKEN_FORM | {
        "validated_shelf_life_days": "9",
        "validated_study_ref": "Lab 7",
        "validated_study_temp_c": "4",
        "validated_study_packaging": "air",
    }
    answer = await producer.submit("/app/products/new", study)
    assert answer.status_code == 400
    assert field_error(answer.text, "validated_study_dose_kgy") == (
        "Give the temperature, absorbed dose and packaging the study validated."
    )
    assert input_value(answer.text, "validated_study_temp_c") == "4"
    saved = await producer.submit(
        "/app/products/new", study | {"validated_study_dose_kgy": "1,5", "hs_code": "020714"}
    )
    assert saved.status_code == 303
    page = (await producer.get(saved.headers["location"])).text
    assert "at most 4 °C, at least 1.5 kGy, ordinary air (not airtight)" in page
    assert "<dd>020714</dd>" in page


async def test_a_dose_below_the_purposes_minimum_needs_a_process_validation(
    producer: Browser,
) -> None:
    # 1.2 kGy is below the 1.5 kGy shelf-life extension typically needs (DOMAIN §8.6)
    low = CHICKEN_FORM | {"min_dose_kgy": "1,2"}
    answer = await producer.submit("/app/products/new", low)
    assert answer.status_code == 422
    assert field_error(answer.text, "process_validation_ref") == (
        "The minimum dose is below the 1.5 kGy this purpose typically needs: give the process "
        "validation that shows it works."
    )
    saved = await producer.submit(
        "/app/products/new", low | {"process_validation_ref": "BRIN-PV-2025-03"}
    )
    assert saved.status_code == 303
