"""Reading a catalogue import: CSV or JSON text → typed rows, with every problem per row.

Rows are numbered from 1 in the order given, not counting the CSV header; problems with
the document as a whole (encoding, header, JSON shape) are reported on row 0.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.models.base import ApiModel
from app.schemas.reference_imports import COLUMNS, ROW_MODELS

PRODUCT_TOKEN = re.compile(r"^(P[0-9]{2}):(I[0-9])$", re.ASCII)


@dataclass(frozen=True)
class RowError:
    row: int
    name: str
    code: str
    reason: str


@dataclass(frozen=True)
class RawRow:
    number: int
    values: dict[str, Any]
    cell_errors: list[RowError] = field(default_factory=list)  # cells that could not be read


def decode(data: bytes) -> str | RowError:
    """UTF-8 text (a byte-order mark, as spreadsheets write it, is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return RowError(0, "file", "invalid_encoding", "The file is not UTF-8 text.")


def _delimiter(header_line: str) -> str:
    """Comma by default; semicolon when the header uses it (spreadsheets in Dutch locales)."""
    return ";" if ";" in header_line and "," not in header_line else ","


def _header_errors(header: list[str]) -> list[RowError]:
    errors = [
        RowError(0, column or "(empty)", "unknown_column", "Not a column of the catalogue import layout.")
        for column in header
        if column not in COLUMNS
    ]
    errors += [
        RowError(0, column, "duplicate_column", "This column appears twice.")
        for i, column in enumerate(header)
        if column in header[:i]
    ]
    if "kind" not in header:
        errors.append(RowError(0, "kind", "missing_column", "Every import needs the column 'kind'."))
    return errors


def _products_cell(cell: str) -> list[dict[str, str]] | str:
    """``"P02:I1 P02:I2"`` → product objects, or the first token that is not a product."""
    products = []
    for token in cell.split():
        match = PRODUCT_TOKEN.match(token)
        if match is None:
            return token
        products.append({"profileCode": match.group(1), "intensityCode": match.group(2)})
    return products


def _csv_row(number: int, header: list[str], cells: list[str]) -> RawRow | RowError:
    if len(cells) > len(header):
        return RowError(
            number, "row", "too_many_cells", "The row has more cells than the header has columns."
        )
    values: dict[str, Any] = {}
    cell_errors: list[RowError] = []
    for column, cell in zip(header, cells, strict=False):
        cell = cell.strip()
        if not cell:
            continue  # an empty cell is an absent value
        if column == "products":
            products = _products_cell(cell)
            if isinstance(products, str):
                reason = f"'{products[:20]}' is not a product; write products as P02:I1, separated by spaces."
                cell_errors.append(RowError(number, "products", "invalid_product", reason))
            else:
                values[column] = products
        else:
            values[column] = cell
    return RawRow(number, values, cell_errors)


def parse_csv(text: str) -> tuple[list[RawRow], list[RowError]]:
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    try:
        records = [
            r
            for r in csv.reader(io.StringIO(text), delimiter=_delimiter(header_line))
            if any(c.strip() for c in r)
        ]
    except csv.Error:
        return [], [RowError(0, "file", "invalid_csv", "The file is not valid CSV.")]
    if not records:
        return [], [RowError(0, "file", "empty", "The file holds no header and no rows.")]
    header = [column.strip() for column in records[0]]
    errors = _header_errors(header)
    if errors:
        return [], errors
    rows: list[RawRow] = []
    for number, cells in enumerate(records[1:], start=1):
        parsed = _csv_row(number, header, cells)
        if isinstance(parsed, RowError):
            errors.append(parsed)
        else:
            rows.append(parsed)
    return rows, errors


def parse_json(text: str) -> tuple[list[RawRow], list[RowError]]:
    """``{"rows": [{"kind": "profile", ...}, ...]}``."""
    try:
        document = json.loads(text)
    except ValueError:
        return [], [RowError(0, "body", "invalid_json", "The body is not valid JSON.")]
    if not isinstance(document, dict) or set(document) != {"rows"} or not isinstance(document["rows"], list):
        return [], [RowError(0, "body", "invalid_document", 'The body is an object {"rows": [...]}.')]
    rows: list[RawRow] = []
    errors: list[RowError] = []
    for number, values in enumerate(document["rows"], start=1):
        if isinstance(values, dict):
            rows.append(RawRow(number, values))
        else:
            errors.append(RowError(number, "row", "invalid_row", "A row is a JSON object."))
    return rows, errors


def _name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "row"


def typed_rows(rows: list[RawRow]) -> tuple[list[tuple[int, ApiModel]], list[RowError]]:
    """Validate each row against the model of its kind, collecting every problem."""
    typed: list[tuple[int, ApiModel]] = []
    errors: list[RowError] = []
    for row in rows:
        kind = row.values.get("kind")
        model = ROW_MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            kinds = ", ".join(ROW_MODELS)
            errors.append(RowError(row.number, "kind", "unknown_kind", f"The kind is one of: {kinds}."))
            continue
        errors += row.cell_errors
        unreadable = {e.name for e in row.cell_errors}
        try:
            validated = model.model_validate(row.values)
        except ValidationError as error:
            for problem in error.errors():
                if problem["loc"] and problem["loc"][0] in unreadable:
                    continue  # reported already, as a cell that could not be read
                code = "unknown_property" if problem["type"] == "extra_forbidden" else problem["type"]
                reason = f"Not a property of a {kind} row." if code == "unknown_property" else problem["msg"]
                errors.append(RowError(row.number, _name(problem["loc"]), code, reason))
            continue
        if not row.cell_errors:
            typed.append((row.number, validated))
    return typed, errors
