// The caller's token (this tab's sessionStorage only) and calls to the JSON API with it.

const KEY = "perspectief.token";
const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function keepToken(value) {
  sessionStorage.setItem(KEY, value.trim().replace(/^Bearer\s+/i, ""));
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

/** The token's claims, for display only: the API verifies the token on every call. */
export function claims() {
  const t = token();
  if (!t) return null;
  try {
    const part = t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

export async function get(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== ""));
  const url = `${API}${path}${query.toString() ? `?${query}` : ""}`;
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token()}`, Accept: "application/json" },
    credentials: "omit",
    cache: "no-store",
  });
  if (!response.ok) {
    let detail = "";
    try {
      detail = (await response.json()).detail;
    } catch {
      /* not a problem document */
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}

// --- periods and formats ------------------------------------------------------------------

export function monthValue(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

export function defaultPeriod() {
  const now = new Date();
  return { from: `${now.getFullYear()}-01`, to: monthValue(now) };
}

/** ?from=YYYY-MM&to=YYYY-MM of the page, else the default period. */
export function pagePeriod() {
  const params = new URLSearchParams(location.search);
  const fallback = defaultPeriod();
  const valid = (v) => (/^\d{4}-\d{2}$/.test(v || "") ? v : null);
  return { from: valid(params.get("from")) || fallback.from, to: valid(params.get("to")) || fallback.to };
}

export function apiPeriod(period) {
  return { from: `${period.from}-01`, to: `${period.to}-01` };
}

/** The trend alerts' asOf: the chosen last month, but never the month still under way. */
export function trendAsOf(period) {
  const now = new Date();
  const current = monthValue(now);
  if (period.to < current) return `${period.to}-01`;
  const last = new Date(now.getFullYear(), now.getMonth(), 0);
  return `${monthValue(last)}-01`;
}

const number = (digits) => (v) =>
  v.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const FORMATS = {
  count: number(0),
  one: number(1),
  two: number(2),
  share: (v) => `${(v * 100).toLocaleString("en-GB", { maximumFractionDigits: 1 })} %`,
  signed: (v) => `${v > 0 ? "+" : ""}${number(2)(v)}`,
  euro: (cents) => `€ ${Math.round(cents / 100).toLocaleString("en-GB")}`,
};

export const INDICATORS = [
  { key: "referralsPer1000Youth", label: "Referrals per 1 000 youth", format: "one" },
  { key: "referrals", label: "Referrals", format: "count" },
  { key: "waitingDaysMedian", label: "Waiting days (median)", format: "one" },
  { key: "waitingDaysP90", label: "Waiting days (90th percentile)", format: "one" },
  { key: "engagementsClosed", label: "Trajectories ended", format: "count" },
  { key: "dropoutRate", label: "Dropout (JZ588 32, 33)", format: "share" },
  { key: "prematureRate", label: "Premature by agreement or circumstances (34, 35)", format: "share" },
  { key: "goalAttainmentShare", label: "Goals (partly) achieved", format: "share" },
  { key: "meanGasT", label: "Mean GAS T-score", format: "one" },
  { key: "meanExperienceParents", label: "Satisfaction, parents (1–10)", format: "two" },
  { key: "meanExperienceYouth", label: "Satisfaction, youth (1–10)", format: "two" },
  { key: "selfRelianceChange", label: "Self-reliance change (ZRM points)", format: "signed" },
  { key: "noNewStartShare", label: "No new start within the next half-year", format: "share" },
  { key: "noRelapseShare", label: "No new trajectory within 12 months", format: "share" },
  { key: "costPerClosedTrajectoryCents", label: "Cost per ended trajectory", format: "euro" },
  { key: "budgetUse", label: "Budget use", format: "share" },
];

export function indicator(key) {
  return INDICATORS.find((i) => i.key === key) || INDICATORS[0];
}

export function formatCell(cell, format) {
  if (!cell || cell.suppressed || cell.value == null) return "withheld";
  return FORMATS[format](cell.value);
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child));
  return node;
}
