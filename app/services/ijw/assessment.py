"""The verdict on one inbound message: WJ001 return codes per message class.

A class without a finding gets ``0200``; the classes under a rejected class are not assessed
(``0233``), as the standard answers. Codes are kept per element of the inbound document, so the
return message can be built from the same tree.
"""

from dataclasses import dataclass, field

from lxml import etree

ACCEPTED = "0200"
NOT_ASSESSED = "0233"
TECHNICAL = "0001"  # a technical rule within the message (the standard's XSLT rules)


@dataclass
class Assessment:
    header: etree._Element
    classes: list[etree._Element]  # the message classes below the header, parents before children
    found: dict[etree._Element, list[str]] = field(default_factory=dict)

    def reject(self, element: etree._Element, code: str) -> None:
        codes = self.found.setdefault(element, [])
        if code not in codes:
            codes.append(code)

    def rejected(self, element: etree._Element) -> bool:
        """The header, ``element`` or a class above it has a finding."""
        if self.found.get(self.header):
            return True
        current: etree._Element | None = element
        while current is not None:
            if self.found.get(current):
                return True
            current = current.getparent()
        return False

    def codes(self, element: etree._Element) -> list[str]:
        own = self.found.get(element)
        if own:
            return own
        if element is not self.header and self.found.get(self.header):
            return [NOT_ASSESSED]
        parent = element.getparent()
        return [NOT_ASSESSED] if parent is not None and self.rejected(parent) else [ACCEPTED]
