"""Personal data out of a stored iJw message, the message itself kept (well-formed, same layout).

All personal data of an iJw message sits in a ``Client`` element: the BSN, the name, the birth
date, the gender, contact details, the names of relations and of the referrer, and comments.
A message may hold several clients (a claim, JW323, and its answer, JW325), so only the clients
being erased are touched — found by their BSN — and, when one member is erased, that member's
entry among another client's relations (``Relatie``, numbered by the member's id in the JW301s
we send). What stays are the codes, references, the dates of the process and the amounts.
"""

from dataclasses import dataclass
from datetime import date

from lxml import etree

from app.ijw.documents import parse

# Elements whose whole content is personal: every text inside them is emptied.
EMPTIED = frozenset({"Bsn", "Naam", "Commentaar", "Adres", "Telefoon", "Emailadres", "Organisatie"})
UNKNOWN_GENDER = "0"  # COD046 0: not known


@dataclass(frozen=True)
class Erased:
    """Who goes: clients by BSN; relations by the number our JW301 gives them."""

    bsns: frozenset[str]
    relation_numbers: frozenset[str] = frozenset()


def relation_number(member_id: str) -> str:
    """The ``Relatie/Nummer`` a JW301 gives a member (as ``jw301._relation`` writes it)."""
    return member_id.replace("-", "")[:20]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            return (child.text or "").strip()
    return None


def _scrub(element: etree._Element) -> None:
    for inner in element.iter():
        name = _local(inner)
        if name in EMPTIED:
            for part in inner.iter():
                if len(part) == 0 and isinstance(part.tag, str):
                    part.text = None
        elif name == "Geboortedatum":
            for part in inner:
                if _local(part) == "Datum" and part.text:
                    part.text = date(int(part.text.strip()[:4]), 1, 1).isoformat()
        elif name == "Geslacht":
            inner.text = UNKNOWN_GENDER


def _is_erased(element: etree._Element, erased: Erased) -> bool:
    name = _local(element)
    if name == "Client":
        return _child_text(element, "Bsn") in erased.bsns
    return name == "Relatie" and _child_text(element, "Nummer") in erased.relation_numbers


def _targets(root: etree._Element, erased: Erased) -> list[etree._Element]:
    return [element for element in root.iter() if _is_erased(element, erased)]


def scrub_document(document: str, erased: Erased) -> str | None:
    """The document without the erased persons' data, or ``None`` when none of them is in it."""
    root = parse(document.encode("utf-8"))
    targets = _targets(root, erased)
    if not targets:
        return None
    for target in targets:
        _scrub(target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
