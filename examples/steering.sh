#!/usr/bin/env bash
# Steering on aggregates: insights, budget status, demand trends, case reviews, a payment batch.
#
# After `make run` (fifteen months of demo history), from anywhere:  examples/steering.sh
# Reads, and a payment batch of this month's approved lines (a provider flow first makes one
# when there is none), so it can be run again and again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

YEAR=$(date +%Y)

step "Insights per district, this year to date (figures on fewer than 5 cases are suppressed)"
call "$OFFICER" "$API/insights/districts?from=$YEAR-01-01&to=$(date +%F)" \
  | jq -c '.items[] | {key, name, engagementsStarted: .engagementsStarted.value, dropoutRate: .dropoutRate.value}'

step "Budget status per district and category"
call "$OFFICER" "$API/budget-status" | jq -c '.items[] | {districtCode, category, allocatedCents, spentCents}'

step "Demand trends: district × profile against the year before"
call "$OFFICER" "$API/insights/trends" | jq -c '.items[] | {districtName, profileCode, observed, expected, z}'

step "Case reviews (pseudonymous for the officer; the family's team sees the case)"
call "$OFFICER" "$API/case-reviews?pageSize=3" | jq -c '.items[]? | {id, flag, status}'

step "Payments: approve this month's scheduled lines, export them as one batch (CSV)"
THIS_MONTH=$(date +%Y-%m)
scheduled() {
  call "$OFFICER" "$API/payments?status=scheduled&period=$THIS_MONTH&pageSize=100" | jq -c '[.items[].id]'
}
IDS=$(scheduled)
if [ "$IDS" = "[]" ]; then
  echo "(no payment scheduled this month yet: running examples/provider-flow.sh for one)"
  "$EXAMPLES/provider-flow.sh" >/dev/null
  IDS=$(scheduled)
fi
call "$OFFICER" -X POST "$API/payments/approve" -d '{"ids": '"$IDS"'}' | jq -c '{approved: length}'
call "$OFFICER" -X POST "$API/payment-batches" -H 'Accept: text/csv' -d '{"period": "'$THIS_MONTH'"}' | sed -n 1,3p
