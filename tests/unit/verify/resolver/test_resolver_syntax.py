"""The resolver's reading of `/01/…` paths: GS1 key qualifiers in canonical order, 400 reasons."""

from __future__ import annotations

import pytest

from service.verify.resolver.controller import ResolverSyntaxError, parse_request

G = "08991234567891"


def test_qualifiers_are_put_in_canonical_order_22_10_21() -> None:
    request = parse_request(f"/01/{G}/21/7/10/L%2F1/22/V1/", "17=270131&linkType=gs1%3Apip")
    assert request.path == f"/01/{G}/22/V1/10/L%2F1/21/7"
    assert (request.lot, request.serial) == ("L/1", "7")
    assert (request.query, request.link_type) == ("17=270131", "gs1:pip")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/10/L1", "the path must start with /01/{gtin}"),
        ("/01/08991234567892", "check digit is wrong"),
        (
            f"/01/{G}/99/X",
            "unknown or unsupported AI '99' in the path (key qualifiers: 22, 10, 21)",
        ),
        (f"/01/{G}/10/A/10/B", "AI 10 appears twice"),
        (f"/01/{G}/10", "AI 10 in the path has no value"),
        (f"/01/{G}/10/L%2", "malformed percent-encoding in AI 10"),
    ],
)
def test_syntax_errors_name_the_path(path: str, reason: str) -> None:
    with pytest.raises(ResolverSyntaxError) as caught:
        parse_request(path, "")
    assert reason in str(caught.value) and caught.value.field == "path"
