// Small SVG charts drawn in the page: horizontal bars with a reference line, a monthly column
// chart with an expected line, grouped bars. A withheld figure is drawn as a hatched stub
// labelled "withheld", never as a bar of zero. Every mark carries data-key and data-value.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null) node.setAttribute(name, value);
  }
  if (text != null) node.textContent = text;
  return node;
}

function root(width, height, title) {
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    role: "img",
    "aria-label": title,
    class: "svg-chart",
    preserveAspectRatio: "xMinYMin meet",
  });
  chart.append(svg("title", {}, title));
  const defs = svg("defs");
  const hatch = svg("pattern", {
    id: "hatch",
    width: 6,
    height: 6,
    patternUnits: "userSpaceOnUse",
    patternTransform: "rotate(45)",
  });
  hatch.append(svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line" }));
  defs.append(hatch);
  chart.append(defs);
  return chart;
}

function niceMax(values) {
  const max = Math.max(0, ...values);
  if (max === 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.05) / step) * step;
}

/**
 * rows: [{key, label, cell: {value, suppressed}, highlight, note}]; reference: {value, label}.
 */
export function barChart({ title, rows, format, reference, metric }) {
  const labelWidth = 250;
  const barWidth = 430;
  const rowHeight = 30;
  const width = labelWidth + barWidth + 150;
  const height = rows.length * rowHeight + 40;
  const chart = root(width, height, title);
  chart.dataset.metric = metric;
  const shown = rows.filter((r) => !r.cell.suppressed && r.cell.value != null).map((r) => r.cell.value);
  const negatives = shown.some((v) => v < 0);
  const extent = niceMax([...shown.map(Math.abs), reference?.value != null ? Math.abs(reference.value) : 0]);
  const zero = labelWidth + (negatives ? barWidth / 2 : 0);
  const scale = (negatives ? barWidth / 2 : barWidth) / extent;
  rows.forEach((row, i) => {
    const y = 10 + i * rowHeight;
    const group = svg("g", {
      class: `bar-row${row.highlight ? " highlight" : ""}`,
      "data-key": row.key,
      "data-value": row.cell.suppressed || row.cell.value == null ? "suppressed" : row.cell.value,
    });
    group.append(svg("text", { x: labelWidth - 8, y: y + 18, class: "label", "text-anchor": "end" }, row.label));
    if (row.cell.suppressed || row.cell.value == null) {
      group.append(svg("rect", { x: zero, y: y + 5, width: 60, height: 18, class: "bar withheld", fill: "url(#hatch)" }));
      group.append(svg("text", { x: zero + 66, y: y + 18, class: "value withheld-text" }, "withheld"));
    } else {
      const v = row.cell.value;
      const w = Math.max(Math.abs(v) * scale, 1);
      group.append(svg("rect", { x: v < 0 ? zero - w : zero, y: y + 5, width: w, height: 18, class: "bar" }));
      const text = format(v) + (row.note ? ` · ${row.note}` : "");
      group.append(svg("text", { x: (v < 0 ? zero : zero + w) + 6, y: y + 18, class: "value" }, text));
    }
    chart.append(group);
  });
  if (reference && reference.value != null) {
    const x = zero + reference.value * scale;
    chart.append(svg("line", { x1: x, x2: x, y1: 4, y2: height - 24, class: "reference", "data-value": reference.value }));
    chart.append(svg("text", { x, y: height - 8, class: "reference-label", "text-anchor": "middle" },
      `${reference.label}: ${format(reference.value)}`));
  }
  chart.append(svg("line", { x1: zero, x2: zero, y1: 4, y2: height - 24, class: "axis" }));
  return chart;
}

/** months: [{month, observed: {value, suppressed}, expected}]; recentFrom: "YYYY-MM". */
export function monthChart({ title, months, recentFrom, key }) {
  const left = 40;
  const columnWidth = 44;
  const plotHeight = 180;
  const width = Math.max(left + months.length * columnWidth + 20, 760);
  const height = plotHeight + 60;
  const chart = root(width, height, title);
  chart.dataset.key = key;
  const values = months.map((m) => (m.observed.suppressed ? 0 : m.observed.value));
  const top = niceMax([...values, ...months.map((m) => m.expected || 0), 5]);
  const y = (v) => 10 + plotHeight - (v / top) * plotHeight;
  for (const tick of [0, top / 2, top]) {
    chart.append(svg("line", { x1: left, x2: width - 10, y1: y(tick), y2: y(tick), class: "grid" }));
    chart.append(svg("text", { x: left - 6, y: y(tick) + 4, class: "tick", "text-anchor": "end" }, String(tick)));
  }
  months.forEach((m, i) => {
    const x = left + i * columnWidth + 6;
    const recent = m.month >= recentFrom;
    const group = svg("g", {
      class: `month${recent ? " recent" : ""}`,
      "data-month": m.month,
      "data-value": m.observed.suppressed ? "suppressed" : m.observed.value,
      "data-expected": m.expected ?? "",
    });
    if (m.observed.suppressed) {
      group.append(svg("rect", { x, y: y(0) - 14, width: columnWidth - 12, height: 14, class: "bar withheld", fill: "url(#hatch)" }));
      group.append(svg("text", { x: x + (columnWidth - 12) / 2, y: y(0) - 18, class: "withheld-text small", "text-anchor": "middle" }, "<5"));
    } else {
      const h = y(0) - y(m.observed.value);
      group.append(svg("rect", { x, y: y(m.observed.value), width: columnWidth - 12, height: Math.max(h, 1), class: "bar" }));
      group.append(svg("text", { x: x + (columnWidth - 12) / 2, y: y(m.observed.value) - 4, class: "value small", "text-anchor": "middle" }, String(m.observed.value)));
    }
    group.append(svg("text", { x: x + (columnWidth - 12) / 2, y: plotHeight + 28, class: "tick", "text-anchor": "middle" }, m.month.slice(2)));
    chart.append(group);
  });
  const expected = months.find((m) => m.expected != null)?.expected;
  if (expected != null) {
    chart.append(svg("line", { x1: left, x2: width - 10, y1: y(expected), y2: y(expected), class: "reference", "data-value": expected }));
  }
  const legend = expected != null ? `dashed: expected ${expected} a month (baseline mean) · ` : "";
  chart.append(svg("text", { x: left, y: height - 6, class: "tick" },
    `${legend}orange: the recent three months · hatched: fewer than 5, withheld (not zero)`));
  return chart;
}

/** groups: [{key, label, values: {name: number|null}}]; series: [{name, label}]. */
export function groupedBars({ title, groups, series, format }) {
  const labelWidth = 150;
  const groupHeight = series.length * 16 + 16;
  const barWidth = 430;
  const width = labelWidth + barWidth + 170;
  const height = groups.length * groupHeight + 40;
  const chart = root(width, height, title);
  const top = niceMax(groups.flatMap((g) => series.map((s) => g.values[s.name] || 0)));
  groups.forEach((g, i) => {
    const y0 = 10 + i * groupHeight;
    const group = svg("g", { class: "group", "data-key": g.key });
    group.append(svg("text", { x: labelWidth - 8, y: y0 + 14, class: "label", "text-anchor": "end" }, g.label));
    series.forEach((s, j) => {
      const value = g.values[s.name];
      const y = y0 + j * 16;
      const bar = svg("g", { class: `series series-${j}`, "data-series": s.name, "data-value": value ?? "none" });
      if (value == null) {
        bar.append(svg("text", { x: labelWidth + 4, y: y + 12, class: "value" }, `${s.label}: not set`));
      } else {
        bar.append(svg("rect", { x: labelWidth, y: y + 2, width: Math.max((value / top) * barWidth, 1), height: 12, class: `bar series-${j}` }));
        bar.append(svg("text", { x: labelWidth + (value / top) * barWidth + 6, y: y + 12, class: "value small" }, `${s.label} ${format(value)}`));
      }
      group.append(bar);
    });
    chart.append(group);
  });
  return chart;
}
