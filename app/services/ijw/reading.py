"""Reading inbound iJw messages: elements by local name (message and basisschema namespaces)."""

from datetime import date

from lxml import etree


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]


def child(element: etree._Element, path: str) -> etree._Element | None:
    """The first element along ``path`` (local names joined by ``/``), or ``None``."""
    current: etree._Element | None = element
    for step in path.split("/"):
        if current is None:
            return None
        found = children(current, step)
        current = found[0] if found else None
    return current


def text(element: etree._Element, path: str) -> str | None:
    found = child(element, path)
    return found.text.strip() if found is not None and found.text else None


def day(element: etree._Element, path: str) -> date | None:
    """A date the schema has already checked (``YYYY-MM-DD``)."""
    value = text(element, path)
    return date.fromisoformat(value) if value else None


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in element.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name]
