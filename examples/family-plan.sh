#!/usr/bin/env bash
# The family's plan, from registration to an agreed plan, a revision and a consent.
#
# After `make run`, from anywhere:  examples/family-plan.sh
# Each run registers a new family (a fresh BSN), so it can be run again and again.
# With EXAMPLE_STATE=FILE the ids it made are written there (examples/provider-flow.sh uses it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BSN=$(new_bsn)
BIRTH_DATE=2016-09-14

step "1. The team registers the family (BSNs must pass the 11-proef)"
FAMILY=$(call "$TEAM" "$API/families" -d '{"districtCode": "WK036301", "members": [
  {"role": "parent", "givenName": "Sanne", "familyName": "Visser", "birthDate": "1987-05-02"},
  {"role": "child", "givenName": "Daan", "familyName": "Visser", "birthDate": "'$BIRTH_DATE'", "bsn": "'$BSN'"}]}')
FAMILY_ID=$(jq -r .id <<<"$FAMILY")
PARENT_ID=$(jq -r '.members[] | select(.role=="parent") | .id' <<<"$FAMILY")
CHILD_ID=$(jq -r '.members[] | select(.role=="child") | .id' <<<"$FAMILY")
PARENT=$(token family_member --family "$FAMILY_ID" --member "$PARENT_ID")
echo "family $FAMILY_ID, parent $PARENT_ID, child $CHILD_ID"

step "2. A draft plan; its ETag is the version every write sends back in If-Match"
PLAN_ID=$(call "$TEAM" -X POST "$API/families/$FAMILY_ID/plans" | jq -r .id)
V=1
echo "plan $PLAN_ID, version $V"

step "3. The team assesses every life domain"
for D in $(call "$TEAM" "$API/life-domains" | jq -r '.[].code'); do
  V=$(version_after "$TEAM" -H "If-Match: \"$V\"" -X PUT "$API/plans/$PLAN_ID/assessments/$D" -d '{"score": 3}')
done
echo "version $V"

step "4. The family writes its vision and a goal in its own words"
V=$(version_after "$PARENT" -H "If-Match: \"$V\"" -X PATCH "$API/plans/$PLAN_ID" \
  -d '{"familyVision": "Rust in huis."}')
call "$PARENT" -H "If-Match: \"$V\"" "$API/plans/$PLAN_ID/goals" \
  -d '{"domainCode": "school", "description": "Daan gaat elke dag naar school."}' | jq '{id, domainCode}'
V=$(call "$TEAM" "$API/plans/$PLAN_ID" | jq -r .version)

step "5. The GP refers by BSN + birth date; the referral is matched to the child"
REFERRAL_ID=$(call "$GP" "$API/referrals" -d '{"bsn": "'$BSN'", "birthDate": "'$BIRTH_DATE'",
  "referrerType": "02", "profileCode": "P06", "intensityCode": "I2", "reason": "Onderzoek AD(H)D."}' | jq -r .id)
echo "referral $REFERRAL_ID"

step "6. The team attaches the support profile resting on it (segment B: 409 referral_required without)"
call "$TEAM" -H "If-Match: \"$V\"" "$API/plans/$PLAN_ID/support-profiles" -d '{"memberId": "'$CHILD_ID'",
  "profileCode": "P06", "intensityCode": "I2", "problemDescription": "Concentratie.",
  "referralId": "'$REFERRAL_ID'"}' | jq '{id, profileCode, intensityCode}'
V=$(call "$TEAM" "$API/plans/$PLAN_ID" | jq -r .version)

step "7. Both sign the same version: the plan is agreed and version $V is frozen"
call "$TEAM" -H "If-Match: \"$V\"" -X POST "$API/plans/$PLAN_ID/signatures" | jq .planStatus    # "draft"
call "$PARENT" -H "If-Match: \"$V\"" -X POST "$API/plans/$PLAN_ID/signatures" | jq .planStatus  # "agreed"
call "$PARENT" "$API/plans/$PLAN_ID/versions/$V" | jq -c '.plan.signatures[] | {signerKind, version}'

step "8. A revision: a new draft version, while version $V stays in force"
call "$TEAM" -H "If-Match: \"$V\"" -X POST "$API/plans/$PLAN_ID/revisions" | jq -c '{version, agreedVersion, revisionOpen}'

step "Consent to share the plan with a provider (the first contracted one for P06 × I2)"
PROVIDER_ID=$(curl -sS --fail-with-body \
  "$API/public/providers?profileCode=P06&intensityCode=I2&municipality=GM0363" | jq -r '.items[0].providerId')
call "$PARENT" "$API/families/$FAMILY_ID/consents" -d '{"scope": "share_plan_with_provider",
  "providerId": "'$PROVIDER_ID'", "grantedByMemberId": "'$PARENT_ID'"}' | jq -c '{id, active}'

step "The family's own access trail: who looked at its file"
call "$PARENT" "$API/families/$FAMILY_ID/audit-events?pageSize=5" | jq -c '.items[] | {role, action, resourceType}'

if [ -n "${EXAMPLE_STATE:-}" ]; then
  printf 'FAMILY_ID=%s\nPARENT_ID=%s\nCHILD_ID=%s\nPLAN_ID=%s\nPROVIDER_ID=%s\n' \
    "$FAMILY_ID" "$PARENT_ID" "$CHILD_ID" "$PLAN_ID" "$PROVIDER_ID" >"$EXAMPLE_STATE"
fi
