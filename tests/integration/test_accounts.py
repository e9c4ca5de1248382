"""Organizations, users, irradiators and food categories over HTTP."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.world import World

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_admin_creates_organization_and_user_whose_token_works(client, world: World):
    created = await client.post(
        "/api/v1/organizations",
        json={
            "kind": "producer",
            "name": "Keripik Tempe Bu Sri",
            "address": "Jl. Melati 3",
            "city": "Malang",
            "nib": "1234567890123",
        },
        headers=world.admin.headers,
    )
    assert created.status_code == 201, created.text
    org = created.json()
    assert org["kind"] == "producer" and org["nib"] == "1234567890123"

    user = await client.post(
        "/api/v1/users",
        json={"name": "Sri Wahyuni", "role": "producer", "organization_id": org["id"]},
        headers=world.admin.headers,
    )
    assert user.status_code == 201, user.text
    token = user.json()["token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["organization_id"] == org["id"] and me.json()["role"] == "producer"


async def test_token_is_stored_only_as_hash(client, world: World, pool):
    user = await client.post(
        "/api/v1/users",
        json={"name": "Rina", "role": "regulator", "organization_id": str(world.regulator_org)},
        headers=world.admin.headers,
    )
    token = user.json()["token"]
    async with pool.acquire() as conn:
        stored = await conn.fetch(
            "SELECT t.*::text AS row FROM api_tokens t WHERE user_id = $1",
            uuid.UUID(user.json()["id"]),
        )
    assert len(stored) == 1
    assert token not in stored[0]["row"]


@pytest.mark.parametrize(
    ("role", "org_attr", "code"),
    [
        ("operator", "producer_org", "role_does_not_fit_organization"),
        ("producer", "facility", "role_does_not_fit_organization"),
        ("qa", "regulator_org", "role_does_not_fit_organization"),
        ("admin", "producer_org", "admin_has_no_organization"),
        ("producer", None, "organization_required"),
    ],
)
async def test_role_must_fit_organization_kind(client, world: World, role, org_attr, code):
    body = {"name": "Someone", "role": role}
    if org_attr:
        body["organization_id"] = str(getattr(world, org_attr))
    response = await client.post("/api/v1/users", json=body, headers=world.admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_user_in_unknown_organization_is_not_found(client, world: World):
    response = await client.post(
        "/api/v1/users",
        json={"name": "Ghost", "role": "producer", "organization_id": str(uuid.uuid4())},
        headers=world.admin.headers,
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_irradiator_at_unknown_facility_is_not_found(client, world: World):
    response = await client.post(
        "/api/v1/irradiators",
        json={"facility_id": str(uuid.uuid4()), "name": "Gamma 2", "source_type": "cobalt-60"},
        headers=world.admin.headers,
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def _organization(world: World) -> dict:
    return {"kind": "producer", "name": "Bu Sri", "address": "Jl. Melati 3", "city": "Malang"}


def _irradiator(world: World) -> dict:
    return {"facility_id": str(world.facility), "name": "Gamma 2", "source_type": "cobalt-60"}


def _user(world: World) -> dict:
    return {"name": "Rina", "role": "regulator", "organization_id": str(world.regulator_org)}


# (path, a valid body, the text field under test): Name and ShortText, where they are typed
TEXT_FIELDS = [
    pytest.param("/api/v1/organizations", _organization, "name", id="organization-name"),
    pytest.param("/api/v1/organizations", _organization, "address", id="organization-address"),
    pytest.param("/api/v1/irradiators", _irradiator, "name", id="irradiator-name"),
    pytest.param("/api/v1/users", _user, "name", id="user-name"),
]
NOT_ONE_LINE_OF_TEXT = [
    "Bu\x00Sri",
    "Bu\x01Sri",
    "\x1b[31mBu Sri",
    "Bu Sri\x7f",
    "Bu\x85Sri",
    "Bu Sri\n",
    "Bu\nSri",
    "Bu\r\nSri",
    "Bu\tSri",
    "Bu\u2028Sri",
    "Bu \u202eirS",
]


@pytest.mark.parametrize(("path", "body", "field"), TEXT_FIELDS)
@pytest.mark.parametrize("value", NOT_ONE_LINE_OF_TEXT)
async def test_control_characters_in_text_are_400_naming_the_field(
    client, world: World, path, body, field, value
):
    response = await client.post(
        path, json=body(world) | {field: value}, headers=world.admin.headers
    )
    assert response.status_code == 400, (field, value, response.text)
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(("path", "body", "field"), TEXT_FIELDS)
async def test_one_line_of_text_in_any_script_is_accepted(client, world: World, path, body, field):
    value = f"Ibu Sri — Kopi Gayo « Aceh » №3, 東京 ({world.tag})"
    response = await client.post(
        path, json=body(world) | {field: value}, headers=world.admin.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()[field] == value


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "+62 21 756 0562\n"), ("nib", "1234567890123\n"), ("email", "sri@example.id\n")],
)
async def test_a_final_newline_does_not_slip_past_a_pattern(client, world: World, field, value):
    path, body = (
        ("/api/v1/users", _user) if field == "email" else ("/api/v1/organizations", _organization)
    )
    response = await client.post(
        path, json=body(world) | {field: value}, headers=world.admin.headers
    )
    assert response.status_code == 400, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    fixed = await client.post(
        path, json=body(world) | {field: value.strip()}, headers=world.admin.headers
    )
    assert fixed.status_code == 201, fixed.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "farm", "name": "X", "address": "A", "city": "C"}, "kind"),
        ({"kind": "producer", "name": "", "address": "A", "city": "C"}, "name"),
        ({"kind": "producer", "name": "X", "address": "A"}, "city"),
        ({"kind": "producer", "name": "X", "address": "A", "city": "C", "nib": "12"}, "nib"),
        ({"kind": "producer", "name": "X", "address": "A", "city": "C", "owner": "me"}, "owner"),
        ({"kind": "producer", "name": "X" * 201, "address": "A", "city": "C"}, "name"),
    ],
)
async def test_bad_organization_is_400_naming_the_field(client, world: World, body, field):
    response = await client.post("/api/v1/organizations", json=body, headers=world.admin.headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["status"] == 400
    assert field in {e["field"] for e in problem["errors"]} or field in problem["detail"]


async def test_malformed_json_is_400_naming_the_body(client, world: World):
    response = await client.post(
        "/api/v1/organizations", content=b"{not json", headers=world.admin.headers
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "body"


async def test_irradiator_rules(client, world: World):
    base = {"facility_id": str(world.facility), "name": "Linac 1"}
    ok = await client.post(
        "/api/v1/irradiators",
        json=base | {"source_type": "electron-beam", "max_energy_mev": 10},
        headers=world.admin.headers,
    )
    assert ok.status_code == 201, ok.text
    too_hot = await client.post(
        "/api/v1/irradiators",
        json=base | {"source_type": "x-ray", "max_energy_mev": 7.6},
        headers=world.admin.headers,
    )
    assert too_hot.status_code == 422 and too_hot.json()["code"] == "energy_above_limit"
    no_energy = await client.post(
        "/api/v1/irradiators",
        json=base | {"source_type": "electron-beam"},
        headers=world.admin.headers,
    )
    assert no_energy.status_code == 400
    assert no_energy.json()["errors"][0]["field"] == "max_energy_mev"
    # SPEC §3.1: above the limit is a domain rule (422), however far above
    for source_type, energy in (("electron-beam", 150), ("x-ray", 12)):
        refused = await client.post(
            "/api/v1/irradiators",
            json=base | {"source_type": source_type, "max_energy_mev": energy},
            headers=world.admin.headers,
        )
        assert refused.status_code == 422, (energy, refused.text)
        assert refused.json()["code"] == "energy_above_limit"
    absurd = await client.post(
        "/api/v1/irradiators",
        json=base | {"source_type": "electron-beam", "max_energy_mev": 1e300},
        headers=world.admin.headers,
    )
    assert absurd.status_code == 400 and absurd.json()["errors"][0]["field"] == "max_energy_mev"
    at_producer = await client.post(
        "/api/v1/irradiators",
        json={"facility_id": str(world.producer_org), "name": "Nope", "source_type": "cobalt-60"},
        headers=world.admin.headers,
    )
    assert at_producer.status_code == 422 and at_producer.json()["code"] == "not_a_facility"

    listed = await client.get(
        f"/api/v1/irradiators?facility_id={world.facility}", headers=world.operator.headers
    )
    assert listed.status_code == 200
    assert {i["name"] for i in listed.json()["items"]} == {"Co-60 conveyor", "Linac 1"}


async def test_food_categories_carry_limits_sources_and_confirmation(client, world: World):
    response = await client.get("/api/v1/food-categories", headers=world.producer.headers)
    assert response.status_code == 200
    categories = {c["code"]: c for c in response.json()}
    assert len(categories) == 11
    meat = {p["purpose"]: p for p in categories["meat_poultry"]["purposes"]}
    assert meat["extend_shelf_life"]["max_dose_kgy"] == 3.0
    assert meat["eliminate_salmonella"]["max_dose_kgy"] == 7.0
    assert meat["extend_shelf_life"]["confirmed"] is True
    sterile = categories["ready_meal_sterile"]["purposes"]
    assert sterile == [
        {
            "purpose": "sterilisation",
            "max_dose_kgy": 60.0,
            "confirmed": False,
            "source": sterile[0]["source"],
            "typical_min_dose_kgy": 45.0,
            "typical_min_dose_source": sterile[0]["typical_min_dose_source"],
        }
    ]
    assert "BAPETEN" in sterile[0]["source"]
    assert "foodirradiation.org" in sterile[0]["typical_min_dose_source"]
    assert categories["bulbs_tubers"]["purposes"][0]["max_dose_kgy"] == 0.15


async def test_typical_minimum_doses_are_held_only_below_the_legal_maximum(client, world: World):
    # DOMAIN §8.6: the typical minimum per purpose (sprouting 0.05, fruit-fly quarantine 0.15,
    # other insects 0.40, shelf life 1.5, pathogens 1.5, spice sanitation 6.5, sterilisation 45),
    # held only where it is below that row's legal maximum and for purposes that have one
    response = await client.get("/api/v1/food-categories", headers=world.producer.headers)
    typical = {
        (c["code"], p["purpose"]): p["typical_min_dose_kgy"]
        for c in response.json()
        for p in c["purposes"]
    }
    assert typical == {
        ("bulbs_tubers", "sprout_inhibition"): 0.05,
        ("fresh_produce", "delay_ripening"): None,  # no typical minimum
        ("fresh_produce", "disinfestation"): 0.4,
        ("fresh_produce", "extend_shelf_life"): 1.5,
        ("fresh_produce", "quarantine"): 0.15,
        ("processed_produce", "extend_shelf_life"): 1.5,
        ("mango", "extend_shelf_life"): None,  # 1.5 is above mango's 0.75 kGy maximum
        ("mangosteen", "disinfestation"): 0.4,
        ("mangosteen", "quarantine"): 0.15,
        ("dry_goods", "disinfestation"): 0.4,
        ("dry_goods", "reduce_microbial_load"): None,  # 6.5 is above dry goods' 5.0 kGy
        ("fish_seafood", "reduce_pathogens"): 1.5,
        ("fish_seafood", "extend_shelf_life"): 1.5,
        ("fish_seafood", "control_parasites"): None,  # no typical minimum
        ("processed_fish", "reduce_pathogens"): 1.5,
        ("processed_fish", "extend_shelf_life"): 1.5,
        ("meat_poultry", "reduce_pathogens"): 1.5,
        ("meat_poultry", "extend_shelf_life"): 1.5,
        ("meat_poultry", "control_parasites"): None,
        ("meat_poultry", "eliminate_salmonella"): 1.5,
        ("spices_herbs", "reduce_microbial_load"): 6.5,
        ("spices_herbs", "disinfestation"): 0.4,
        ("ready_meal_sterile", "sterilisation"): 45.0,
    }


async def test_organization_list_paginates_without_repeats(client, world: World):
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        url = "/api/v1/organizations?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=world.regulator.headers)).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        assert cursor
    assert len(seen) == len(set(seen)) == 6


async def test_unknown_organization_is_404(client, world: World):
    response = await client.get(
        f"/api/v1/organizations/{uuid.uuid4()}", headers=world.admin.headers
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_facility_list_is_a_cursor_page(client, world: World):
    first = await client.get("/api/v1/facilities?limit=1", headers=world.producer.headers)
    assert first.status_code == 200, first.text
    page = first.json()
    assert set(page) == {"items", "next_cursor"}
    # newest first: this test's world made its second facility last
    assert [f["id"] for f in page["items"]] == [str(world.other_facility)]
    assert set(page["items"][0]) == {
        "id",
        "name",
        "address",
        "city",
        "province",
        "licence_no",
        "licence_valid_until",
        "country",
    }
    second = await client.get(
        f"/api/v1/facilities?limit=1&cursor={page['next_cursor']}", headers=world.producer.headers
    )
    assert [f["id"] for f in second.json()["items"]] == [str(world.facility)]
    for bad in ("limit=0", "limit=201", "cursor=not-a-cursor"):
        response = await client.get(f"/api/v1/facilities?{bad}", headers=world.producer.headers)
        assert response.status_code == 400, (bad, response.text)


async def test_category_names_follow_the_annex(client, world: World):
    # BPOM 3/2018 Annex I rows 1 and 10 (DOMAIN.md §7), renamed by a migration of their own
    response = await client.get("/api/v1/food-categories", headers=world.producer.headers)
    names = {c["code"]: c["name_id"] for c in response.json()}
    assert names["bulbs_tubers"].startswith("Umbi lapis dan umbi akar")
    assert "bumbu" in names["spices_herbs"]
