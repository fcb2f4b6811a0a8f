"""A webhook receiver for the delivery benchmark (run by ``bench.events`` under uvicorn).

It checks each signature, notes the event id, sequence and the moment of receipt, answers 204,
and hands what it noted to ``GET /stats``. Only 127.0.0.1 is served.
"""

import hashlib
import hmac
import json
import os
import time
from typing import Any

SECRET = os.environ.get("BENCH_RECEIVER_SECRET", "bench-secret-0123456789").encode()
received: list[tuple[str, str, float]] = []
bad_signatures = 0


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global bad_signatures
    if scope["type"] != "http":
        return
    if scope["method"] == "GET":
        payload = json.dumps({"received": received, "badSignatures": bad_signatures}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})
        return
    body = await _body(receive)
    at = time.time()
    headers = dict(scope["headers"])
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), headers.get(b"perspectief-signature", b"")):
        bad_signatures += 1
    else:
        event = json.loads(body)
        received.append((event["id"], event["sequence"], at))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
