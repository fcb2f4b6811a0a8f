"""The problem types this service answers with, each a page a developer can read.

A problem's ``type`` is ``/api/v1/problems/<code>`` (relative to the service, as RFC 9457
allows), and that URL serves a short HTML page: what the problem means and what to do.
``GET /api/v1/problems`` lists them all. Every ``code`` a service raises must be listed here
(a test reads the code for them).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str
    explanation: str


def _types(status: int, entries: dict[str, tuple[str, str]]) -> dict[str, ProblemType]:
    return {code: ProblemType(status, title, text) for code, (title, text) in entries.items()}


PROBLEM_TYPES: dict[str, ProblemType] = {
    **_types(
        400,
        {
            "invalid_input": (
                "Invalid input",
                "One or more inputs are invalid. `invalidParams` lists every problem at once, each with "
                "the input's name as sent (dotted when nested), a `code` and a reason.",
            ),
            "bad_request": ("Bad request", "The request could not be understood; see `detail`."),
        },
    ),
    **_types(
        401,
        {
            "unauthorized": (
                "No valid token",
                "Send `Authorization: Bearer <JWT>` with a valid, unexpired token of the identity provider.",
            ),
        },
    ),
    **_types(
        403,
        {
            "forbidden": ("Not allowed", "Your role may not use this function."),
            "other_region": (
                "Another region",
                "Contracts and tariffs can be managed only for your own region.",
            ),
            "other_municipality": (
                "Another municipality",
                "Reference data can be managed only for your own municipality.",
            ),
        },
    ),
    **_types(
        404,
        {"not_found": ("Not found", "The resource does not exist, or your role may not see it.")},
    ),
    **_types(
        405,
        {"method_not_allowed": ("Method not allowed", "The path exists; `Allow` lists its methods.")},
    ),
    **_types(406, {"not_acceptable": ("Not acceptable", "Ask for a media type the resource offers.")}),
    **_types(
        408,
        {
            "request_timeout": (
                "Request timed out",
                "The request body did not arrive in time (30 s by default) and the connection is closed. "
                "Nothing was changed: send the whole request again, without pausing mid-body.",
            ),
        },
    ),
    **_types(
        409,
        {
            "conflict": ("Conflict", "The request conflicts with the resource's current state."),
            "idempotency_request_in_progress": (
                "Request still running",
                "A request with the same Idempotency-Key is still being processed; retry later.",
            ),
            "invalid_transition": (
                "State does not allow this",
                "The resource is not in a state this action applies to; `currentStatus` says which it is.",
            ),
            "already_signed": ("Already signed", "This signer has already signed this version of the plan."),
            "consent_exists": ("Consent exists", "An active consent with this scope and provider exists."),
            "consent_required": (
                "Consent required",
                "The family has not consented to share the plan with this provider.",
            ),
            "correction_of_correction": (
                "Correct the original",
                "Correct the original line, not a correction.",
            ),
            "delivery_in_progress": (
                "Delivery in progress",
                "A dispatcher is delivering this event to the subscription right now. Read the delivery "
                "again in a moment: retry only if it is not delivered then.",
            ),
            "delivery_not_retryable": (
                "Delivered already",
                "The receiver accepted this event; a delivered event is never sent again. "
                "Fetch it from the event feed if it is needed once more.",
            ),
            "duplicate_bsn": (
                "Family exists",
                "An active family in the municipality has a member with this BSN; `existing` links to it.",
            ),
            "duplicate_district": ("District exists", "A district with this code exists."),
            "duplicate_municipality": ("Municipality exists", "A municipality with this code exists."),
            "duplicate_provider": ("Provider exists", "A provider with this AGB code exists."),
            "duplicate_referral": ("Referral exists", "An equal referral for this child is still open."),
            "duplicate_region": ("Region exists", "A region with this name exists."),
            "duplicate_support_profile": (
                "Support profile exists",
                "A support profile with this code exists.",
            ),
            "engagement_exists": (
                "Engagement exists",
                "The child already has an open engagement for this support profile.",
            ),
            "evaluation_required": ("Evaluate first", "Record the evaluation (final domain scores) first."),
            "family_not_active": ("Family not active", "The family is closed or anonymised."),
            "goals_not_covered": (
                "Goals not covered",
                "Every goal of the engagement needs an activity before the treatment plan is submitted.",
            ),
            "no_goals_in_scope": ("No goals", "The plan has no open goals for this child."),
            "nothing_to_export": ("Nothing to export", "There are no approved lines for this period."),
            "open_engagements": ("Open engagements", "Withdraw or finish the plan's engagements first."),
            "open_plan_exists": (
                "Open plan exists",
                "The family has an open plan (draft, agreed, active or evaluating); `existing` links to it.",
            ),
            "payment_ceiling_exceeded": (
                "Amount too low",
                "A correction may not make a line's net amount negative.",
            ),
            "payment_not_open": (
                "Line not open",
                "Exported or paid lines cannot be approved again; `ids` names them.",
            ),
            "plan_not_agreed": ("Plan not agreed", "The plan must be agreed (signed by both sides) first."),
            "plan_not_complete": (
                "Plan not complete",
                "The plan lacks what agreement needs (assessments, goals, support profiles); see `detail`.",
            ),
            "plan_not_editable": (
                "Plan not editable",
                "Only a draft plan (or an open revision) can be edited.",
            ),
            "plan_not_open": ("Plan not open", "The plan is closed or withdrawn."),
            "provider_not_contracted": (
                "Provider not contracted",
                "The provider has no contract for this product in the region on this date.",
            ),
            "referral_required": (
                "Referral required",
                "This support profile's segment needs a valid referral for the child.",
            ),
            "request_answered": (
                "Request answered",
                "The allocation request has been answered already (it is no longer open or being "
                "investigated), so it cannot be answered again; `currentStatus` says what it is now.",
            ),
            "retention_run_in_progress": (
                "Retention run in progress",
                "Another retention run is running; only one runs at a time. Wait for it to finish "
                "(follow its `Location`) and start a new run only if it is still needed.",
            ),
            "revision_open": ("Revision open", "A revision of this plan is already open."),
            "support_profile_required": (
                "Support profile required",
                "The plan has no support profile for this child.",
            ),
            "survey_exists": ("Survey exists", "This family member has already rated this engagement."),
            "tariff_overlap": (
                "Tariff periods overlap",
                "A tariff for the same profile, intensity and provider covers part of this period.",
            ),
        },
    ),
    **_types(
        412,
        {
            "precondition_failed": (
                "Version changed",
                "If-Match does not name the current version: read the resource again (its ETag) and retry. "
                "`currentVersion` says which version is current.",
            ),
            "invalid_etag": (
                "Not an entity tag",
                'If-Match must be * or entity tags in double quotes, exactly as the ETag ("3"); '
                "anything else matches no version.",
            ),
            "weak_etag": (
                "Weak entity tag",
                'If-Match compares strongly (RFC 9110 §13.1.1): a weak tag (W/"3") never matches. '
                'Send the ETag exactly as given ("3"), or * for whatever version exists.',
            ),
        },
    ),
    **_types(413, {"body_too_large": ("Body too large", "The request body exceeds the limit (1 MiB).")}),
    **_types(
        414,
        {
            "uri_too_long": (
                "URI too long",
                "The path and query string together exceed the limit (8 KiB by default). "
                "Narrow the search or page through the results instead of listing more filters.",
            ),
        },
    ),
    **_types(
        415,
        {"unsupported_media_type": ("Unsupported media type", "Send the body as application/json.")},
    ),
    **_types(
        422,
        {
            "unprocessable": ("Unprocessable", "The request is well-formed but cannot be processed."),
            "idempotency_key_reused": (
                "Idempotency-Key reused",
                "This Idempotency-Key was used within 24 hours for a different request; use a new key.",
            ),
        },
    ),
    **_types(
        428,
        {
            "precondition_required": (
                "If-Match required",
                "This resource is versioned: send If-Match with the ETag you read.",
            ),
        },
    ),
    **_types(
        429,
        {
            "rate_limited": (
                "Too many requests",
                "You sent more requests than the limit allows (per client address, and per token). "
                "Wait the seconds `Retry-After` names, then retry; spread bulk work over time.",
            ),
        },
    ),
    **_types(
        431,
        {
            "header_too_large": (
                "Headers too large",
                "A request header field, or all of them together, exceed the limit (8 KiB a field, "
                "32 KiB together by default). Send fewer or shorter headers, such as cookies.",
            ),
        },
    ),
    **_types(
        500,
        {"internal_error": ("Unexpected error", "Quote the X-Request-ID (or `instance`) when reporting it.")},
    ),
    **_types(
        503,
        {
            "service_unavailable": ("Unavailable", "A dependency is down; retry later."),
            "audit_unavailable": (
                "Audit unavailable",
                "Every read of a family's data is recorded in the audit log; this read could not be "
                "recorded, so its data is not shown. Nothing was changed: retry later.",
            ),
            "database_unavailable": ("Database unavailable", "The database does not answer; retry later."),
            "identity_provider_unavailable": (
                "Identity provider unavailable",
                "The identity provider's keys (JWKS) could not be fetched; retry later.",
            ),
            "retention_run_interrupted": (
                "Retention run interrupted",
                "The run stopped part-way because the database failed. Every family was either handled "
                "completely or not at all; start a run again later and it resumes where this one stopped.",
            ),
        },
    ),
}
