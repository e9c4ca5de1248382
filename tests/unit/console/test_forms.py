"""Form posts decoded into the API's request Structs: decimal commas, Jakarta times, every
wrong field named at once, and readable messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from schemas.batches import BatchCreate, ReasonBody, ReceiptCreate
from schemas.products import ProductCreate
from service.core.forms import FieldError, FormInvalid, decode_form, form_values, message_for

CHICKEN = {
    "name": "Ayam potong",
    "category": "meat_poultry",
    "purpose": "extend_shelf_life",
    "min_dose_kgy": "1,5",
    "base_shelf_life_days": "5",
    "reference_temp_c": "8",
    "storage_temp_c": "4.5",
    "packaging": "air",
}


def _errors(values: dict[str, str], struct: type) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        decode_form(values, struct)
    return {e.field: e.text(lambda m: m) for e in caught.value.errors}


def test_decimal_comma_and_point_both_read_as_numbers() -> None:
    product = decode_form(CHICKEN, ProductCreate)
    assert product.min_dose_kgy == 1.5
    assert product.storage_temp_c == 4.5
    assert decode_form(CHICKEN | {"min_dose_kgy": "1.5"}, ProductCreate).min_dose_kgy == 1.5
    assert decode_form(CHICKEN | {"storage_temp_c": "-18,5"}, ProductCreate).storage_temp_c == -18.5


def test_empty_optional_inputs_are_not_given() -> None:
    product = decode_form(CHICKEN | {"gtin": "", "water_activity": ""}, ProductCreate)
    assert product.gtin is None and product.water_activity is None


def test_empty_post_names_every_required_field() -> None:
    errors = _errors({}, ProductCreate)
    assert set(errors) == {
        "name",
        "category",
        "purpose",
        "min_dose_kgy",
        "base_shelf_life_days",
        "reference_temp_c",
        "storage_temp_c",
        "packaging",
    }
    assert errors["name"] == "This field is required."
    # a select left on "Choose…" says what to choose
    assert errors["category"] == "Choose a food category."
    assert errors["purpose"] == "Choose the purpose of irradiation."


def test_an_empty_reason_asks_for_the_reason_the_page_names() -> None:
    assert _errors({}, ReasonBody) == {"reason": "Write the reason."}
    with pytest.raises(FormInvalid) as caught:
        decode_form({"reason": ""}, ReasonBody, when_empty={"reason": "Write the recall reason."})
    assert [(e.field, e.msgid) for e in caught.value.errors] == [
        ("reason", "Write the recall reason.")
    ]
    # a page's own words for one field leave the others' as they are
    with pytest.raises(FormInvalid) as caught:
        decode_form({"lot": "L1"}, BatchCreate, when_empty={"reason": "Write the recall reason."})
    errors = {e.field: e.msgid for e in caught.value.errors}
    assert errors["facility_id"] == "Choose an irradiation facility."
    assert errors["product_id"] == "Choose a product."
    assert errors["quantity"] == "This field is required."


def test_every_wrong_field_is_reported_at_once() -> None:
    errors = _errors(
        CHICKEN
        | {
            "min_dose_kgy": "banyak",
            "base_shelf_life_days": "5,5",
            "reference_temp_c": "80",
            "gtin": "12ab",
            "purpose": "magic",
        },
        ProductCreate,
    )
    assert errors == {
        "min_dose_kgy": "Enter a number, such as 2,5.",
        "base_shelf_life_days": "Enter a whole number.",
        "reference_temp_c": "Enter a value of at most 60.",
        "gtin": "Enter the 8, 12, 13 or 14 digits under the barcode.",
        "purpose": "Choose one of the options.",
    }


def test_cross_field_rule_is_named_by_its_field() -> None:
    errors = _errors(CHICKEN | {"validated_shelf_life_days": "30"}, ProductCreate)
    assert errors == {
        "validated_study_ref": "Name the storage study that validated this shelf life."
    }


def test_future_production_date_is_refused_in_jakarta_time() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    values = {
        "product_id": "8f0d2f52-0a5e-4e3c-9c51-3f0f3a1f6a11",
        "facility_id": "8f0d2f52-0a5e-4e3c-9c51-3f0f3a1f6a12",
        "lot": "L-1",
        "production_date": tomorrow,
        "quantity": "10",
        "unit": "pcs",
    }
    assert _errors(values, BatchCreate) == {
        "production_date": "The date must not be in the future."
    }
    assert _errors(values | {"production_date": "kemarin"}, BatchCreate) == {
        "production_date": "Enter a valid date."
    }
    ok = decode_form(
        values | {"production_date": "2026-01-02", "quantity": "2,5", "unit": "kg"}, BatchCreate
    )
    assert ok.production_date == date(2026, 1, 2) and ok.quantity == 2.5


def test_datetime_local_is_read_as_jakarta_time() -> None:
    receipt = decode_form(
        {"quantity_received": "3", "received_at": "2026-01-05T10:30"}, ReceiptCreate
    )
    assert receipt.received_at is not None
    assert receipt.received_at.astimezone(UTC) == datetime(2026, 1, 5, 3, 30, tzinfo=UTC)
    # a time that carries its own offset keeps it
    receipt = decode_form(
        {"quantity_received": "3", "received_at": "2026-01-05T10:30+00:00"}, ReceiptCreate
    )
    assert receipt.received_at == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def test_fixed_values_are_taken_as_given() -> None:
    values = {"lot": "L-2", "production_date": "2026-01-02", "quantity": "1", "unit": "pcs"}
    batch = decode_form(
        values,
        BatchCreate,
        product_id="8f0d2f52-0a5e-4e3c-9c51-3f0f3a1f6a11",
        facility_id="8f0d2f52-0a5e-4e3c-9c51-3f0f3a1f6a12",
    )
    assert batch.lot == "L-2"


def test_form_values_take_the_first_value_trimmed_and_ignore_other_fields() -> None:
    form = {"name": ["  Sambal  ", "x"], "_csrf_token": "t", "gtin": ""}
    assert form_values(form, ["name", "gtin", "lot"]) == {"name": "Sambal", "gtin": ""}


def test_messages_translate_and_format_their_numbers() -> None:
    error = message_for("storage_temp_c", "Expected `float` >= -40.0 - at `$.storage_temp_c`")
    assert error == FieldError(
        "storage_temp_c", "Enter a value of at least %(limit)s.", {"limit": -40}
    )
    catalog = {"Enter a value of at least %(limit)s.": "Masukkan nilai paling sedikit %(limit)s."}
    text = error.text(catalog.__getitem__, number=lambda n: str(n).replace(".", ","))
    assert text == "Masukkan nilai paling sedikit -40."
    assert message_for("name", "Expected `str` of length <= 200").params == {"limit": 200}
    # nothing of msgspec's wording leaks into an unknown case
    assert message_for("x", "Something odd").msgid == "Check this value."


def test_numbers_a_person_would_not_mean_are_refused_by_name() -> None:
    for value, message in (
        ("1e999", "Enter a smaller number."),
        ("nan", "Enter a number, such as 2,5."),  # no amount, nor is inf
        ("inf", "Enter a number, such as 2,5."),
        ("-Infinity", "Enter a number, such as 2,5."),
        ("0x10", "Enter a number, such as 2,5."),
        ("1 5", "Enter a number, such as 2,5."),  # not read as 15
    ):
        errors = _errors(CHICKEN | {"water_activity": value}, ProductCreate)
        assert errors == {"water_activity": message}, value
