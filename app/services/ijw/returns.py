"""Return messages (JW306, JW308, JW316, JW318): the inbound message, answered class by class.

The return message repeats the inbound document in its own namespace with the header extended
(``IdentificatieRetour``, ``DagtekeningRetour``, ``XsdVersieRetour``) and a ``RetourCodes``
element closing the header and every message class, as the return schemas lay out.
"""

import copy
from datetime import date

from lxml import etree

from app.ijw.standard import BASE_NS, RETURN_OF, namespace, versions
from app.services.ijw.assessment import Assessment
from app.services.ijw.elements import Builder


def _codes(b: Builder, codes: list[str]) -> etree._Element:
    return b("RetourCodes", *[b("RetourCode", code) for code in codes])


def build(
    message: str, root: etree._Element, assessment: Assessment, identification: str, issued: date
) -> etree._Element:
    answer = RETURN_OF[message]
    b = Builder(answer)
    source_ns, target_ns = namespace(message), namespace(answer)
    copied = copy.deepcopy(root)
    originals = {id(o): c for o, c in zip(root.iter(), copied.iter(), strict=True)}
    for element in copied.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == source_ns:
            element.tag = f"{{{target_ns}}}{etree.QName(element).localname}"
    header = originals[id(assessment.header)]
    code = next(c for c in header if etree.QName(c).localname == "BerichtCode")
    code.text = versions(answer).code
    header.append(b("IdentificatieRetour", identification))
    header.append(b("DagtekeningRetour", issued))
    header.append(b.xsd_version("XsdVersieRetour"))
    header.append(_codes(b, assessment.codes(assessment.header)))
    for element in assessment.classes:
        originals[id(element)].append(_codes(b, assessment.codes(element)))
    etree.cleanup_namespaces(copied, top_nsmap={None: target_ns, "ijw": BASE_NS})
    return copied
