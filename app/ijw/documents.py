"""Reading a document that claims to be an iJw message: a hardened parser, then the XSD.

The parser never resolves entities, never loads a DTD or anything over the network, refuses a
document type declaration outright (no internal entities, so no entity expansion) and keeps
libxml2's limits on depth and size (``huge_tree=False``). What is not well-formed, not in the
namespace of an inbound message or not valid against that message's schema is a
:class:`DocumentRejected` listing every problem, so the caller answers 400 and writes nothing.
"""

from dataclasses import dataclass
from functools import cache

from lxml import etree

from app.ijw.standard import SCHEMA_DIR, message_of_namespace

MAX_LISTED_ERRORS = 50


@dataclass(frozen=True)
class DocumentProblem:
    where: str  # "line 12" or "document"
    reason: str


class DocumentRejected(Exception):
    """Not a well-formed, schema-valid iJw message (400)."""

    def __init__(self, problems: list[DocumentProblem], code: str) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.code = code


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@cache
def schema(message: str) -> etree.XMLSchema:
    """The compiled schema of ``message`` (the basisschema is imported from the same folder)."""
    tree = etree.parse(str(SCHEMA_DIR / f"{message}.xsd"), _parser())
    return etree.XMLSchema(tree)


def parse(body: bytes) -> etree._Element:
    """The root element of ``body``; :class:`DocumentRejected` when it is not safe, well-formed XML."""
    parser = _parser()
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        problems = [DocumentProblem(f"line {e.line}", e.message) for e in parser.error_log][
            :MAX_LISTED_ERRORS
        ]
        raise DocumentRejected(
            problems or [DocumentProblem("document", "The body is not well-formed XML.")], "not_well_formed"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise DocumentRejected(
            [DocumentProblem("document", "A document type declaration (DTD, entities) is not allowed.")],
            "doctype_not_allowed",
        )
    return root


def message_code(root: etree._Element, accepted: tuple[str, ...]) -> str:
    """The message a root element is (``JW305``…), if it is one of ``accepted``."""
    message = message_of_namespace(etree.QName(root).namespace)
    if message not in accepted or etree.QName(root).localname != "Bericht":
        raise DocumentRejected(
            [
                DocumentProblem(
                    "document",
                    "The root element is not the Bericht of an accepted iJw 3.2 message "
                    f"({', '.join(accepted)}).",
                )
            ],
            "unknown_message",
        )
    return message


def schema_errors(message: str, root: etree._Element) -> list[DocumentProblem]:
    checker = schema(message)
    if checker.validate(root):
        return []
    return [DocumentProblem(f"line {e.line}", e.message) for e in checker.error_log][:MAX_LISTED_ERRORS]


def check_valid(message: str, root: etree._Element) -> None:
    problems = schema_errors(message, root)
    if problems:
        raise DocumentRejected(problems, "schema_invalid")
