"""The client behind trusted proxies: X-Forwarded-For and Forwarded are believed only from a
trusted peer, and only as far as trusted proxies vouch for them."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from service.core.proxies import TrustedProxies, client_behind, forwarded_chain
from service.core.settings import SettingsError, load_settings, parse_networks

NGINX = ipaddress.ip_address("10.0.0.5")
TRUSTED = parse_networks("RADURA_TRUSTED_PROXIES", "10.0.0.0/24, 2001:db8:ff::/48", "10.0.0.5")


def _chain(*headers: tuple[str, str]) -> list[str]:
    return forwarded_chain([(name.encode(), value.encode()) for name, value in headers])


def test_the_right_most_untrusted_hop_is_the_client() -> None:
    # the phone wrote "1.1.1.1" itself; nginx appended the address it saw
    chain = _chain(("x-forwarded-for", "1.1.1.1, 203.0.113.7"))
    assert client_behind(NGINX, chain, TRUSTED) == "203.0.113.7"
    # a second trusted proxy in front vouches for the hop before it
    chain = _chain(("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.9"))
    assert client_behind(NGINX, chain, TRUSTED) == "203.0.113.7"
    # repeated headers are one list, in order
    chain = _chain(("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.8"))
    assert client_behind(NGINX, chain, TRUSTED) == "203.0.113.8"


def test_an_untrusted_peer_is_the_client_whatever_it_claims() -> None:
    chain = _chain(("x-forwarded-for", "203.0.113.7"))
    assert client_behind(ipaddress.ip_address("198.51.100.1"), chain, TRUSTED) is None
    assert client_behind(NGINX, chain, ()) is None  # nothing trusted by default


def test_a_hop_that_is_no_address_stops_the_walk_at_the_last_vouched_one() -> None:
    chain = _chain(("x-forwarded-for", "203.0.113.7, unknown"))
    assert client_behind(NGINX, chain, TRUSTED) == "10.0.0.5"
    chain = _chain(("x-forwarded-for", "<script>, 10.0.0.8"))
    assert client_behind(NGINX, chain, TRUSTED) == "10.0.0.8"
    assert client_behind(NGINX, [], TRUSTED) == "10.0.0.5"


def test_forwarded_is_read_when_there_is_no_x_forwarded_for() -> None:
    chain = _chain(
        ("forwarded", 'for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"')
    )
    assert chain == ["192.0.2.60", '"[2001:db8:cafe::17]:4711"']
    assert client_behind(NGINX, chain, TRUSTED) == "2001:db8:cafe::17"
    chain = _chain(("forwarded", "For=198.51.100.17:8080"))
    assert client_behind(NGINX, chain, TRUSTED) == "198.51.100.17"
    # a proxy appending X-Forwarded-For passes a client's own Forwarded through: not believed
    chain = _chain(("forwarded", "for=192.0.2.1"), ("x-forwarded-for", "203.0.113.7"))
    assert client_behind(NGINX, chain, TRUSTED) == "203.0.113.7"


async def test_the_middleware_rewrites_the_scope_client_for_the_app_behind_it() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope.get("client"))

    middleware = TrustedProxies(app, TRUSTED)

    def scope(peer: str, forwarded_for: str) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", forwarded_for.encode())]
        return {"type": "http", "client": (peer, 4000), "headers": headers}

    behind_nginx = scope("10.0.0.5", "203.0.113.7")
    await middleware(behind_nginx, None, None)
    # rewritten in place: the server's access log, written after the app, sees it too
    assert behind_nginx["client"] == ("203.0.113.7", 0)
    await middleware(scope("::ffff:10.0.0.5", "203.0.113.7"), None, None)
    await middleware(scope("198.51.100.1", "203.0.113.7"), None, None)
    await middleware({"type": "lifespan"}, None, None)
    assert seen == [("203.0.113.7", 0), ("203.0.113.7", 0), ("198.51.100.1", 4000), None]


def test_a_bad_network_stops_the_process_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RADURA_TRUSTED_PROXIES", "10.0.0.0/8 10.0.0.1/8")
    with pytest.raises(SettingsError) as stopped:
        load_settings()
    message = str(stopped.value)
    assert message.startswith("RADURA_TRUSTED_PROXIES holds '10.0.0.1/8', which is not")
    assert "host bits set" in message  # why a plain-looking CIDR is refused
    assert "\n" not in message
    monkeypatch.setenv("RADURA_TRUSTED_PROXIES", "nginx")
    with pytest.raises(SettingsError, match="RADURA_TRUSTED_PROXIES holds 'nginx'"):
        load_settings()
    monkeypatch.setenv("RADURA_TRUSTED_PROXIES", "10.0.0.0/8, ::1 ")
    assert [str(n) for n in load_settings().trusted_proxies] == ["10.0.0.0/8", "::1/128"]
    monkeypatch.delenv("RADURA_TRUSTED_PROXIES")
    assert load_settings().trusted_proxies == ()


def test_the_redis_url_is_checked_and_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADURA_REDIS_URL", "http://user:s3cret@cache:6379")
    with pytest.raises(SettingsError) as stopped:
        load_settings()
    assert "RADURA_REDIS_URL" in str(stopped.value)
    assert "s3cret" not in str(stopped.value)
    monkeypatch.setenv("RADURA_REDIS_URL", "redis://:s3cret@cache:6379/2")
    settings = load_settings()
    assert settings.redis_url == "redis://:s3cret@cache:6379/2"
    assert "s3cret" not in repr(settings)
