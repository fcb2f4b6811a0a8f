"""Return messages (JW306, JW308, JW316, JW318): the inbound message, answered class by class.

The return message repeats the inbound document in its own namespace with the header extended
(``IdentificatieRetour``, ``DagtekeningRetour``, ``XsdVersieRetour``) and a ``RetourCodes``
element closing the header and every message class, as the return schemas lay out.
"""

from datetime import date

from lxml import etree

from app.ijw.standard import RETURN_OF, namespace, versions
from app.services.ijw.assessment import Assessment
from app.services.ijw.elements import Builder, rebuild


def _codes(b: Builder, codes: list[str]) -> etree._Element:
    return b("RetourCodes", *[b("RetourCode", code) for code in codes])


def build(
    message: str, root: etree._Element, assessment: Assessment, identification: str, issued: date
) -> etree._Element:
    answer = RETURN_OF[message]
    b = Builder(answer)
    originals: dict[int, etree._Element] = {}
    copied = rebuild(root, namespace(message), namespace(answer), originals)
    header = originals[id(assessment.header)]
    code = next(c for c in header if etree.QName(c).localname == "BerichtCode")
    code.text = versions(answer).code
    header.append(b("IdentificatieRetour", identification))
    header.append(b("DagtekeningRetour", issued))
    header.append(b.xsd_version("XsdVersieRetour"))
    header.append(_codes(b, assessment.codes(assessment.header)))
    for element in assessment.classes:
        originals[id(element)].append(_codes(b, assessment.codes(element)))
    return copied
