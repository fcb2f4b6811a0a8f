"""Subscriptions: the integration role's own, in its municipality; URLs checked against SSRF."""

import ipaddress
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.services.integration import callbacks
from tests.integration.conftest import (
    SECRET,
    Bus,
    commit_events,
    deliveries,
    run_until,
    subscribe,
)
from tests.support.factories import Reference

PROD = {
    "env": "prod",
    "database_url": "postgresql://perspectief@db/perspectief",
    "jwks_url": "https://login.example/certs",
    "jwt_issuer": "https://login.example",
    "jwt_audience": "perspectief-api",
    "oin": "00000004003214345000",
    "public_base_url": "https://jeugd.gm0363.example",
}


async def test_create_list_get_delete_and_the_secret_is_never_returned(
    client: httpx.AsyncClient, integration: dict[str, str]
) -> None:
    created = await subscribe(
        client, integration, "https://bus.gm0363.example/hooks", ["plan.agreed", "family.created"]
    )
    assert SECRET not in str(created) and "secret" not in created
    assert created["types"] == ["nl.perspectief.family.created", "nl.perspectief.plan.agreed"]
    assert created["health"] == "healthy" and created["deadLetters"] == 0
    listed = await client.get("/subscriptions", headers=integration)
    assert [s["id"] for s in listed.json()["items"]] == [created["id"]]
    assert SECRET not in listed.text
    one = await client.get(f"/subscriptions/{created['id']}", headers=integration)
    assert one.status_code == 200 and SECRET not in one.text
    assert (await client.delete(f"/subscriptions/{created['id']}", headers=integration)).status_code == 204
    assert (await client.get(f"/subscriptions/{created['id']}", headers=integration)).status_code == 404


async def test_every_invalid_field_is_listed(client: httpx.AsyncClient, integration: dict[str, str]) -> None:
    response = await client.post(
        "/subscriptions",
        headers=integration,
        json={
            "callbackUrl": "ftp://bus.example/x",
            "types": ["nl.perspectief.plan.eaten"],
            "secret": "short",
        },
    )
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"callbackUrl", "types", "secret"}


@pytest.mark.parametrize(
    "url", ["http://user:pw@bus.example/x", "https:///nohost", "https://bus.example/x#frag", "not a url"]
)
async def test_malformed_callbacks_are_refused(
    client: httpx.AsyncClient, integration: dict[str, str], url: str
) -> None:
    response = await client.post(
        "/subscriptions",
        headers=integration,
        json={"callbackUrl": url, "types": ["nl.perspectief.plan.agreed"], "secret": SECRET},
    )
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["callbackUrl"]


async def test_only_the_integration_role_of_the_same_municipality(
    client: httpx.AsyncClient,
    integration: dict[str, str],
    auth: Callable[..., dict[str, str]],
    ref: Reference,
) -> None:
    created = await subscribe(client, integration, "https://bus.gm0363.example/hooks")
    other = auth("integration", municipality="GM0599")
    assert (await client.get(f"/subscriptions/{created['id']}", headers=other)).status_code == 404
    assert (await client.delete(f"/subscriptions/{created['id']}", headers=other)).status_code == 404
    assert (await client.get("/subscriptions", headers=other)).json()["items"] == []
    officer = auth("municipality_officer")
    assert (await client.get("/subscriptions", headers=officer)).status_code == 403
    assert (await client.get("/events", headers=officer)).status_code == 403


async def test_events_reach_only_subscriptions_of_their_municipality_and_types(
    client: httpx.AsyncClient, integration: dict[str, str], auth: Callable[..., dict[str, str]], bus: Bus
) -> None:
    here = await subscribe(client, integration, "http://127.0.0.1:9/a", ["plan.agreed"])
    await subscribe(
        client, auth("integration", municipality="GM0599"), "http://127.0.0.1:9/b", ["plan.agreed"]
    )
    await bus.commit(1, per_subject=2)
    await commit_events(bus.sessionmaker, [uuid.uuid4()], per_subject=1, event="plan.created")
    worker = bus.dispatcher()
    rows = await deliveries(worker.engine)
    assert [str(d.subscription_id) for d in rows] == [here["id"], here["id"]]


# --- server-side request forgery -------------------------------------------------------------


def prod(**overrides: Any) -> Settings:
    return Settings(**{**PROD, **overrides})


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fc00::1",
     "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1"],
)  # fmt: skip
def test_internal_addresses_are_refused_in_production(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not callbacks.address_allowed(ip, prod())
    assert callbacks.address_allowed(ip, Settings(env="test"))


def test_an_allowed_network_is_let_through_in_production() -> None:
    settings = prod(webhook_allowed_networks=["10.20.0.0/16"])
    assert callbacks.address_allowed(ipaddress.ip_address("10.20.1.1"), settings)
    assert not callbacks.address_allowed(ipaddress.ip_address("10.21.1.1"), settings)
    assert callbacks.address_allowed(ipaddress.ip_address("145.12.1.1"), prod())


async def test_production_wants_https_and_resolves_the_host() -> None:
    with pytest.raises(callbacks.CallbackRefused) as refused:
        await callbacks.check("http://bus.example/x", prod())
    assert refused.value.code == "scheme_not_allowed"
    with pytest.raises(callbacks.CallbackRefused) as refused:
        await callbacks.check("https://localhost:8443/x", prod())
    assert refused.value.code == "address_not_allowed"
    target = await callbacks.check(
        "https://localhost:8443/x", prod(webhook_allowed_networks=["127.0.0.0/8", "::1/128"])
    )
    assert target.host_header == "localhost:8443" and target.server_name == "localhost"
    assert ipaddress.ip_address(target.address).is_loopback


async def test_the_address_is_checked_again_at_delivery(bus: Bus) -> None:
    """Accepted when it was made (dev), refused when a production dispatcher would connect."""
    async with bus.subscribed(https=True) as (receiver, _):
        await bus.commit(1, per_subject=1)
        worker = bus.dispatcher(**PROD)

        async def refused() -> bool:
            return any(d.last_error for d in await deliveries(worker.engine))

        await run_until([worker], refused)
    [row] = await deliveries(worker.engine)
    assert row.status == "failed" and row.last_error == "address_not_allowed"
    assert receiver.requests == 0
