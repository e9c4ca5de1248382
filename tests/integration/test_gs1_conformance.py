"""GS1's resolver conformance suite (github.com/gs1/GS1DL-resolver-testsuite), ported check by
check and run against Radura's own GTINs on the test database (SPEC §6.1).

Each test carries the suite's test id (its `resultProps.id`) in its name and quotes the
SHALL/SHOULD it checks. The suite probes a resolver with the GS1 Digital Link URI given to it,
always with its query string stripped; here each check runs for a GTIN, a lot and a serial of a
released batch. The suite's tests that cannot apply to Radura are listed in the README
("GS1 resolver conformance").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.verify_fixtures import (
    LabelledBatch,
    label_path,
    make_batch,
    recall,
    server_keyring,
)
from tests.integration.world import World

BASE = "https://radura.test"
STANDARDS = Path(__file__).resolve().parents[1] / "standards"
# the suite's request headers: an Origin (CORS) and, for the linkset, the linkset media type
ORIGIN = {"Origin": "https://ref.gs1.org/test-suites/resolver/"}
LINKSET_ACCEPT = {**ORIGIN, "Accept": "application/linkset+json"}
# 'RE2' of GS1 Digital Link URI syntax 1.2, as the suite uses it (plausibleDlURINoAlphas)
PLAUSIBLE_DL = re.compile(
    r"^https?:(//((([^/?#]*)@)?([^/?#:]*)(:([^/?#]*))?))?([^?#]*)(((/(01|8006|8013|8010|414|417|"
    r"8017|8018|255|00|253|401|402|8003|8004)/)(\d{4}[^/]+)(/[^/]+/[^/]+)?[/]?(\?([^?\n]*))?"
    r"(#([^\n]*))?))",
    re.I,
)
# the GS1 link types Radura uses, all in GS1's ratified list (https://ref.gs1.org/voc/data/linktypes)
RATIFIED_GS1_LINK_TYPES = {
    "defaultLink",
    "pip",
    "verificationService",
    "certificationInfo",
    "recallStatus",
}
_GS1_NAMESPACE = re.compile(r"https://((ref\.)|(www\.))?gs1\.org/voc/", re.I)
LEVELS = ["gtin", "lot", "serial"]


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((STANDARDS / name).read_text(encoding="utf-8"))
    return schema


async def _batch(pool: asyncpg.Pool, world: World, **kwargs: Any) -> LabelledBatch:
    async with pool.acquire() as conn:
        return await make_batch(conn, world, **kwargs)


def _dl(batch: LabelledBatch, level: str) -> str:
    """The GS1 Digital Link URI under test, as the suite takes it: a full URI."""
    uri = f"{BASE}/01/{batch.gtin14}"
    if level in ("lot", "serial"):
        uri += f"/10/{batch.lot}"
    if level == "serial":
        uri += f"/21/{batch.serials[0]}"
    return uri


def _path(uri: str) -> str:
    return uri.removeprefix(BASE)


def _rewrite_gs1_namespaces(document: dict[str, Any]) -> dict[str, Any]:
    """The suite reads every GS1 namespace spelling as `gs1:` before looking at link types."""
    rewritten: dict[str, Any] = json.loads(_GS1_NAMESPACE.sub("gs1:", json.dumps(document)))
    return rewritten


async def _linkset(client: AsyncTestClient, dl: str) -> Any:
    return await client.get(_path(dl) + "?linkType=linkset", headers=LINKSET_ACCEPT)


@pytest.fixture
async def batch(pool: asyncpg.Pool, world: World) -> LabelledBatch:
    return await _batch(pool, world)


# --- checks on the URI itself (no request made) ---------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
async def test_isURL_isHttps_plausibleDL_validDL(batch: LabelledBatch, level: str) -> None:
    """isURL: the DL URI must be a valid URL; isHttps: SHALL support HTTP over TLS (HTTPS);
    plausibleDL: GS1 DL URI syntax RE2 (no convenience alphas); validDL: a valid GS1 Digital Link
    URI with the GTIN as 14 digits."""
    dl = _dl(batch, level)
    assert dl.startswith("https://") and "." in dl.split("/")[2]
    assert PLAUSIBLE_DL.match(dl)
    assert f"/01/{batch.gtin14}" in dl and batch.gtin14 is not None and len(batch.gtin14) == 14


# --- resolver description ---------------------------------------------------------------------


async def test_rdFile_resolver_description_validates_against_gs1_schema(
    client: AsyncTestClient,
) -> None:
    """rdFile: SHALL provide a resolver description file at /.well-known/gs1resolver (valid
    against GS1's schema), read by the suite from a browser on another origin."""
    response = await client.get(
        "/.well-known/gs1resolver", headers={**ORIGIN, "Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    jsonschema.Draft7Validator(_schema("gs1-resolver-description-schema.json")).validate(document)
    assert document["resolverRoot"] == BASE
    assert document["supportedPrimaryKeys"] == ["01"]
    assert document["linkTypeDefaultCanBeLinkset"] is True


# --- headers of the DL URI (the suite asks with OPTIONS, as a CORS preflight) ----------------


@pytest.mark.parametrize("level", LEVELS)
async def test_corsCheck_methodsCheck_linkOnRedirect_legacyLinkHeaders(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """corsCheck: SHALL support CORS. methodsCheck: SHALL support GET, HEAD and OPTIONS.
    linkOnRedirect: SHOULD expose the link to the linkset in a Link header when redirecting.
    legacyLinkHeaders: all links in the Link header were deprecated in resolver 1.0.0."""
    dl = _dl(batch, level)
    preflight = await client.options(
        _path(dl), headers={**ORIGIN, "Access-Control-Request-Method": "GET,HEAD,OPTIONS"}
    )
    assert preflight.headers["access-control-allow-origin"] == "*"
    methods = preflight.headers["access-control-allow-methods"]
    assert all(method in methods for method in ("GET", "HEAD", "OPTIONS"))
    assert 'rel="linkset"' in preflight.headers["link"]
    assert 'rel="gs1:' not in preflight.headers["link"]
    redirect = await client.get(_path(dl), headers=ORIGIN, follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["access-control-allow-origin"] == "*"
    assert 'rel="linkset"' in redirect.headers["link"]
    assert 'rel="gs1:' not in redirect.headers["link"]
    head = await client.head(_path(dl), headers=ORIGIN, follow_redirects=False)
    assert head.status_code == 307 and head.headers["location"] == redirect.headers["location"]


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
async def test_reportWith400_noErrorWith200(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """reportWith400: SHALL extract and syntactically validate the URI and report errors with
    400. noErrorWith200: SHALL NOT use 200 OK with a resource that indicates an error."""
    response = await client.get(_path(_dl(batch, level)) + "/foo", headers=ORIGIN)
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "foo" in response.json()["detail"]


async def test_reportWith400_for_other_syntax_errors(
    client: AsyncTestClient, batch: LabelledBatch
) -> None:
    """reportWith400, for the other ways a URI is not GS1 Digital Link syntax: a wrong check
    digit, an AI that is no key qualifier of a GTIN, an AI twice, a qualifier without value."""
    gtin = batch.gtin14
    assert gtin is not None
    wrong_check_digit = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    for path in (
        f"/01/{wrong_check_digit}",
        f"/01/{gtin}/99/X",
        f"/01/{gtin}/10/A/10/B",
        f"/01/{gtin}/10",
        f"/01/{gtin}?17=2612",
    ):
        response = await client.get(path, headers=ORIGIN)
        assert response.status_code == 400, path


@pytest.mark.parametrize("level", LEVELS)
async def test_specificLinkTypeNotFound(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """specificLinkTypeNotFound: if the requested type of link is not available, the resolver
    SHALL return a 404 Not Found message."""
    response = await client.get(_path(_dl(batch, level)) + "?linkType=gs1:nosuchlt")
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "*"


async def test_unknown_gtin_has_no_linkset(client: AsyncTestClient) -> None:
    """An unknown GTIN (valid syntax, not one of Radura's) is 404, not an empty linkset."""
    response = await client.get("/01/09506000134352?linkType=linkset", headers=LINKSET_ACCEPT)
    assert response.status_code == 404


# --- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
async def test_trailingSlash(client: AsyncTestClient, batch: LabelledBatch, level: str) -> None:
    """trailingSlash: SHOULD tolerate trailing slashes at the end of GS1 Digital Link URIs."""
    path = _path(_dl(batch, level))
    without = await client.get(path, headers=ORIGIN, follow_redirects=False)
    with_slash = await client.get(path + "/", headers=ORIGIN, follow_redirects=False)
    assert without.status_code == with_slash.status_code == 307
    assert without.headers["location"] == with_slash.headers["location"]


async def test_basicWalkUp(client: AsyncTestClient, batch: LabelledBatch) -> None:
    """basicWalkUp: for each supported primary key, a resolver SHALL support all its key
    qualifiers — an unknown lot walks up the tree rather than answering 404."""
    unknown_lot = f"/01/{batch.gtin14}/10/KL8G"
    response = await client.get(unknown_lot, headers=ORIGIN, follow_redirects=False)
    assert response.status_code != 404
    linkset = await _linkset(client, BASE + unknown_lot)
    assert linkset.status_code == 200
    (context,) = linkset.json()["linkset"]
    assert context["itemDescription"] == batch.product_name


@pytest.mark.parametrize("level", LEVELS)
async def test_qsPassedOn(client: AsyncTestClient, batch: LabelledBatch, level: str) -> None:
    """qsPassedOn: by default, SHALL pass on all key=value pairs in the query string of the
    request URI when redirecting."""
    response = await client.get(
        _path(_dl(batch, level)) + "?foo=bar", headers=ORIGIN, follow_redirects=False
    )
    assert response.status_code == 307
    assert "foo=bar" in response.headers["location"]


# --- getting the linkset -----------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
async def test_ltLinksetNoRedirect_ltAllNoRedirect_ltAcceptHeader(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """ltLinksetNoRedirect / ltAllNoRedirect: with linkType=linkset (or the deprecated all) the
    resolver SHALL NOT redirect and SHALL return the linkset. ltAcceptHeader: the same with
    the Accept header set to application/linkset+json."""
    path = _path(_dl(batch, level))
    for query, headers in (
        ("?linkType=linkset", ORIGIN),
        ("?linkType=all", ORIGIN),
        ("?linkType=all", LINKSET_ACCEPT),
        ("", LINKSET_ACCEPT),
    ):
        response = await client.get(path + query, headers=headers, follow_redirects=False)
        assert response.status_code == 200, (query, headers)
        assert response.headers["content-type"].startswith("application/linkset+json")
        assert response.json()["linkset"][0]["anchor"] == BASE + path


@pytest.mark.parametrize("level", LEVELS)
async def test_validLinkset_linksetJsonldCheck_declaredContentType(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """validLinkset: the linkset must be valid against the published JSON schema.
    linksetJsonldCheck: SHOULD send a Link header to a JSON-LD context file. declaredContentType:
    with Accept application/linkset+json, SHALL return the linkset as defined by RFC 9264."""
    response = await _linkset(client, _dl(batch, level))
    jsonschema.Draft7Validator(_schema("gs1-linkset-schema.json")).validate(response.json())
    links = response.headers["link"].split(",")
    assert any(
        'rel="http://www.w3.org/ns/json-ld#context"' in link
        and 'type="application/ld+json"' in link
        for link in links
    )
    assert response.headers["content-type"].startswith("application/linkset+json")


def _most_granular_links(document: dict[str, Any], dl: str) -> dict[str, list[dict[str, Any]]]:
    """Link types for the DL as the suite collects them: the anchor matching the URI, then
    walking up the tree two path segments at a time; a link type counts at its most granular
    level only."""
    working = _rewrite_gs1_namespaces(document)
    found: dict[str, list[dict[str, Any]]] = {}
    current = dl
    while current.count("/") >= 4:  # https://host/01/{gtin} is the top
        for context in working["linkset"]:
            if context["anchor"] != current:
                continue
            for link_type, links in context.items():
                if link_type not in ("anchor", "itemDescription", "description"):
                    found.setdefault(link_type, links)
        current = current.rsplit("/", 2)[0]
    return found


@pytest.mark.parametrize("level", LEVELS)
async def test_defaultLinkExists_singleDefaulLink_defaultTarget(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """defaultLinkExists / singleDefaulLink: for each identified entity there SHALL be exactly
    one default link, with a title and no other attributes. defaultTarget: the resolver SHALL
    redirect to it unless the query says otherwise."""
    dl = _dl(batch, level)
    links = _most_granular_links((await _linkset(client, dl)).json(), dl)
    (default,) = links["gs1:defaultLink"]
    assert set(default) == {"href", "title"}
    response = await client.get(_path(dl), headers=ORIGIN, follow_redirects=False)
    assert response.headers["location"] == default["href"]
    # and the default link is the label's page
    page = await client.get(default["href"].removeprefix(BASE))
    assert page.headers["content-type"].startswith("text/html")


def _strip_link_type(url: str, link_type: str) -> str:
    """The suite's stripLinkType: drop `?linkType=…` (and what follows) or `&linkType=…`."""
    for spelling in (link_type, link_type.replace(":", "%3A")):
        if "?linkType=" + spelling in url:
            return url.partition("?")[0]
        amp = url.find("&linkType=" + spelling)
        if amp != -1:
            return url[:amp]
    return url


@pytest.mark.parametrize("level", LEVELS)
async def test_loFor_each_link_type_redirects_to_its_link(
    client: AsyncTestClient, batch: LabelledBatch, level: str
) -> None:
    """loFor{linkType}: if the requested type of link is available, the resolver SHALL
    redirect to it. Each link must also serve the type it declares (SPEC §6.1)."""
    dl = _dl(batch, level)
    links = _most_granular_links((await _linkset(client, dl)).json(), dl)
    assert len(links) >= 4
    for link_type, (link,) in links.items():
        if link_type == "gs1:defaultLink":
            continue  # defaultTarget checks it
        response = await client.get(
            _path(dl) + "?linkType=" + link_type, headers=ORIGIN, follow_redirects=False
        )
        assert response.status_code == 307, link_type
        location = response.headers["location"]
        assert _strip_link_type(location, link_type) == _strip_link_type(link["href"], link_type)
        target = await client.get(link["href"].removeprefix(BASE))
        assert target.headers["content-type"].startswith(link["type"]), link_type


@pytest.mark.parametrize("level", LEVELS)
async def test_linkTypesDefined(client: AsyncTestClient, batch: LabelledBatch, level: str) -> None:
    """linkTypesDefined: link types SHOULD be given as a URI defined in the GS1 Web vocabulary;
    any other is an extension declared in the resolver description (SPEC §6.1)."""
    dl = _dl(batch, level)
    links = _most_granular_links((await _linkset(client, dl)).json(), dl)
    description = (await client.get("/.well-known/gs1resolver")).json()
    namespaces = [declared["namespace"] for declared in description["supportedLinkType"]]
    for link_type in links:
        if link_type.startswith("gs1:"):
            assert link_type.removeprefix("gs1:") in RATIFIED_GS1_LINK_TYPES
        else:
            assert any(link_type.startswith(namespace) for namespace in namespaces), link_type


async def test_recalled_lot_linkset_carries_recallStatus(
    client: AsyncTestClient, pool: asyncpg.Pool, world: World
) -> None:
    """SPEC §6.1: the linkset of a recalled lot carries gs1:recallStatus, and the link type
    resolves; a lot that is not recalled has none (404 when asked for)."""
    recalled = await _batch(pool, world)
    async with pool.acquire() as conn:
        await recall(conn, recalled.batch_id, "Kemasan bocor pada lot ini")
    links = _most_granular_links(
        (await _linkset(client, _dl(recalled, "lot"))).json(), _dl(recalled, "lot")
    )
    (status,) = links["gs1:recallStatus"]
    response = await client.get(
        _path(_dl(recalled, "lot")) + "?linkType=gs1:recallStatus", follow_redirects=False
    )
    assert response.status_code == 307 and response.headers["location"] == status["href"]
    fine = await _batch(pool, world)
    assert "gs1:recallStatus" not in _most_granular_links(
        (await _linkset(client, _dl(fine, "lot"))).json(), _dl(fine, "lot")
    )
    response = await client.get(_path(_dl(fine, "lot")) + "?linkType=gs1:recallStatus")
    assert response.status_code == 404


async def test_other_query_parameters_never_make_a_genuine_label_a_forgery(
    client: AsyncTestClient, batch: LabelledBatch, data_dir: Path
) -> None:
    """SPEC §6.1: `linkType`, `context`, `lang` or a parameter Radura does not know is ignored
    by the signature check and passed on by the resolver; a trailing slash is tolerated."""
    path = label_path(server_keyring(data_dir), batch, batch.serials[0])
    unsigned, _, query = path.partition("?")
    for asked in (
        f"{unsigned}?context=ID&{query}",
        f"{unsigned}?{query}&foo=bar",
        f"{unsigned}/?utm_source=pack&{query}",
        f"{unsigned}?{query.replace('&s=', '&linkType=gs1:defaultLink&s=')}",
    ):
        response = await client.get(asked, headers={"Accept": "application/json"})
        assert response.status_code == 200, asked
        assert response.json()["verdict"] == "genuine", asked
