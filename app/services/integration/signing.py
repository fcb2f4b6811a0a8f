"""The signature a receiver checks: HMAC-SHA256 of the exact body bytes with the subscription's secret."""

import hashlib
import hmac

SIGNATURE_HEADER = "Perspectief-Signature"
EVENT_ID_HEADER = "Perspectief-Event-Id"
CONTENT_TYPE = "application/cloudevents+json"


def signature(body: bytes, secret: str) -> str:
    """``sha256=<hex>``, the value of the ``Perspectief-Signature`` header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does (constant-time comparison); used by the tests and the README example."""
    return hmac.compare_digest(signature(body, secret), header)
