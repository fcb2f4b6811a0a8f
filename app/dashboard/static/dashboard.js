// The steering dashboard: asks for a token once (kept in this tab), then shows the districts side
// by side, each team's referral rate against the mean, the trend alerts per month and the budget.

import {
  ApiError, FORMATS, INDICATORS, apiPeriod, claims, trendAsOf, el, forgetToken, formatCell, get, indicator,
  keepToken, pagePeriod, token,
} from "./api.js";
import { barChart, groupedBars, monthChart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const TABLE_INDICATORS = INDICATORS;

const FIGURES = ["district-chart", "district-table", "team-chart", "trend-charts", "budget-chart",
  "period", "trend-window", "budget-note"];

/** Nothing of one token's figures stays on the page for the next. */
function clearFigures() {
  for (const id of FIGURES) $(id).replaceChildren();
  delete document.body.dataset.loaded;
}

function showLogin(message = "") {
  clearFigures();
  $("main").hidden = true;
  $("who").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
}

function showMain() {
  const c = claims() || {};
  $("login").hidden = true;
  $("main").hidden = false;
  $("who").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = `${(c.roles || []).join(", ").replace(/_/g, " ")} · ${c.municipality || ""}`;
}

function setUrl(period, metric) {
  const params = new URLSearchParams({ from: period.from, to: period.to, indicator: metric });
  history.replaceState(null, "", `/dashboard?${params}`);
  $("report-link").href = `/dashboard/report?${new URLSearchParams({ from: period.from, to: period.to })}`;
}

function replace(id, ...nodes) {
  $(id).replaceChildren(...nodes);
}

function message(text) {
  return el("p", { class: "note" }, text);
}

async function section(id, work) {
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
    const text = error instanceof ApiError && error.status === 403
      ? "Your role may not see these figures."
      : `Could not load: ${error.message}`;
    replace(id, message(text));
  }
}

function districtTable(report) {
  const head = el("tr", {}, el("th", { scope: "col" }, "Indicator"));
  for (const item of report.items) head.append(el("th", { scope: "col" }, item.name || item.key));
  const body = el("tbody");
  for (const ind of TABLE_INDICATORS) {
    const row = el("tr", {}, el("th", { scope: "row" }, ind.label));
    for (const item of report.items) {
      const cell = item[ind.key];
      row.append(el("td", {
        class: cell?.suppressed ? "withheld-text" : null,
        "data-key": item.key,
        "data-metric": ind.key,
        "data-value": !cell || cell.suppressed ? "suppressed" : cell.value,
      }, formatCell(cell, ind.format)));
    }
    body.append(row);
  }
  return [el("thead", {}, head), body];
}

function renderDistricts(report, metric) {
  const ind = indicator(metric);
  const municipal = report.municipality?.[metric];
  const chart = barChart({
    title: `${ind.label} per district`,
    metric,
    format: FORMATS[ind.format],
    rows: report.items.map((item) => ({ key: item.key, label: item.name || item.key, cell: item[metric] })),
    reference: municipal && !municipal.suppressed ? { value: municipal.value, label: "municipality" } : null,
  });
  replace("district-chart", chart);
  replace("district-table", ...districtTable(report));
}

function renderTeams(report) {
  $("period").textContent = `Period used: ${report.fromDate} – ${report.toDate} (whole months).`;
  const own = claims()?.team;
  const mean = report.municipality?.referralsPer1000Youth;
  const flags = { above: "above the mean", below: "below the mean", in_line: "in line" };
  const chart = barChart({
    title: "Referrals per 1 000 youth per team",
    metric: "referralsPer1000Youth",
    format: FORMATS.one,
    rows: report.items.map((item) => ({
      key: item.key,
      label: item.name || item.key,
      cell: item.referralsPer1000Youth,
      highlight: own && own === item.key,
      note: flags[item.referralRateVsMean?.flag] || "",
    })),
    reference: mean && !mean.suppressed ? { value: mean.value, label: "municipality" } : null,
  });
  replace("team-chart", chart);
}

function renderTrends(report) {
  $("trend-window").textContent =
    `Recent ${report.recentFromDate} – ${report.recentToDate} against ${report.baselineFromDate} – ` +
    `${report.baselineToDate}; flagged at z ≥ ${report.zThreshold}.`;
  if (!report.items.length) {
    replace("trend-charts", message("No district × profile stands out."));
    return;
  }
  const recentFrom = report.recentFromDate.slice(0, 7);
  replace("trend-charts", ...report.items.map((a) => {
    const key = `${a.districtCode}:${a.profileCode}`;
    const figure = el("figure", { class: "trend", "data-key": key });
    figure.append(el("figcaption", {},
      `${a.districtName} × ${a.profileCode} ${a.profileName}: observed ${a.observed} in three months, ` +
      `expected ${a.expected ?? "withheld"}, z ${a.z}`));
    figure.append(monthChart({ title: `Demand for ${a.profileCode} in ${a.districtName}`, months: a.months, recentFrom, key }));
    return figure;
  }));
}

function renderBudget(status, names) {
  $("budget-note").textContent = `Year ${status.year}, as of ${status.asOfDate}; all categories together.`;
  const perDistrict = new Map();
  for (const row of status.items) {
    if (!row.districtCode) continue;
    const sums = perDistrict.get(row.districtCode) || { allocated: null, committed: 0, spent: 0, forecast: 0 };
    if (row.allocatedCents != null) sums.allocated = (sums.allocated || 0) + row.allocatedCents;
    sums.committed += row.committedCents;
    sums.spent += row.spentCents;
    sums.forecast += row.forecastCents;
    perDistrict.set(row.districtCode, sums);
  }
  const groups = [...perDistrict.entries()].sort().map(([code, values]) => ({
    key: code, label: names.get(code) || code, values,
  }));
  if (!groups.length) {
    replace("budget-chart", message("No district budgets for this year."));
    return;
  }
  replace("budget-chart", groupedBars({
    title: "Budget per district",
    groups,
    format: FORMATS.euro,
    series: [
      { name: "allocated", label: "allocated" },
      { name: "committed", label: "committed" },
      { name: "spent", label: "spent" },
      { name: "forecast", label: "forecast" },
    ],
  }));
}

async function load() {
  const period = { from: $("from").value, to: $("to").value };
  const metric = $("indicator").value;
  setUrl(period, metric);
  clearFigures();
  $("error").textContent = "";
  const params = apiPeriod(period);
  const names = new Map();
  try {
    await section("district-chart", async () => {
      const districts = await get("/insights/districts", params);
      $("period").textContent = `Period used: ${districts.fromDate} – ${districts.toDate} (whole months).`;
      for (const item of districts.items) names.set(item.key, item.name);
      renderDistricts(districts, metric);
    });
    await section("team-chart", async () => renderTeams(await get("/insights/teams", params)));
    await section("trend-charts", async () => renderTrends(await get("/insights/trends", { asOf: trendAsOf(period) })));
    await section("budget-chart", async () => {
      renderBudget(await get("/budget-status", { year: period.to.slice(0, 4) }), names);
    });
    document.body.dataset.loaded = "true";
  } catch (error) {
    forgetToken();
    showLogin("The token was not accepted (expired or invalid). Paste a new one.");
  }
}

function init() {
  const select = $("indicator");
  for (const ind of INDICATORS) select.append(el("option", { value: ind.key }, ind.label));
  const period = pagePeriod();
  $("from").value = period.from;
  $("to").value = period.to;
  const requested = new URLSearchParams(location.search).get("indicator");
  select.value = INDICATORS.some((i) => i.key === requested) ? requested : INDICATORS[0].key;
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    keepToken($("token").value);
    $("token").value = "";
    showMain();
    load();
  });
  $("logout").addEventListener("click", () => {
    forgetToken();
    showLogin();
  });
  $("controls").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  select.addEventListener("change", () => load());
  if (token()) {
    showMain();
    load();
  } else {
    showLogin();
  }
}

init();
