"""One 400 lists every invalid input at once: the schema's errors together with the rules that
need no other rows (BSN 11-proef, cursors, periods). A schema-valid body gets the service's
rules, those on other rows included, in one answer too (see tests/families, tests/reference)."""

from typing import Any

from tests.support.families import bsn, family_body, pro


def problems(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.text
    return {p["name"]: p["code"] for p in response.json()["invalidParams"]}


async def test_bsn_11_proef_is_listed_with_the_schema_errors(client, auth, ref) -> None:
    body = family_body(ref, child_bsn="123456789", parent_bsn="12345")  # fails 11-proef; too short
    del body["members"][0]["givenName"]
    body["members"][1]["birthDate"] = "not-a-date"
    found = problems(await client.post("/families", json=body, headers=pro(auth, ref)))
    assert found == {
        "members.0.givenName": "missing",
        "members.0.bsn": "invalid_format",
        "members.1.bsn": "invalid_bsn",
        "members.1.birthDate": "date_from_datetime_parsing",
    }
    valid = family_body(ref, child_bsn=bsn(1))
    assert (await client.post("/families", json=valid, headers=pro(auth, ref))).status_code == 201


async def test_a_bad_cursor_is_listed_with_the_other_query_errors(client, auth, ref) -> None:
    response = await client.get("/families?cursor=not-a-cursor&pageSize=0", headers=pro(auth, ref))
    assert problems(response) == {"cursor": "invalid_cursor", "pageSize": "greater_than_equal"}


async def test_a_reversed_period_is_listed_with_the_schema_errors(client, auth, ref) -> None:
    purchaser = auth("purchasing_officer", region=str(ref.region_id), municipality="GM0363")
    body = {
        "profileCode": "X1",
        "intensityCode": "I1",
        "validFrom": "2027-02-01",
        "validTo": "2027-01-01",
        "amountCents": 0,
    }
    found = problems(await client.post("/tariffs", json=body, headers=purchaser))
    assert found == {
        "profileCode": "string_pattern_mismatch",
        "validTo": "invalid_period",
        "amountCents": "greater_than",
    }
