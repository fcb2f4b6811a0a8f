"""Walking the service's OpenAPI document."""

from collections.abc import Iterable, Iterator
from typing import Any

# Every method an OpenAPI path item may hold.
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def operations(
    doc: dict[str, Any], methods: Iterable[str] = METHODS
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for each operation of ``methods``, in the document's order."""
    for path, item in doc["paths"].items():
        for method in methods:
            if method in item:
                yield path, method, item[method]
