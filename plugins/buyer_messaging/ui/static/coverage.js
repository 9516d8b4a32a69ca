// Coverage, outcomes and open-cases panels (issue #19 item 3). The plots are SVG drawn by the
// server (plots/<name>.svg); this file fills the tables and points the images at the filters.
"use strict";

(() => {
  const KINDS = ["review_request", "shipment_confirmation", "unavailability_notice",
    "return_confirmation", "product_info", "issue_resolution"];
  const byId = (id) => document.getElementById(id);
  const number = (n) => Number(n).toLocaleString("en-US");
  const share = (rate) => (rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`);

  function cell(text, numeric) {
    const td = document.createElement("td");
    if (numeric) td.className = "num";
    td.textContent = text ?? "";
    return td;
  }

  function fill(id, rows, cells, empty) {
    const body = byId(id).querySelector("tbody");
    const width = byId(id).querySelectorAll("thead th").length;
    const trs = rows.map((r) => { const tr = document.createElement("tr"); tr.append(...cells(r)); return tr; });
    if (!trs.length) {
      const tr = document.createElement("tr");
      const td = cell(empty);
      td.colSpan = width;
      td.className = "empty";
      tr.append(td);
      trs.push(tr);
    }
    body.replaceChildren(...trs);
  }

  const params = new URLSearchParams(window.location.search);

  let firstLoad = true;

  function filters() {
    const f = {};
    for (const k of ["account", "from", "to", "kind", "marketplace"]) {
      // the first load may run before app.js has filled the fields from the address
      const v = (byId(k).value || (firstLoad && params.get(k)) || "").trim();
      if (v) f[k] = v;
    }
    firstLoad = false;
    return f;
  }

  async function get(path, params) {
    const response = await fetch(`${path}?${new URLSearchParams(params)}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${path}: ${response.status} ${body.detail || response.statusText}`);
    return body;
  }

  async function load(event) {
    if (event) event.preventDefault();
    const f = filters();
    const url = new URL(window.location);
    for (const k of ["kind", "marketplace"]) f[k] ? url.searchParams.set(k, f[k]) : url.searchParams.delete(k);
    history.replaceState(null, "", url);
    const query = new URLSearchParams(f);
    for (const name of ["coverage-by-kind", "coverage-by-day", "outcomes-by-kind", "case-ages"]) {
      byId(`plot-${name}`).src = `plots/${name}.svg?${query}`;
    }
    try {
      const [coverage, outcomes, cases] = await Promise.all([
        get("coverage", f), get("outcomes", f),
        get("cases", Object.fromEntries(Object.entries(f).filter(([k]) => k === "account" || k === "marketplace"))),
      ]);
      const t = coverage.totals;
      byId("coverage-detail").textContent = `${number(t.candidates)} candidates: ${number(t.eligible)} eligible, `
        + `${number(t.excluded)} excluded, ${number(t.sent)} sent (${share(t.sent_rate)} of eligible); `
        + `${number(coverage.quarantined_orders)} orders held back by data validation`;
      fill("coverage", Object.entries(coverage.by_kind), ([kind, c]) => [
        cell(kind), cell(number(c.candidates), true), cell(number(c.eligible), true),
        cell(number(c.excluded), true), cell(number(c.sent), true), cell(share(c.sent_rate), true),
      ], "No candidates in this range.");
      fill("outcomes", Object.entries(outcomes.by_kind), ([kind, o]) => [
        cell(kind), cell(number(o.sent), true),
        cell(`${number(o.negative_feedback)} (${share(o.negative_feedback_rate)})`, true),
        cell(`${number(o.neutral_feedback)} (${share(o.neutral_feedback_rate)})`, true),
        cell(`${number(o.returned_after)} (${share(o.returned_after_rate)})`, true),
      ], "No message sent in this range.");
      byId("cases-total").textContent = `${number(cases.total)} open`;
      fill("cases", cases.cases, (c) => [
        cell(c.amazon_order_id), cell(`${c.source}: ${c.signal}`), cell(number(c.age_days), true),
        cell(c.message_status || "none"),
      ], "No open case.");
      document.body.dataset.coverage = "ready";
    } catch (err) {
      byId("coverage-detail").textContent = err.message;
      document.body.dataset.coverage = "error";
    }
  }

  byId("kind").append(...KINDS.map((k) => { const o = document.createElement("option"); o.value = k; o.textContent = k; return o; }));
  for (const k of ["kind", "marketplace"]) if (params.get(k)) byId(k).value = params.get(k);
  byId("filters").addEventListener("submit", load);
  load();
})();
