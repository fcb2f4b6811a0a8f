"""Request bodies streamed in chunks, without a Content-Length, for the body cap."""

from collections.abc import AsyncIterator

from app.config import get_settings

CHUNK = b" " * 65536


async def past_the_cap(opening: bytes) -> AsyncIterator[bytes]:
    """A JSON object opened by ``opening``, padded with white space past ``max_body_bytes``, then
    closed: the cap can only be found by counting what arrives."""
    yield opening
    for _ in range(get_settings().max_body_bytes // len(CHUNK) + 2):
        yield CHUNK
    yield b"}"
