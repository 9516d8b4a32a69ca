// Buyer messaging dashboard: fetches the plugin's JSON API (same origin, Airflow session cookie)
// and draws plain SVG charts. No dependencies, no network access beyond this app.
"use strict";

const STATUSES = ["sent", "blocked", "expired", "failed", "skipped", "planned", "delivery_unknown"];
const COLORS = {
  sent: "#2f9e44", blocked: "#e03131", expired: "#868e96",
  failed: "#f08c00", skipped: "#4c6ef5", planned: "#74c0fc",
  delivery_unknown: "#ae3ec9",
};
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const pct = (rate) => (rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`);
const fmt = (n) => Number(n).toLocaleString("en-US");

async function api(path, params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  const response = await fetch(`${path}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${path}: ${response.status} ${body.detail || response.statusText}`);
  return body;
}

function filters() {
  return { account: $("account").value, from: $("from").value, to: $("to").value };
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

// the API's `notice`: why the page is empty (e.g. no DAG has run yet)
function showNotice(message) {
  $("notice").hidden = !message;
  $("notice").textContent = message || "";
}

function kpis(summary, quality, throttling) {
  const box = $("kpis");
  box.replaceChildren();
  const card = (label, value, color, testid) =>
    el("div", { class: "kpi", style: `border-top-color:${color}`, "data-testid": testid },
      el("div", { class: "n" }, value), el("div", { class: "l" }, label));
  box.append(card("messages", fmt(summary.totals.messages), "#017cee", "kpi-messages"));
  for (const s of STATUSES) box.append(card(s, fmt(summary.totals.by_status[s] || 0), COLORS[s], `kpi-${s}`));
  box.append(card("quality pass rate", pct(quality.totals.pass_rate), "#12b886", "kpi-quality"));
  box.append(card("throttled calls", pct(throttling.totals.throttled_rate), "#fab005", "kpi-throttled"));
}

function legend() {
  $("legend").replaceChildren(...STATUSES.map((s) => el("span", {}, el("i", { style: `background:${COLORS[s]}` }), s)));
}

function chartByKind(byKind) {
  const kinds = Object.keys(byKind);
  const box = $("chart-kind");
  if (!kinds.length) { box.replaceChildren(el("p", { class: "empty" }, "No messages in this range.")); return; }
  const width = 900, labelW = 170, totalW = 60, rowH = 30, top = 6;
  const totals = kinds.map((k) => STATUSES.reduce((a, s) => a + (byKind[k][s] || 0), 0));
  const max = Math.max(...totals, 1);
  const barW = width - labelW - totalW;
  const root = svg("svg", { viewBox: `0 0 ${width} ${top + kinds.length * rowH}`, role: "img", "aria-label": "Messages by kind and status" });
  kinds.forEach((kind, i) => {
    const y = top + i * rowH;
    root.append(svg("text", { x: labelW - 8, y: y + 17, "text-anchor": "end" }, kind));
    let x = labelW;
    for (const status of STATUSES) {
      const n = byKind[kind][status] || 0;
      if (!n) continue;
      const w = (n / max) * barW;
      const g = svg("g", { class: "segment", "data-kind": kind, "data-status": status, "data-count": n });
      g.append(svg("rect", { x, y, width: Math.max(w, 1), height: rowH - 8, fill: COLORS[status], rx: 2 }));
      g.append(svg("title", {}, `${kind} · ${status}: ${n}`));
      if (w >= 22) g.append(svg("text", { x: x + w / 2, y: y + 16, "text-anchor": "middle", style: "fill:#fff;font-weight:600" }, String(n)));
      root.append(g);
      x += w;
    }
    root.append(svg("text", { x: x + 6, y: y + 17, class: "axis", "data-total": kind }, fmt(totals[i])));
  });
  box.replaceChildren(root);
}

function daysBetween(from, to) {
  const days = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

function chartByDay(byDay, from, to) {
  const box = $("chart-day");
  const days = daysBetween(from, to);
  const width = 900, height = 200, left = 40, bottom = 22, top = 8;
  const totals = days.map((d) => STATUSES.reduce((a, s) => a + ((byDay[d] || {})[s] || 0), 0));
  const max = Math.max(...totals, 1);
  const step = (width - left) / days.length;
  const plotH = height - bottom - top;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Messages per day" });
  const ticks = max % 2 === 0 ? [0, max / 2, max] : [0, max];
  for (const tick of ticks) {
    const y = top + plotH * (1 - tick / max);
    root.append(svg("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#e2e8f0" }));
    root.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "axis" }, fmt(tick)));
  }
  const labelEvery = Math.ceil(days.length / 10);
  days.forEach((day, i) => {
    const w = Math.min(Math.max(step * 0.7, 1), 48);
    const x = left + i * step + (step - w) / 2;
    let y = top + plotH;
    for (const status of STATUSES) {
      const n = (byDay[day] || {})[status] || 0;
      if (!n) continue;
      const h = (n / max) * plotH;
      y -= h;
      const g = svg("g", { class: "segment", "data-day": day, "data-status": status, "data-count": n });
      g.append(svg("rect", { x, y, width: w, height: h, fill: COLORS[status] }));
      g.append(svg("title", {}, `${day} · ${status}: ${n}`));
      root.append(g);
    }
    if (i % labelEvery === 0) root.append(svg("text", { x: x + w / 2, y: height - 6, "text-anchor": "middle", class: "axis" }, day.slice(5)));
  });
  box.replaceChildren(root);
}

function fillTable(id, rows, cells, empty) {
  const body = $(id).querySelector("tbody");
  const width = $(id).querySelectorAll("thead th").length;
  body.replaceChildren(...(rows.length ? rows.map((r) => el("tr", {}, ...cells(r))) :
    [el("tr", {}, el("td", { colspan: width, class: "empty" }, empty))]));
}

function violationsTable(data) {
  fillTable("violations", data.violations, (v) => [
    el("td", {}, v.rule), el("td", {}, v.category), el("td", {}, v.severity),
    el("td", { class: "num" }, fmt(v.count)), el("td", { class: "sample" }, v.sample || ""),
  ], "No lint violations in this range.");
}

function qualityCard(data) {
  const t = data.totals;
  $("quality-rate").textContent = pct(t.pass_rate);
  $("quality-detail").textContent = t.checks
    ? `${t.passed} of ${t.checks} suite-days passed · rows ${pct(t.row_pass_rate)} good · expectations ${pct(t.expectation_pass_rate)} met`
    : "No data-quality runs in this range.";
  fillTable("quality", Object.entries(data.suites), ([suite, s]) => [
    el("td", {}, suite), el("td", { class: "num" }, `${s.passed}/${s.checks}`),
    el("td", { class: "num" }, fmt(s.rows_checked)), el("td", { class: "num" }, fmt(s.rows_bad)),
  ], "No runs.");
}

function throttlingCard(data) {
  $("throttling-rate").textContent = `${fmt(data.totals.throttled)} of ${fmt(data.totals.calls)} calls (${pct(data.totals.throttled_rate)})`;
  fillTable("throttling", data.operations, (o) => [
    el("td", {}, o.stage), el("td", {}, o.operation),
    el("td", { class: "num" }, fmt(o.calls)), el("td", { class: "num" }, fmt(o.throttled)),
  ], "No calls recorded in this range.");
}

const pill = (status) => el("span", { class: "pill", style: `background:${COLORS[status] || "#495057"}` }, status);
const codes = (list) => el("span", { class: "codes" }, ...(list || []).map((c) => el("code", {}, c)));

function renderOrder(data) {
  const box = $("order-result");
  const parts = [];
  if (!data.messages.length && !data.explanations.length) {
    box.replaceChildren(el("p", { class: "empty", "data-testid": "order-empty" }, `No message and no data for order ${data.amazon_order_id}.`));
    return;
  }
  const table = el("table", { "data-testid": "order-messages" },
    el("thead", {}, el("tr", {}, ...["Account", "Kind", "Channel", "Status", "Due", "Sent", "Violations", "Error / reason"].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...(data.messages.length ? data.messages.map((m) => el("tr", { "data-kind": m.kind, "data-status": m.status },
      el("td", {}, m.account_id), el("td", {}, m.kind), el("td", {}, m.channel), el("td", {}, pill(m.status)),
      el("td", {}, m.due_on || ""), el("td", {}, m.sent_at ? m.sent_at.replace("T", " ").slice(0, 16) : ""),
      el("td", {}, codes(m.violation_codes)), el("td", {}, m.error || ""))) :
      [el("tr", {}, el("td", { colspan: 8, class: "empty" }, "No message planned for this order."))])));
  parts.push(el("h3", {}, `Messages of ${data.amazon_order_id}`), table);

  for (const o of data.outbox) {
    const section = el("div", { class: "outbox", "data-testid": "outbox-row", "data-kind": o.kind });
    section.append(el("h3", {}, `${o.kind} — outbox status `, pill(o.status), ` · ${o.attempts} attempt(s)`));
    if (o.reason) section.append(el("div", {}, `Reason: ${o.reason}`));
    if (o.error) section.append(el("div", {}, `Error: ${o.error}`));
    if (o.lint_violations.length) {
      section.append(el("ul", {}, ...o.lint_violations.map((v) =>
        el("li", {}, el("code", {}, v.rule), ` (${v.category}, ${v.severity})`, v.excerpt ? ` — “${v.excerpt}”` : ""))));
    }
    if (o.attempt_log.length) {
      section.append(el("ul", {}, ...o.attempt_log.map((a) =>
        el("li", {}, `attempt ${a.attempt_no}: ${a.outcome || "unfinished"}${a.http_status ? ` (HTTP ${a.http_status})` : ""}${a.error ? ` — ${a.error}` : ""}`))));
    }
    parts.push(section);
  }
  for (const x of data.explanations) {
    const lines = x.error ? [`could not explain: ${x.error}`] : (x.explanation || []);
    parts.push(el("h3", {}, `Why (account ${x.account_id}${x.policy_pack ? `, policy ${x.policy_pack}` : ""})`),
      el("ul", { class: "explain", "data-testid": "explanation" }, ...lines.map((l) => el("li", {}, l))));
  }
  box.replaceChildren(...parts);
}

async function searchOrder(event) {
  if (event) event.preventDefault();
  const id = $("order-id").value.trim();
  if (!id) return;
  $("order-result").replaceChildren(el("p", { class: "muted" }, "Searching…"));
  try {
    renderOrder(await api(`order/${encodeURIComponent(id)}`, { account: $("account").value }));
    const url = new URL(window.location);
    url.searchParams.set("order", id);
    history.replaceState(null, "", url);
  } catch (err) {
    $("order-result").replaceChildren(el("p", { class: "error" }, err.message));
  }
}

async function load(event) {
  if (event) event.preventDefault();
  const f = filters();
  const url = new URL(window.location);
  for (const [k, v] of Object.entries(f)) v ? url.searchParams.set(k, v) : url.searchParams.delete(k);
  history.replaceState(null, "", url);
  document.body.dataset.state = "loading";
  try {
    const [summary, violations, quality, throttling] = await Promise.all([
      api("summary", f), api("violations", f), api("quality", f), api("throttling", f),
    ]);
    $("from").value = summary.from;
    $("to").value = summary.to;
    showError("");
    showNotice(summary.notice);
    kpis(summary, quality, throttling);
    chartByKind(summary.by_kind);
    chartByDay(summary.by_day, summary.from, summary.to);
    violationsTable(violations);
    qualityCard(quality);
    throttlingCard(throttling);
    document.body.dataset.state = "ready";
  } catch (err) {
    showError(err.message);
    document.body.dataset.state = "error";
  }
}

async function init() {
  legend();
  const params = new URLSearchParams(window.location.search);
  try {
    const { accounts } = await api("accounts", {});
    $("account").append(...accounts.map((a) => el("option", { value: a }, a)));
  } catch (err) {
    showError(err.message);
  }
  for (const k of ["account", "from", "to"]) if (params.get(k)) $(k).value = params.get(k);
  $("filters").addEventListener("submit", load);
  $("order-form").addEventListener("submit", searchOrder);
  await load();
  if (params.get("order")) { $("order-id").value = params.get("order"); await searchOrder(); }
}

init();

// send forecast (issue #21): its own request and listener, apart from the day-range panels
async function loadSendForecast(event) {
  if (event) event.preventDefault();
  try {
    const data = await api("send-forecast", { account: $("account").value });
    const t = data.totals;
    $("send-forecast-rate").textContent = `${fmt(t.expiring_unsent)} of ${fmt(t.ready)} ready will expire unsent (${pct(t.expiring_rate)})`;
    fillTable("send-forecast", data.forecast, (r) => [
      el("td", {}, r.account_id), el("td", {}, r.kind),
      el("td", { class: "num" }, fmt(r.ready)), el("td", { class: "num" }, fmt(r.expiring_unsent)),
      el("td", { class: "num" }, String(r.rate_per_s)), el("td", {}, r.computed_at),
    ], "No forecast yet: it is written by each run's report task.");
  } catch (err) {
    showError(err.message);
  }
}
$("filters").addEventListener("submit", loadSendForecast);
loadSendForecast();
