"""Operations endpoints and the cross-cutting response headers."""

import httpx


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert health.headers["api-version"] == "1.0.0"
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 36


async def test_metrics_count_requests_per_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert 'route="/health"' in metrics.text  # the API's path template, as in the OpenAPI document
