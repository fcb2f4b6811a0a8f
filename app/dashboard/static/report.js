// The printable district report for the council: one district's figures beside the other
// districts' and the municipality's, its trend alerts and its budget, laid out for A4.

import { ApiError, FORMATS, INDICATORS, apiPeriod, el, formatCell, get, pagePeriod, token, trendAsOf } from "./api.js";
import { barChart, monthChart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const CHARTED = ["referralsPer1000Youth", "waitingDaysMedian", "dropoutRate", "goalAttainmentShare",
  "meanExperienceParents", "costPerClosedTrajectoryCents", "budgetUse"];

function table(report, district) {
  const others = report.items.filter((i) => i.key !== district.key);
  const head = el("tr", {}, el("th", { scope: "col" }, "Indicator"),
    el("th", { scope: "col" }, district.name || district.key),
    ...others.map((o) => el("th", { scope: "col", class: "other" }, o.name || o.key)));
  const rows = INDICATORS.map((ind) => el("tr", {}, el("th", { scope: "row" }, ind.label),
    ...[district, ...others].map((item, i) => {
      const cell = item[ind.key];
      return el("td", {
        class: `${i === 0 ? "own" : "other"}${cell?.suppressed ? " withheld-text" : ""}`,
        "data-key": item.key,
        "data-metric": ind.key,
        "data-value": !cell || cell.suppressed ? "suppressed" : cell.value,
      }, formatCell(cell, ind.format));
    })));
  return [el("thead", {}, head), el("tbody", {}, ...rows)];
}

function charts(report, district) {
  return CHARTED.map((metric) => {
    const ind = INDICATORS.find((i) => i.key === metric);
    const municipal = report.municipality?.[metric];
    const figure = el("figure", { class: "small-chart" });
    figure.append(el("figcaption", {}, ind.label));
    figure.append(barChart({
      title: `${ind.label} per district`,
      metric,
      format: FORMATS[ind.format],
      rows: report.items.map((i) => ({
        key: i.key, label: i.name || i.key, cell: i[metric], highlight: i.key === district.key,
      })),
      reference: municipal && !municipal.suppressed ? { value: municipal.value, label: "municipality" } : null,
    }));
    return figure;
  });
}

function budget(status, code) {
  const rows = status.items.filter((r) => r.districtCode === code);
  if (!rows.length) return [el("p", { class: "note" }, `No budget for ${status.year}.`)];
  const head = el("tr", {}, ...["Category", "Allocated", "Committed", "Spent", "Forecast"].map((h) => el("th", { scope: "col" }, h)));
  const money = (v) => (v == null ? "not set" : FORMATS.euro(v));
  const body = rows.map((r) => el("tr", { "data-category": r.category }, el("th", { scope: "row" }, r.category),
    ...[r.allocatedCents, r.committedCents, r.spentCents, r.forecastCents].map((v) => el("td", { "data-value": v ?? "none" }, money(v)))));
  return [el("p", { class: "note" }, `Year ${status.year}, as of ${status.asOfDate}.`),
    el("table", { class: "figures", id: "budget-table" }, el("thead", {}, head), el("tbody", {}, ...body))];
}

async function load() {
  if (!token()) {
    location.replace(`/dashboard${location.search}`);
    return;
  }
  const period = pagePeriod();
  const params = apiPeriod(period);
  try {
    const districts = await get("/insights/districts", params);
    const select = $("district");
    const wanted = new URLSearchParams(location.search).get("district");
    select.replaceChildren(...districts.items.map((i) => el("option", { value: i.key }, i.name || i.key)));
    const district = districts.items.find((i) => i.key === wanted) || districts.items[0];
    if (!district) throw new Error("no districts");
    select.value = district.key;
    select.onchange = () => {
      const q = new URLSearchParams({ from: period.from, to: period.to, district: select.value });
      location.search = q.toString();
    };
    $("title").textContent = `District report: ${district.name || district.key}`;
    $("period").textContent = `Period ${districts.fromDate} – ${districts.toDate} (whole months).`;
    $("report-table").replaceChildren(...table(districts, district));
    $("report-charts").replaceChildren(...charts(districts, district));
    const trends = await get("/insights/trends", { asOf: trendAsOf(period) });
    const own = trends.items.filter((a) => a.districtCode === district.key);
    $("report-trends").replaceChildren(...(own.length ? own.map((a) => {
      const key = `${a.districtCode}:${a.profileCode}`;
      const figure = el("figure", { class: "trend", "data-key": key });
      figure.append(el("figcaption", {}, `${a.profileCode} ${a.profileName}: observed ${a.observed}, expected ${a.expected ?? "withheld"}, z ${a.z}`));
      figure.append(monthChart({ title: `Demand for ${a.profileCode}`, months: a.months, recentFrom: trends.recentFromDate.slice(0, 7), key }));
      return figure;
    }) : [el("p", { class: "note" }, "No trend alerts for this district.")]));
    $("report-budget").replaceChildren(...budget(await get("/budget-status", { year: period.to.slice(0, 4) }), district.key));
    document.body.dataset.loaded = "true";
  } catch (error) {
    $("error").textContent = error instanceof ApiError && error.status === 401
      ? "The token was not accepted; open the dashboard to sign in again."
      : `Could not load the report: ${error.message}`;
  }
}

$("print").addEventListener("click", () => window.print());
load();
