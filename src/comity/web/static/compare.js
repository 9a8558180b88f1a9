/* comity Compare page: reads GET /api/compare of the same server and draws with Vega-Lite.
 * No computation happens here: every number shown comes from the API. The page state lives
 * in the query string (a, b, from, to, body, measure, bootstrap, topic, year), so a URL
 * reproduces a view. */
"use strict";

(function () {
  const TOP = 100; // rows of the vote tables asked from the API
  const state = { data: null, latest: null, sort: {} };
  const $ = (id) => document.getElementById(id);
  const FIELDS = ["a", "b", "from", "to", "body", "measure", "bootstrap"];

  // ---------------------------------------------------------------- helpers
  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    return Number(v).toFixed(digits === undefined ? 3 : digits);
  }

  function pct(v) {
    return v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%";
  }

  function setStatus(text, isError) {
    const el = $("compare-status");
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
    el.setAttribute("role", isError ? "alert" : "status");
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function cell(tag, text, cls) {
    const c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    return c;
  }

  async function api(path) {
    const resp = await fetch(path);
    const type = resp.headers.get("content-type") || "";
    const body = type.includes("json") ? await resp.json() : null;
    if (!resp.ok) {
      let msg = resp.status + " " + resp.statusText;
      if (body && typeof body.detail === "string") msg = body.detail;
      else if (body && Array.isArray(body.detail)) {
        msg = body.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg).join("; ");
      }
      throw new Error(msg);
    }
    return body;
  }

  function topics() {
    return ($("topics").value || "").split(",").map((s) => s.trim()).filter(Boolean).slice(0, 10);
  }

  async function embed(id, spec) {
    const el = $(id);
    clear(el);
    if (typeof window.vegaEmbed !== "function") {
      el.textContent = "The chart library did not load.";
      return null;
    }
    const out = await window.vegaEmbed(el, spec, {
      renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false },
    });
    el.dataset.rendered = "1";
    return out;
  }

  // ---------------------------------------------------------------- URL state
  function readUrl() {
    const p = new URLSearchParams(window.location.search);
    FIELDS.forEach((k) => { if (p.has(k)) $(k).value = p.get(k); });
    if (p.getAll("topic").length) $("topics").value = p.getAll("topic").join(", ");
    return p;
  }

  function params() {
    const p = new URLSearchParams();
    FIELDS.forEach((k) => { if ($(k).value.trim() !== "") p.set(k, $(k).value.trim()); });
    topics().forEach((t) => p.append("topic", t));
    return p;
  }

  function writeUrl() {
    const p = params();
    if ($("matrix-year").value) p.set("year", $("matrix-year").value);
    const url = window.location.pathname + "?" + p.toString();
    window.history.replaceState(null, "", url);
    $("share").href = url;
  }

  // ---------------------------------------------------------------- the query
  async function show(yearFromUrl) {
    if (!$("a").value.trim() || !$("b").value.trim()) {
      setStatus("Choose two states or blocs.", true);
      return;
    }
    const p = params();
    p.set("top", String(TOP));
    p.set("seed", "0");
    $("dl-csv").href = "/api/compare?" + p.toString() + "&format=csv";
    $("dl-json").href = "/api/compare?" + p.toString();
    setStatus("Computing…");
    let data;
    try {
      data = await api("/api/compare?" + p.toString());
    } catch (e) {
      setStatus(e.message, true);
      ["trend-chart", "matrix-chart", "topics-chart"].forEach((id) => clear($(id)));
      ["divergent-table", "shared-table", "topics-table"].forEach((id) => clear($(id).tBodies[0]));
      $("compare-summary").textContent = "";
      return;
    }
    state.data = data;
    const [pa, pb] = data.parties;
    const q = data.query;
    const o = data.overall;
    setStatus(pa.name + " and " + pb.name + ": " + q.measure + ", " + q.body + " votes " +
      (q.start || "first") + " to " + (q.end || "latest") + " — " + q.resolutions +
      " recorded votes" + (q.bootstrap ? "; intervals: 95% bootstrap (" + q.bootstrap +
      " draws)" : ""));
    $("compare-summary").textContent = "Over the whole period: " + q.measure + " " +
      fmt(o.value) + (o.lo !== null ? " (95% interval " + fmt(o.lo) + "–" + fmt(o.hi) + ")" : "") +
      " on " + o.n + " votes both cast; identical positions on " + pct(o.identical) +
      " of them; one voted Yes and the other No on " + o.opposed + ".";
    fillYears(data, yearFromUrl);
    writeUrl();
    await Promise.all([drawTrend(data), drawMatrix(), drawTopics(data)]);
    fillTopics(data);
    fillVotes("divergent", data.divergent, data.divergent_total, pa, pb);
    fillVotes("shared", data.shared_minority, data.shared_minority_total, pa, pb);
    fillCosponsor(data, pa, pb);
  }

  // ---------------------------------------------------------------- co-sponsorship
  function fillCosponsor(data, pa, pb) {
    const c = data.cosponsorship;
    const tb = $("cosponsor-table").tBodies[0];
    clear(tb);
    $("cosponsor-caption").textContent = "";
    if (!c) { $("cosponsor-summary").textContent = "Not available."; return; }
    if (c.value === null) {
      $("cosponsor-summary").textContent = "No value: " + (c.note || "neither sponsored a text of the period") + ".";
    } else {
      $("cosponsor-summary").textContent = "Jaccard index " + fmt(c.value) +
        (c.lo !== null ? " (95% interval " + fmt(c.lo) + "–" + fmt(c.hi) + ")" : "") +
        ": " + c.both + " texts sponsored together of " + c.n + " either sponsored (" +
        pa.code + " " + c.sponsored_a + ", " + pb.code + " " + c.sponsored_b + "), " +
        c.first + " to " + c.last + ".";
    }
    c.voted_no.forEach((r) => {
      const tr = document.createElement("tr");
      tr.appendChild(cell("td", r.date || "", "col-date"));
      const td = document.createElement("td");
      const a = document.createElement("a");
      a.href = r.link || "#";
      a.rel = "noopener";
      a.target = "_blank";
      a.textContent = r.symbol || r.rid;
      td.appendChild(a);
      td.className = "col-symbol";
      tr.appendChild(td);
      const title = r.title || "";
      tr.appendChild(cell("td", title.length > 180 ? title.slice(0, 179) + "…" : title, "col-title"));
      tr.appendChild(cell("td", r.sponsor + (r.sponsor_kind === "additional" ? " (additional)" : "")));
      tr.appendChild(cell("td", r.voted_no));
      ["yes", "no", "abstain"].forEach((k) => tr.appendChild(cell("td", r[k] === null ? "–" : String(r[k]), "num")));
      tb.appendChild(tr);
    });
    const n = c.voted_no.length, total = c.voted_no_total;
    $("cosponsor-caption").textContent = total === 0 ? "Neither voted No on a text the other sponsored."
      : (n < total ? "The first " + n + " of " + total : String(total)) +
        " recorded votes where one voted No on a resolution the other sponsored, latest first.";
  }

  // ---------------------------------------------------------------- charts
  function drawTrend(data) {
    const m = data.measure;
    const rows = data.trend;
    const x = { field: "period", type: "quantitative", title: "Year",
      axis: { format: "d", tickMinStep: 1 }, scale: { zero: false } };
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: m + " of " + data.parties[0].code + " and " + data.parties[1].code +
        " per year, with the 95% bootstrap interval",
      width: "container", height: 280,
      data: { values: rows },
      layer: [
        { mark: { type: "area", opacity: 0.25, color: "#0072B2" },
          transform: [{ filter: "datum.lo !== null && datum.hi !== null" }],
          encoding: { x: x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
        { mark: { type: "line", point: true, strokeWidth: 2, color: "#0072B2" },
          transform: [{ filter: "datum.value !== null" }],
          encoding: {
            x: x, y: { field: "value", type: "quantitative", title: m, scale: { zero: false } },
            tooltip: [{ field: "period", title: "Year" },
              { field: "value", format: ".3f", title: m },
              { field: "lo", format: ".3f", title: "low" },
              { field: "hi", format: ".3f", title: "high" }, { field: "n", title: "votes" }],
          } },
      ],
      config: { font: "system-ui, sans-serif", axis: { labelFontSize: 12, titleFontSize: 13 } },
    };
    return embed("trend-chart", spec);
  }

  function fillYears(data, wanted) {
    const sel = $("matrix-year");
    const keep = wanted !== undefined ? String(wanted || "") : sel.value;
    clear(sel);
    sel.appendChild(new Option("whole period", ""));
    data.matrix_by_year.forEach((y) => sel.appendChild(new Option(String(y.year), String(y.year))));
    sel.value = data.matrix_by_year.some((y) => String(y.year) === keep) ? keep : "";
  }

  function drawMatrix() {
    const data = state.data;
    if (!data) return null;
    const year = $("matrix-year").value;
    const m = year ? data.matrix_by_year.find((y) => String(y.year) === year) : data.matrix;
    const [pa, pb] = data.parties;
    const names = { Y: "Yes", A: "Abstain", N: "No" };
    const cells = [];
    data.matrix.labels.forEach((la, i) => data.matrix.labels.forEach((lb, j) => {
      const share = m.shares[i][j];
      cells.push({ a: names[la], b: names[lb], count: m.counts[i][j], share: share,
        label: share === null ? String(m.counts[i][j]) : [String(m.counts[i][j]), pct(share)] });
    }));
    $("matrix-note").textContent = "Rows: " + pa.name + "'s vote; columns: " + pb.name +
      "'s; " + m.n + " votes both cast" + (year ? " in " + year : "") +
      ". The diagonal is where they voted alike.";
    const order = ["Yes", "Abstain", "No"];
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: "Matrix of the positions of " + pa.code + " (rows) and " + pb.code +
        " (columns)" + (year ? " in " + year : ""),
      width: 250, height: 230,
      data: { values: cells },
      encoding: {
        x: { field: "b", type: "nominal", sort: order, title: pb.code + " voted",
          axis: { labelAngle: 0, orient: "top" } },
        y: { field: "a", type: "nominal", sort: order, title: pa.code + " voted" },
      },
      layer: [
        { mark: { type: "rect" },
          encoding: { color: { field: "share", type: "quantitative", title: "share",
            scale: { scheme: "blues", domain: [0, Math.max(0.05, ...cells.map((c) => c.share || 0))] },
            legend: null },
          tooltip: [{ field: "a", title: pa.code }, { field: "b", title: pb.code },
            { field: "count", title: "votes" }, { field: "share", format: ".1%" }] } },
        { mark: { type: "text", fontSize: 13, lineHeight: 16 },
          encoding: { text: { field: "label" },
            color: { condition: { test: "datum.share > 0.25", value: "white" }, value: "black" } } },
      ],
      config: { font: "system-ui, sans-serif", axis: { labelFontSize: 12, titleFontSize: 13 },
        view: { stroke: null } },
    };
    return embed("matrix-chart", spec);
  }

  function drawTopics(data) {
    const rows = data.topics.filter((t) => t.value !== null).map((t) => Object.assign({}, t, {
      label: t.kind === "issue" ? t.name + " (" + t.key + ")" : t.name,
      kindLabel: t.kind === "issue" ? "Voeten issue" : "keywords",
    }));
    if (!rows.length) {
      $("topics-chart").textContent = "No topic has enough votes both cast.";
      return null;
    }
    const m = data.measure;
    const y = { field: "label", type: "nominal", title: null, sort: null };
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: m + " by topic",
      width: "container", height: Math.max(160, 18 * rows.length),
      data: { values: rows },
      layer: [
        { mark: { type: "bar" },
          encoding: { y: y, x: { field: "value", type: "quantitative", title: m },
            color: { field: "kindLabel", type: "nominal", title: "Topic",
              scale: { domain: ["Voeten issue", "keywords"], range: ["#0072B2", "#E69F00"] },
              legend: { orient: "bottom" } },
            tooltip: [{ field: "label", title: "topic" }, { field: "value", format: ".3f" },
              { field: "lo", format: ".3f" }, { field: "hi", format: ".3f" },
              { field: "n", title: "votes" }, { field: "basis", title: "codes" }] } },
        { mark: { type: "rule" },
          transform: [{ filter: "datum.lo !== null && datum.hi !== null" }],
          encoding: { y: y, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } },
      ],
      config: { font: "system-ui, sans-serif", axis: { labelFontSize: 11, labelLimit: 260 } },
    };
    return embed("topics-chart", spec);
  }

  // ---------------------------------------------------------------- tables
  function fillTopics(data) {
    const tb = $("topics-table").tBodies[0];
    clear(tb);
    data.topics.filter((t) => t.resolutions > 0).forEach((t) => {
      const tr = document.createElement("tr");
      tr.appendChild(cell("td", t.name));
      tr.appendChild(cell("td", t.kind === "issue" ? "issue " + t.key
        : "keywords: " + (t.keywords || []).join(", ")));
      tr.appendChild(cell("td", fmt(t.value), "num"));
      tr.appendChild(cell("td", fmt(t.lo), "num"));
      tr.appendChild(cell("td", fmt(t.hi), "num"));
      tr.appendChild(cell("td", String(t.n), "num"));
      tr.appendChild(cell("td", t.basis || ""));
      tb.appendChild(tr);
    });
  }

  function render(which) {
    const t = state.tables[which];
    const tb = $(which + "-table").tBodies[0];
    clear(tb);
    t.rows.forEach((r) => {
      const tr = document.createElement("tr");
      tr.dataset.rank = r.rank;
      t.keys.forEach((k) => {
        const td = document.createElement("td");
        if (k === "symbol") {
          const a = document.createElement("a");
          a.href = r.link || "#";
          a.rel = "noopener";
          a.target = "_blank";
          a.textContent = r.symbol || r.rid;
          a.setAttribute("aria-label", "official record of " + (r.symbol || r.rid));
          td.appendChild(a);
          td.className = "col-symbol";
        } else if (k === "contestedness") {
          td.textContent = fmt(r[k], 2);
          td.className = "num";
        } else if (k === "share") {
          td.textContent = pct(r[k]);
          td.className = "num";
        } else if (k === "yes" || k === "no" || k === "abstain") {
          td.textContent = String(r[k]) + (k === "abstain" && r.tally !== "official" ? "*" : "");
          td.className = "num";
        } else if (k === "rank") {
          td.textContent = String(r.rank);
          td.className = "num";
        } else if (k === "title") {
          const text = r.title || "";
          td.textContent = text.length > 180 ? text.slice(0, 179) + "…" : text;
          if (text.length > 180) td.title = text;
          td.className = "col-title";
        } else {
          td.textContent = r[k] === null || r[k] === undefined ? "" : String(r[k]);
          if (k === "date") td.className = "col-date";
        }
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
  }

  function fillVotes(which, rows, total, pa, pb) {
    const table = $(which + "-table");
    const keys = Array.from(table.tHead.rows[0].cells).map((th) => th.dataset.key);
    state.tables = state.tables || {};
    state.tables[which] = { rows: rows.slice(), keys: keys };
    if (which === "divergent") {
      setHeader($("divergent-a"), pa.code);
      setHeader($("divergent-b"), pb.code);
    }
    Array.from(table.tHead.rows[0].cells).forEach((th) => th.removeAttribute("aria-sort"));
    $(which + "-caption").textContent = rows.length < total
      ? "The first " + rows.length + " of " + total + " votes (all of them in the CSV)."
      : total + " vote" + (total === 1 ? "" : "s") + ".";
    render(which);
  }

  function setHeader(th, text) {
    const btn = th.querySelector("button");
    if (btn) btn.textContent = text; else th.textContent = text;
  }

  function sortBy(which, th) {
    const t = state.tables && state.tables[which];
    if (!t) return;
    const key = th.dataset.key;
    const numeric = th.dataset.type === "num";
    const asc = th.getAttribute("aria-sort") !== "ascending";
    Array.from(th.parentNode.cells).forEach((c) => c.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    const dir = asc ? 1 : -1;
    t.rows.sort((x, y) => {
      const u = x[key];
      const v = y[key];
      if (u === null || u === undefined) return 1;
      if (v === null || v === undefined) return -1;
      const c = numeric ? u - v : String(u).localeCompare(String(v));
      return c !== 0 ? dir * c : x.rank - y.rank;
    });
    render(which);
  }

  function makeSortable(which) {
    const table = $(which + "-table");
    Array.from(table.tHead.rows[0].cells).forEach((th) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort";
      btn.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(btn);
      btn.addEventListener("click", () => sortBy(which, th));
    });
  }

  // ---------------------------------------------------------------- start
  async function fillChoices() {
    const dl = $("parties");
    try {
      const [states, blocs] = await Promise.all([api("/api/states"), api("/api/blocs")]);
      blocs.rows.forEach((b) => {
        const o = document.createElement("option");
        o.value = b.aliases.length ? b.aliases[0] : b.key;
        o.label = "bloc: " + b.name;
        dl.appendChild(o);
      });
      states.rows.forEach((s) => {
        const o = document.createElement("option");
        o.value = s.code;
        o.label = s.name;
        dl.appendChild(o);
      });
    } catch (e) {
      /* the datalist only helps typing */
    }
  }

  async function start() {
    makeSortable("divergent");
    makeSortable("shared");
    $("compare-form").addEventListener("submit", (ev) => { ev.preventDefault(); show(); });
    $("matrix-year").addEventListener("change", () => { writeUrl(); drawMatrix(); });
    try {
      const info = await api("/api/info");
      const ga = info.bodies.find((x) => x.body === "GA") || info.bodies[0];
      state.latest = ga && ga.last ? Number(ga.last.slice(0, 4)) : new Date().getFullYear();
    } catch (e) {
      state.latest = new Date().getFullYear();
    }
    $("to").value = state.latest;
    $("from").value = Math.max(1946, state.latest - 25);
    const p = readUrl();
    fillChoices();
    document.body.dataset.ready = "1";
    await show(p.get("year") || "");
    document.body.dataset.loaded = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
