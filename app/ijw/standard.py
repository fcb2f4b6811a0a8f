"""Namespaces, message codes and versions of iJw release 3.2.

Each message has its own namespace; the shared types (and code lists) live in the basisschema.
The numeric ``BerichtCode`` and the XSD versions a message must carry are read from the
schemas themselves (``xs:pattern`` of ``BerichtCode``, ``ijw:BerichtXsdVersie`` in ``appinfo``).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
XS = "http://www.w3.org/2001/XMLSchema"
BASE_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
MESSAGES = (
    "JW301", "JW302", "JW305", "JW306", "JW307", "JW308", "JW315", "JW316",
    "JW317", "JW318", "JW319", "JW320", "JW323", "JW325",
)  # fmt: skip
# The return message answering each inbound message.
RETURN_OF = {"JW305": "JW306", "JW307": "JW308", "JW315": "JW316", "JW317": "JW318", "JW323": "JW325"}
INBOUND = tuple(RETURN_OF)


def namespace(message: str) -> str:
    return f"http://www.istandaarden.nl/ijw/3_2/{message.lower()}/schema"


def message_of_namespace(uri: str | None) -> str | None:
    """``JW305`` for the JW305 namespace; ``None`` for any other namespace."""
    return next((m for m in MESSAGES if namespace(m) == uri), None)


@dataclass(frozen=True)
class Versions:
    """What a message's header carries: its numeric code and the XSD versions."""

    code: str
    message_xsd: str
    base_xsd: str


def _parse_schema_file(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.parse(str(path), parser)


@cache
def versions(message: str) -> Versions:
    tree = _parse_schema_file(SCHEMA_DIR / f"{message}.xsd")
    ns = {"xs": XS, "ijw": BASE_NS}
    code = tree.xpath(
        "//xs:complexType[@name='Header']//xs:element[@name='BerichtCode']//xs:pattern/@value", namespaces=ns
    )[0]
    message_xsd = tree.xpath("//xs:appinfo/ijw:BerichtXsdVersie/text()", namespaces=ns)[0]
    base_xsd = tree.xpath("//xs:appinfo/ijw:BasisschemaXsdVersie/text()", namespaces=ns)[0]
    return Versions(str(code), str(message_xsd), str(base_xsd))


@cache
def enumeration(simple_type: str) -> frozenset[str]:
    """The values of a code list, e.g. ``enumeration("LDT_RedenBeeindiging")`` (JZ588)."""
    tree = _parse_schema_file(SCHEMA_DIR / "Basisschema.xsd")
    values = tree.xpath(
        f"/xs:schema/xs:simpleType[@name='{simple_type}']/xs:restriction/xs:enumeration/@value",
        namespaces={"xs": XS},
    )
    if not values:
        raise KeyError(f"no code list {simple_type} in the basisschema")
    return frozenset(str(v) for v in values)


# The code lists used by name in the services.
PRODUCT_CATEGORIES = "LDT_ProductCategorie"  # JZ020
END_REASONS = "LDT_RedenBeeindiging"  # JZ588
RETURN_CODES = "LDT_RetourCode"  # WJ001
REFERRER_TYPES = "LDT_TypeVerwijzer"  # COD327
REFUSAL_REASONS = "LDT_RedenAfwijzingVerzoek"  # WJ759
