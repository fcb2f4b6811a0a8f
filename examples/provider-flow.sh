#!/usr/bin/env bash
# The provider's side: from an agreed plan to a closed engagement with a measured outcome.
#
# After `make run`, from anywhere:  examples/provider-flow.sh
# It first runs examples/family-plan.sh quietly for a fresh agreed plan with a consent for the
# provider, so it can be run again and again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE=$(mktemp)
trap 'rm -f "$STATE"' EXIT
EXAMPLE_STATE=$STATE "$EXAMPLES/family-plan.sh" >/dev/null
source "$STATE"   # FAMILY_ID PARENT_ID CHILD_ID PLAN_ID PROVIDER_ID
FAMILY=$(token family_member --family "$FAMILY_ID" --member "$PARENT_ID")
STAFF=$(token provider_staff --provider "$PROVIDER_ID")
TODAY=$(date +%F)
echo "plan $PLAN_ID (agreed), child $CHILD_ID, provider $PROVIDER_ID"

step "1. The family compares the providers contracted for its child's profile × intensity"
call "$FAMILY" "$API/plans/$PLAN_ID/provider-options?memberId=$CHILD_ID" \
  | jq -c '.[] | {name, tariffCents, waitingDays, freeCapacity}'

step "2. …chooses one and requests the engagement (needs its consent for that provider)"
E=$(call "$FAMILY" -X POST "$API/engagements" -d '{"planId": "'$PLAN_ID'", "memberId": "'$CHILD_ID'",
  "providerId": "'$PROVIDER_ID'", "choiceReason": "Dichtbij school"}' | jq -r .id)
echo "engagement $E"

step "3. The provider finds it in its inbox, accepts (assignment number, frozen tariff) and starts"
call "$STAFF" "$API/engagements?status=requested" | jq -c '.items[] | {id, flags}'
call "$STAFF" -X POST "$API/engagements/$E/accept" | jq -c '{status, assignmentNumber, tariffCents, paymentModel}'
call "$STAFF" -X POST "$API/engagements/$E/start" -d '{"startDate": "'$TODAY'"}' | jq -c '{status, startDate}'

step "4. A subcontractor for part of the work, and the treatment plan covering every goal in scope"
GOALS=$(call "$STAFF" "$API/engagements/$E" | jq -c '[.goals[].goalId]')
SUB=$(call "$STAFF" -X POST "$API/engagements/$E/subcontracts" -d '{"agbCode": "87654321",
  "name": "Praktijk De Brug", "scope": "Oudertraining", "startDate": "'$TODAY'"}' | jq -r .id)
TP_VERSION=$(version_after "$STAFF" -X PUT "$API/engagements/$E/treatment-plan" \
  -d '{"approach": "Gedragstherapie en oudertraining", "expectedEndDate": "2027-06-30", "activities": [
       {"description": "Oudertraining", "goalIds": '$GOALS', "subcontractId": "'$SUB'", "frequency": "weekly"}]}')
echo "treatment plan version $TP_VERSION (a later PUT sends If-Match: \"$TP_VERSION\")"
call "$STAFF" -X POST "$API/engagements/$E/treatment-plan/submit" | jq -c '{status, version}'

step "5. A handoff for debts, routed to debt counselling; the family's team acknowledges, starts, resolves"
H=$(call "$STAFF" -X POST "$API/handoffs" -d '{"engagementId": "'$E'", "domainCode": "finances",
  "need": "Betalingsachterstanden", "urgency": "urgent", "routeTo": "debt_counselling"}' | jq -r .id)
call "$TEAM" "$API/handoffs?overdue=false" | jq -c '.items[] | {id, urgency, dueAt, overdue}' | sed -n 1,3p
call "$TEAM" -X POST "$API/handoffs/$H/acknowledge" | jq -r .status
call "$TEAM" -X POST "$API/handoffs/$H/start" | jq -r .status
call "$TEAM" -X POST "$API/handoffs/$H/resolve" -d '{"resolution": "Aangemeld bij schuldhulpverlening"}' \
  | jq -r .status

step "6. Progress, then closure with the final GAS score (−2…+2) per goal (JZ588 end reason)"
call "$STAFF" -X POST "$API/engagements/$E/progress-reports" \
  -d '{"goals": '"$(jq -c 'map({goalId: ., gasScore: 0})' <<<"$GOALS")"', "problemReduction": 2}' | jq -c '{id}'
call "$STAFF" -X POST "$API/engagements/$E/close" -d '{"endDate": "'$TODAY'", "endReason": "31",
  "goals": '"$(jq -c 'map({goalId: ., gasScore: 1})' <<<"$GOALS")"', "problemReduction": 3}' | jq -r .status

step "7. The parent rates the help; the outcome shows on the engagement"
call "$FAMILY" -X POST "$API/engagements/$E/experience-surveys" \
  -d '{"respondentMemberId": "'$PARENT_ID'", "score": 8}' | jq -c '{respondentKind, score}'
call "$FAMILY" "$API/engagements/$E" | jq -c .outcome
