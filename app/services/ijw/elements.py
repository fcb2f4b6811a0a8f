"""Building iJw XML: elements in a message's namespace, the header, dates, names."""

from datetime import date, datetime
from typing import Any

from lxml import etree

from app.ijw.standard import BASE_NS, namespace, versions
from app.services.platform.clock import LOCAL_TIMEZONE, local_date

# Name prefixes (voorvoegsels) split off a family name, longest first.
_PREFIXES = (
    "van der", "van den", "van de", "in het", "in 't",
    "van", "de", "den", "der", "het", "ten", "ter", "te", "'t",
)  # fmt: skip


class Builder:
    """Makes elements in one message's namespace: ``b("Client", b("Bsn", "123"))``; the parts of
    the basisschema's composite types (``CDT_…``) are in its namespace: ``b.base("Datum", day)``."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.ns = namespace(message)
        self.nsmap = {None: self.ns, "ijw": BASE_NS}

    def __call__(self, name: str, *children: Any) -> etree._Element:
        return self._element(self.ns, name, children)

    def base(self, name: str, *children: Any) -> etree._Element:
        return self._element(BASE_NS, name, children)

    def _element(self, ns: str, name: str, children: tuple[Any, ...]) -> etree._Element:
        element = etree.Element(f"{{{ns}}}{name}", nsmap=self.nsmap)
        for child in children:
            if child is None:
                continue
            if isinstance(child, etree._Element):
                element.append(child)
            else:
                element.text = str(child)
        return element

    def header(self, sender: str, receiver: str, identification: str, issued: date) -> etree._Element:
        v = versions(self.message)
        return self(
            "Header",
            self("BerichtCode", v.code),
            self("BerichtVersie", "3"),
            self("BerichtSubversie", "2"),
            self("Afzender", sender),
            self("Ontvanger", receiver),
            self(
                "BerichtIdentificatie",
                self.base("Identificatie", identification),
                self.base("Dagtekening", issued),
            ),
            self.xsd_version(),
        )

    def xsd_version(self, name: str = "XsdVersie", message: str | None = None) -> etree._Element:
        v = versions(message or self.message)
        return self(
            name, self.base("BasisschemaXsdVersie", v.base_xsd), self.base("BerichtXsdVersie", v.message_xsd)
        )


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def municipality_number(municipality_code: str) -> str:
    """``GM0363`` → ``0363`` (the CBS code iJw carries)."""
    return municipality_code.removeprefix("GM")


def split_family_name(family_name: str) -> tuple[str, str | None]:
    """(surname, prefix): ``de Vries`` → (``Vries``, ``de``)."""
    lowered = family_name.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix + " ") and len(family_name) > len(prefix) + 1:
            return family_name[len(prefix) + 1 :].strip(), family_name[: len(prefix)]
    return family_name, None


def name(b: Builder, family_name: str, given_name: str | None, *, full: bool) -> etree._Element:
    """CDT_VolledigeNaam (``full``: with NaamGebruik) or CDT_VerkorteNaam."""
    surname, prefix = split_family_name(family_name)
    return b(
        "Naam",
        b.base(
            "Geslachtsnaam", b.base("Achternaam", surname), b.base("Voorvoegsel", prefix) if prefix else None
        ),
        b.base("Voornamen", given_name) if given_name else None,
        b.base("NaamGebruik", "1") if full else None,  # COD700 1: own family name
    )


def local_day_and_time(moment: datetime) -> tuple[date, str]:
    """The Dutch calendar date and wall-clock time (``HH:MM:SS``) of a timestamp."""
    return local_date(moment), moment.astimezone(LOCAL_TIMEZONE).strftime("%H:%M:%S")


def rebuild(
    element: etree._Element,
    source_ns: str,
    target_ns: str,
    copies: dict[int, etree._Element] | None = None,
) -> etree._Element:
    """A fresh copy of ``element`` with its ``source_ns`` elements moved into ``target_ns`` (the
    default namespace of the copy; the basisschema keeps its ``ijw`` prefix). ``copies`` records
    each original element's copy, by ``id()``.
    """
    nsmap = {None: target_ns, "ijw": BASE_NS}
    qname = etree.QName(element)
    ns = target_ns if qname.namespace == source_ns else qname.namespace
    copy = etree.Element(f"{{{ns}}}{qname.localname}", nsmap=nsmap)
    copy.text = element.text if len(element) == 0 else None  # no layout whitespace: pretty printed anew
    if copies is not None:
        copies[id(element)] = copy
    for child in element:
        if isinstance(child.tag, str):
            copy.append(rebuild(child, source_ns, target_ns, copies))
    return copy
