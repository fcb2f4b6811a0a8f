"""HTTP routes: catalogue imports (profiles, tariffs and contracts in one CSV or JSON upload)."""

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from app.auth import PurchasingOfficer
from app.db import SessionDep
from app.errors import InvalidInput, InvalidParam
from app.openapi import document_model
from app.schemas.reference_imports import (
    COLUMNS,
    CatalogueImportDocument,
    CatalogueImportResult,
    CatalogueImportUpload,
)
from app.services.reference import imports as catalogue_imports

router = APIRouter(tags=["catalogue-imports"])

_MEDIA_FORMATS = {"text/csv": "csv", "application/json": "json"}

_KIND_COLUMNS = {
    "profile": "`profileCode` (P + 2 digits), `profileName`, `segment` (A/B/C), `intensityCode` (I1–I4), "
    "`intensityName`, `maxMonths`, optionally the iJw product `ijwCategory` (JZ020) and `ijwCode` "
    "(both or neither; default category 50, code profile + intensity) — one row per intensity; "
    "the rows of one `profileCode` form one new profile",
    "tariff": "`profileCode`, `intensityCode`, `providerAgbCode` (segment C only), `validFrom`, "
    "`validTo` (optional, inclusive), `amountCents`",
    "contract": "`providerAgbCode`, `validFrom`, `validTo`, `paymentModel` (milestone/monthly/lumpsum), "
    "`startSharePercent` (70), `resultSharePercent`, `completionOnDropout` (true/false), `capacity`, "
    "`lumpsumPeriodCents` (lumpsum only), `products` (`P02:I1 P02:I2`: profile:intensity, space-separated)",
}
KIND_TABLE = "\n".join(
    [
        "| kind | columns |",
        "|---|---|",
        *(f"| `{kind}` | {columns} |" for kind, columns in _KIND_COLUMNS.items()),
    ]
)

DESCRIPTION = f"""
Adds support profiles, tariffs and contracts of your region in one go. **All or nothing**: if any
row is wrong, nothing is written and the 400 problem lists every problem in `rowErrors`
(`{{row, name, code, reason}}`; `row` counts data rows from 1, the CSV header not counted; row 0
is the document itself) and, as everywhere, in `invalidParams` (named `rows[<row>].<name>`).

Send the document as the body (`text/csv` or `application/json`), or as the part `file` of a
`multipart/form-data` upload (its type, or a `.csv`/`.json` file name, tells the format).
CSV is UTF-8 (a byte-order mark is fine), comma-separated (a semicolon-separated header switches
to semicolons), with one header line naming columns of this layout, in any order:

`{",".join(COLUMNS)}`

Every row has a `kind`; fill the columns of its kind and leave the others empty:

{KIND_TABLE}

Providers are named by AGB code and must be registered. Tariffs and contracts may use profiles
defined earlier in the same import. JSON is
`{{"rows": [{{"kind": "tariff", "profileCode": "P02", ...}}]}}` with the same property names; there
`products` is a list of `{{"profileCode", "intensityCode"}}`.
"""

REQUEST_BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "kind,profileCode,intensityCode,validFrom,amountCents\n"
            "tariff,P02,I1,2027-01-01,155000\n",
        },
        "application/json": {"schema": document_model(CatalogueImportDocument)},
        "multipart/form-data": {"schema": document_model(CatalogueImportUpload)},
    },
}


def _format_of(content_type: str | None, filename: str | None = None) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _MEDIA_FORMATS:
        return _MEDIA_FORMATS[media]
    suffix = (filename or "").rsplit(".", 1)[-1].lower()
    return suffix if suffix in ("csv", "json") else media or "unknown"


async def _upload(request: Request) -> tuple[str, bytes]:
    """The document's format and bytes, from the body or from a multipart part ``file``."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return _format_of(content_type), await request.body()
    async with request.form(max_files=1, max_fields=10) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidInput([InvalidParam("file", "required", "Upload the document as the part 'file'.")])
        return _format_of(file.content_type, file.filename), await file.read()


@router.post(
    "/catalogue-imports",
    status_code=201,
    summary="Import profiles, tariffs and contracts (CSV or JSON), all or nothing",
    description=DESCRIPTION,
    openapi_extra={"requestBody": REQUEST_BODY},
    responses={
        400: {"description": "Nothing was written; `rowErrors` lists every problem per row."},
        415: {"description": "Neither CSV nor JSON."},
    },
)
async def import_catalogue(
    request: Request, session: SessionDep, principal: PurchasingOfficer
) -> CatalogueImportResult:
    fmt, data = await _upload(request)
    result = await catalogue_imports.import_catalogue(session, principal, fmt, data)
    return CatalogueImportResult.model_validate(result)
