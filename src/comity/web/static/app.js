/* comity dashboard: reads the JSON API of the same server and draws with Vega-Lite.
 * No computation happens here: every number shown comes from /api. The page state lives in
 * the query string (a, b, from, to, issue, body, measure, bootstrap, year, ms, ip, claim), so
 * a URL reproduces a view (a claim text only when it is at most 500 characters long). */
"use strict";

(function () {
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies
  const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#000000", "#8C6D31", "#7F7F7F", "#332288"];
  const DEFAULT_MATRIX = ["USA", "RUS", "CHN", "GBR", "FRA", "DEU", "JPN", "IND", "BRA",
    "ZAF", "TUR", "SAU", "IRN", "ISR", "UKR", "MEX", "NGA", "EGY", "IDN", "CUB", "PRK",
    "SYR", "VEN", "PAK", "KOR", "CAN", "AUS"];
  const state = { info: null, b: [], latest: null, names: {}, claim: null };
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- helpers
  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    return Number(v).toFixed(digits === undefined ? 3 : digits);
  }

  function setStatus(id, text, isError) {
    const el = $(id);
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
    el.setAttribute("role", isError ? "alert" : "status");
  }

  async function api(path, options) {
    const resp = await fetch(path, options);
    let body = null;
    const type = resp.headers.get("content-type") || "";
    if (type.includes("json")) body = await resp.json();
    if (!resp.ok) {
      let msg = resp.status + " " + resp.statusText;
      if (body && typeof body.detail === "string") msg = body.detail;
      else if (body && Array.isArray(body.detail)) {
        msg = body.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg).join("; ");
      }
      const err = new Error(msg);
      err.status = resp.status;
      throw err;
    }
    return body;
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function cell(tag, text, cls) {
    const c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    return c;
  }

  function codes(text) {
    return (text || "").split(/[,\s;]+/).map((s) => s.trim()).filter(Boolean);
  }

  function recordUrl(row) {
    if (row.link) return row.link;
    const sym = row.symbol || row.rid;
    return sym ? "https://undocs.org/" + encodeURI(sym) : null;
  }

  // ---------------------------------------------------------------- URL state
  function readUrl() {
    const p = new URLSearchParams(window.location.search);
    if (p.get("a")) $("a").value = p.get("a");
    if (p.getAll("b").length) state.b = p.getAll("b").slice(0, 10);
    for (const k of ["from", "to", "issue", "body", "measure", "bootstrap"]) {
      if (p.has(k)) $(k).value = p.get(k);
    }
    if (p.get("year")) $("matrix-year").value = p.get("year");
    if (p.get("ms")) $("matrix-states").value = p.get("ms");
    if (p.get("ip")) $("ip-states").value = p.get("ip");
    if (p.get("claim")) {
      $("claim-text").value = p.get("claim");
      state.claim = p.get("claim");
    }
    return p;
  }

  function writeUrl() {
    const p = new URLSearchParams();
    p.set("a", $("a").value.trim());
    state.b.forEach((b) => p.append("b", b));
    for (const k of ["from", "to", "issue", "body", "measure", "bootstrap"]) {
      if ($(k).value !== "") p.set(k, $(k).value);
    }
    if ($("matrix-year").value) p.set("year", $("matrix-year").value);
    if ($("matrix-states").value.trim()) p.set("ms", $("matrix-states").value.trim());
    if ($("ip-states").value.trim()) p.set("ip", $("ip-states").value.trim());
    if (state.claim) p.set("claim", state.claim);
    const url = window.location.pathname + "?" + p.toString();
    window.history.replaceState(null, "", url);
    $("share").href = url;
  }

  // ---------------------------------------------------------------- chips (compared parties)
  function renderChips() {
    const ul = $("b-list");
    clear(ul);
    state.b.forEach((b, i) => {
      const li = document.createElement("li");
      li.appendChild(cell("span", b));
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = "×";
      btn.setAttribute("aria-label", "Remove " + b);
      btn.addEventListener("click", () => {
        state.b.splice(i, 1);
        renderChips();
        $("b-input").focus();
      });
      li.appendChild(btn);
      ul.appendChild(li);
    });
  }

  function addParty() {
    const v = $("b-input").value.trim();
    if (!v) return;
    if (!state.b.includes(v) && state.b.length < 10) state.b.push(v);
    $("b-input").value = "";
    renderChips();
  }

  // ---------------------------------------------------------------- alignment
  function alignmentParams() {
    const p = new URLSearchParams();
    p.set("a", $("a").value.trim());
    state.b.forEach((b) => p.append("b", b));
    if ($("from").value) p.set("from", $("from").value);
    if ($("to").value) p.set("to", $("to").value);
    if ($("issue").value) p.set("issue", $("issue").value);
    p.set("body", $("body").value);
    p.set("measure", $("measure").value);
    p.set("bootstrap", $("bootstrap").value);
    p.set("seed", "0");
    return p;
  }

  async function showAlignment() {
    if (!$("a").value.trim() || state.b.length === 0) {
      setStatus("alignment-status", "Choose a state or bloc and at least one to compare with.", true);
      return;
    }
    writeUrl();
    const p = alignmentParams();
    $("dl-csv").href = "/api/alignment?" + p.toString() + "&format=csv";
    $("dl-json").href = "/api/alignment?" + p.toString();
    setStatus("alignment-status", "Computing…");
    let data;
    try {
      data = await api("/api/alignment?" + p.toString());
    } catch (e) {
      setStatus("alignment-status", e.message, true);
      clear($("alignment-chart"));
      clear($("alignment-table").tBodies[0]);
      return;
    }
    const names = {};
    data.parties.forEach((x) => { names[x.code] = x.name; });
    const rows = data.rows.map((r) => Object.assign({}, r, {
      pair: r.state_a + "–" + r.state_b,
      partner: (names[r.state_b] || r.state_b) + " (" + r.state_b + ")",
    }));
    const q = data.query;
    setStatus("alignment-status",
      (names[data.parties[0].code] || data.parties[0].code) + ": " + q.measures.join(", ") +
      ", " + q.body + " votes, " + (q.start || "first") + " to " + (q.end || "latest") +
      (q.issue ? ", issue " + q.issue : "") + " — " + q.resolutions + " recorded votes" +
      (q.bootstrap ? "; band: 95% bootstrap interval (" + q.bootstrap + " draws)" : ""));
    drawAlignment(rows, q);
    fillAlignmentTable(rows);
  }

  function drawAlignment(rows, q) {
    const measure = q.measures[0];
    const color = { field: "partner", type: "nominal", title: "Compared with",
      scale: { range: PALETTE } };
    const x = { field: "period", type: "quantitative", title: "Year",
      axis: { format: "d", tickMinStep: 1 }, scale: { zero: false } };
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: "Alignment of " + q.parties[0] + " with " + q.parties.slice(1).join(", ") +
        " per year (" + measure + ")",
      width: "container", height: 320,
      data: { values: rows },
      layer: [
        { mark: { type: "area", opacity: 0.22 },
          transform: [{ filter: "datum.lo !== null && datum.hi !== null" }],
          encoding: { x: x, y: { field: "lo", type: "quantitative" },
            y2: { field: "hi" }, color: color } },
        { mark: { type: "line", point: true, strokeWidth: 2 },
          encoding: {
            x: x,
            y: { field: "value", type: "quantitative", title: measure,
              scale: { zero: false } },
            color: color,
            tooltip: [
              { field: "period", title: "Year" }, { field: "partner", title: "With" },
              { field: "value", format: ".3f", title: measure },
              { field: "lo", format: ".3f", title: "low" },
              { field: "hi", format: ".3f", title: "high" },
              { field: "n", title: "votes" }],
          } },
      ],
      config: { font: "system-ui, sans-serif", axis: { labelFontSize: 12, titleFontSize: 13 },
        legend: { labelFontSize: 12, titleFontSize: 13, orient: "bottom" } },
    };
    return embed("alignment-chart", spec);
  }

  function fillAlignmentTable(rows) {
    const tb = $("alignment-table").tBodies[0];
    clear(tb);
    rows.forEach((r) => {
      const tr = document.createElement("tr");
      tr.dataset.period = r.period;
      tr.dataset.stateB = r.state_b;
      tr.appendChild(cell("td", String(r.period)));
      tr.appendChild(cell("td", r.pair));
      const v = cell("td", fmt(r.value), "num value");
      tr.appendChild(v);
      tr.appendChild(cell("td", fmt(r.lo), "num lo"));
      tr.appendChild(cell("td", fmt(r.hi), "num hi"));
      tr.appendChild(cell("td", String(r.n), "num n"));
      tr.appendChild(cell("td", String(r.n_absent + r.n_nonmember + r.n_tied), "num"));
      tb.appendChild(tr);
    });
  }

  async function embed(id, spec, renderer) {
    const el = $(id);
    clear(el);
    if (typeof window.vegaEmbed !== "function") {
      el.textContent = "The chart library did not load.";
      return null;
    }
    const result = await window.vegaEmbed(el, spec, {
      renderer: renderer || "svg",
      actions: { export: true, source: false, compiled: false, editor: false },
    });
    el.dataset.rendered = "1";
    return result;
  }

  // ---------------------------------------------------------------- matrix
  async function showMatrix() {
    const year = $("matrix-year").value || state.latest;
    let list = codes($("matrix-states").value);
    if (!list.length) {
      const mine = [$("a").value.trim()].concat(state.b)
        .filter((c) => /^[A-Za-z]{3}$/.test(c)).map((c) => c.toUpperCase());
      list = Array.from(new Set(mine.concat(DEFAULT_MATRIX)));
    }
    writeUrl();
    const p = new URLSearchParams();
    p.set("year", year);
    list.forEach((s) => p.append("states", s));
    p.set("measure", $("measure").value);
    p.set("body", $("body").value);
    if ($("issue").value) p.set("issue", $("issue").value);
    $("matrix-csv").href = "/api/matrix?" + p.toString() + "&format=csv";
    setStatus("matrix-status", "Computing…");
    let data;
    try {
      data = await api("/api/matrix?" + p.toString());
    } catch (e) {
      setStatus("matrix-status", e.message, true);
      clear($("matrix-chart"));
      return;
    }
    const cells = [];
    data.rows.forEach((r) => {
      cells.push({ x: r.state_a, y: r.state_b, value: r.value, n: r.n });
      cells.push({ x: r.state_b, y: r.state_a, value: r.value, n: r.n });
    });
    const m = data.measure;
    const diverging = m !== "agreement" && m !== "coincidence" && m !== "identical";
    setStatus("matrix-status", m + " between " + data.states.length + " states in " +
      data.period + " (" + data.query.resolutions + " recorded " + data.query.body +
      " votes); darker = more aligned.");
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: "Heat map of " + m + " between pairs of states in " + data.period,
      width: Math.max(240, 18 * data.states.length),
      height: Math.max(240, 18 * data.states.length),
      data: { values: cells },
      mark: { type: "rect" },
      encoding: {
        x: { field: "x", type: "nominal", title: null, sort: data.states },
        y: { field: "y", type: "nominal", title: null, sort: data.states },
        color: { field: "value", type: "quantitative", title: m,
          scale: diverging ? { scheme: "blueorange", domain: [-1, 1], reverse: true }
            : { scheme: "blues", domain: [0, 1] } },
        tooltip: [{ field: "x", title: "state" }, { field: "y", title: "with" },
          { field: "value", format: ".3f", title: m }, { field: "n", title: "votes" }],
      },
      config: { font: "system-ui, sans-serif", axis: { labelFontSize: 11 } },
    };
    await embed("matrix-chart", spec, data.states.length > 60 ? "canvas" : "svg");
  }

  // ---------------------------------------------------------------- ideal points
  async function showIdealPoints() {
    const list = codes($("ip-states").value);
    writeUrl();
    const p = new URLSearchParams();
    list.forEach((s) => p.append("state", s));
    setStatus("ip-status", "Loading…");
    let data;
    try {
      data = await api("/api/idealpoints?" + p.toString());
    } catch (e) {
      setStatus("ip-status", "Ideal points are not available: " + e.message, e.status !== 404 && e.status !== 503);
      clear($("ip-chart"));
      return;
    }
    const rows = data.rows.map((r) => Object.assign({}, r, {
      lo: r.lo !== undefined && r.lo !== null ? r.lo
        : (r.se !== null && r.estimate !== null ? r.estimate - 1.96 * r.se : null),
      hi: r.hi !== undefined && r.hi !== null ? r.hi
        : (r.se !== null && r.estimate !== null ? r.estimate + 1.96 * r.se : null),
    }));
    const missing = (data.meta && data.meta.missing_states) || [];
    setStatus("ip-status", rows.length + " state-periods from the cached fit '" + data.name + "'" +
      (missing.length ? "; not in the fit: " + missing.join(", ") : ""));
    const color = { field: "state", type: "nominal", title: "State", scale: { range: PALETTE } };
    const x = { field: "period", type: "quantitative", title: "Period",
      axis: { format: "d" }, scale: { zero: false } };
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: "Ideal points over time of " + list.join(", "),
      width: "container", height: 320,
      data: { values: rows },
      layer: [
        { mark: { type: "area", opacity: 0.2 },
          transform: [{ filter: "datum.lo !== null && datum.hi !== null" }],
          encoding: { x: x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" },
            color: color } },
        { mark: { type: "line", strokeWidth: 2 },
          encoding: { x: x, y: { field: "estimate", type: "quantitative", title: "ideal point" },
            color: color,
            tooltip: [{ field: "state" }, { field: "period" },
              { field: "estimate", format: ".2f" }, { field: "se", format: ".2f" }] } },
      ],
      config: { font: "system-ui, sans-serif", legend: { orient: "bottom" } },
    };
    await embed("ip-chart", spec);
  }

  // ---------------------------------------------------------------- claims
  const CLAIM_URL_MAX = 500; // longer texts are not kept in the URL
  const CLAIM_SHORT = 300; // longer, or more than one sentence: sent as an article
  const CLAIM_MAX = 1000000;
  const EVIDENCE_SHOWN = 5;
  const VERDICT_CLASS = {
    supported: "v-supported", contradicted: "v-contradicted", inconclusive: "v-inconclusive",
    "measure-dependent": "v-measure-dependent", "insufficient data": "v-insufficient",
    ranking: "v-ranking",
  };

  function sentenceCount(text) {
    let n = 0;
    text.split(/\n\s*\n/).forEach((para) => {
      n += para.trim().split(/[.!?]+["'”’)]*\s+(?=["'“‘(]?[A-Z0-9])/)
        .filter((x) => x.trim()).length;
    });
    return n;
  }

  function isArticle(text) {
    return text.length > CLAIM_SHORT || sentenceCount(text) > 1;
  }

  function signed(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    return (v > 0 ? "+" : "") + fmt(v);
  }

  function badge(text, id) {
    const b = cell("strong", text, "badge " + (VERDICT_CLASS[text] || "v-other"));
    if (id) b.id = id;
    return b;
  }

  // the claim as one item, whatever the answer: ClaimOut (one claim) or ArticleOut
  function singleItem(data, text) {
    const r = data.result || {};
    return {
      sentence: text, reading: data.reading || r.reading, words: data.sentence,
      verdict: data.verdict, headline: data.headline || r.headline || data.verdict,
      verdicts_by_measure: r.verdicts_by_measure || {}, effect: data.effect, lo: data.lo,
      hi: data.hi, ci: r.ci, n: data.n, measure: data.measure,
      measure_definition: r.measure_definition, explanation: r.explanation,
      notes: r.notes || [], reader_notes: [], evidence: data.evidence || [],
      parties: r.parties || [], kind: (r.claim || {}).kind,
    };
  }

  function partyLabel(p) {
    if (!p) return "";
    if (p.kind === "bloc") return p.code && p.code.length <= 6 ? p.code.toUpperCase() : p.name;
    return p.code || p.token || p.name;
  }

  async function checkClaim() {
    const text = $("claim-text").value.trim();
    if (!text) {
      setStatus("claim-status", "Type a claim, a sentence or an article first.", true);
      return;
    }
    if (text.length > CLAIM_MAX) {
      setStatus("claim-status", "The text has " + text.length.toLocaleString("en") +
        " characters; at most " + CLAIM_MAX.toLocaleString("en") + " are read at once.", true);
      return;
    }
    state.claim = text.length <= CLAIM_URL_MAX ? text : null;
    writeUrl();
    const article = isArticle(text);
    setStatus("claim-status", article
      ? "Reading the text and checking every claim in it against the votes…"
      : "Checking the claim against the votes…");
    $("claim-result").hidden = true;
    $("claim-submit").disabled = true;
    let data;
    try {
      data = await api("/api/claims", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text, seed: 0, article: article }),
      });
    } catch (e) {
      setStatus("claim-status", e.message, true);
      return;
    } finally {
      $("claim-submit").disabled = false;
    }
    const items = Array.isArray(data.claims) ? data.claims : [singleItem(data, text)];
    const skipped = Array.isArray(data.skipped) ? data.skipped : [];
    const list = $("claim-list");
    clear(list);
    items.forEach((it, i) => list.appendChild(claimCard(it, i, items.length)));
    fillSkipped(skipped);
    if (Array.isArray(data.claims)) {
      setStatus("claim-status", items.length + " claim" + (items.length === 1 ? "" : "s") +
        " found and checked" + (skipped.length ? ", " + skipped.length + " sentence" +
        (skipped.length === 1 ? "" : "s") + " skipped (listed below)" : "") + ".");
    } else {
      setStatus("claim-status", "");
    }
    $("claim-result").hidden = false;
  }

  function claimCard(it, i, total) {
    const first = i === 0;
    const card = document.createElement("article");
    card.className = "claim-card";
    card.dataset.index = String(i + 1);
    card.dataset.verdict = it.verdict;
    card.dataset.headline = it.headline || it.verdict;
    const hid = "claim-h-" + (i + 1);
    card.setAttribute("aria-labelledby", hid);

    const h = cell("h3", (total > 1 ? "Claim " + (i + 1) + ": " : "") +
      "“" + excerpt(it.sentence || "", 600) + "”", "claim-sentence");
    h.id = hid;
    card.appendChild(h);

    const rd = document.createElement("p");
    rd.className = "claim-reading";
    rd.appendChild(document.createTextNode("read as: "));
    rd.appendChild(cell("q", it.reading || "–", "reading"));
    card.appendChild(rd);

    const v = document.createElement("p");
    v.className = "verdict";
    v.appendChild(document.createTextNode("Verdict: "));
    const head = it.headline || it.verdict;
    if (head !== it.verdict) {
      v.appendChild(badge(head));
      v.appendChild(document.createTextNode(" under " + (it.measure || "the chosen measure") + ": "));
    }
    v.appendChild(badge(it.verdict, first ? "claim-verdict" : null));
    if (first) v.querySelector("#claim-verdict").dataset.testid = "claim-verdict";
    card.appendChild(v);

    const byM = Object.entries(it.verdicts_by_measure || {});
    if (byM.length > 1) {
      card.appendChild(cell("p", "Under each measure: " +
        byM.map(([m, x]) => m + " " + x).join(", ") + ".", "by-measure"));
    }

    const eff = document.createElement("p");
    eff.className = "claim-effect";
    if (first) eff.id = "claim-effect";
    const ci = Math.round(100 * (it.ci || 0.95));
    const parts = [];
    if (it.kind === "ranking" || it.verdict === "ranking") {
      parts.push("Ranking by " + (it.measure || "agreement") + " (values and " + ci +
        "% CIs in the table)");
    } else {
      parts.push("Effect " + signed(it.effect) + (it.lo !== null && it.lo !== undefined &&
        it.hi !== null && it.hi !== undefined ? " (" + ci + "% CI " + signed(it.lo) + " to " +
        signed(it.hi) + ")" : " (no interval)"));
    }
    if (it.n !== null && it.n !== undefined) parts.push("n = " + it.n + " votes");
    if (it.measure) parts.push("measure: " + it.measure);
    eff.textContent = parts.join("; ") + ".";
    card.appendChild(eff);

    if (it.measure_definition) {
      const d = document.createElement("p");
      d.className = "measure-def";
      d.appendChild(cell("strong", it.measure + ":"));
      d.appendChild(document.createTextNode(" " + it.measure_definition + "."));
      card.appendChild(d);
    }
    if (it.explanation) {
      card.appendChild(cell("p", "What moved (" + (it.measure || "") + "): " + it.explanation +
        ".", "explanation"));
    }
    const notes = (it.reader_notes || []).concat(it.notes || []);
    if (notes.length) {
      const ul = document.createElement("ul");
      ul.className = "notes";
      ul.setAttribute("aria-label", "Notes");
      notes.forEach((n) => ul.appendChild(cell("li", "Note: " + n + ".")));
      card.appendChild(ul);
    }
    card.appendChild(evidenceTable(it, first));
    return card;
  }

  function excerpt(text, max) {
    return text.length <= max ? text : text.slice(0, max - 1) + "…";
  }

  // evidence: symbol (linked to the record), date, title, the parties' votes; rankings: the
  // ranking. The first EVIDENCE_SHOWN rows are shown, the others behind a button.
  function evidenceColumns(rows, parties) {
    const keys = new Set();
    rows.forEach((r) => Object.keys(r).forEach((k) => keys.add(k)));
    const lab = (i) => partyLabel(parties[i]) || ["A", "B", "C"][i];
    if (!keys.has("symbol")) {
      return Array.from(keys).filter((k) => k !== "link" && k !== "rid")
        .map((k) => ({ key: k, title: k.replace(/_/g, " ") }));
    }
    const cols = [{ key: "symbol", title: "Symbol" }, { key: "date", title: "Date" },
      { key: "title", title: "Title" }];
    [["vote_a", 0], ["vote_b", 1], ["vote_c", 2]].forEach(([k, i]) => {
      if (keys.has(k)) cols.push({ key: k, title: lab(i) + " vote" });
    });
    if (keys.has("split_c")) cols.push({ key: "split_c", title: lab(2) + " split Y-A-N" });
    if (keys.has("position_a")) cols.push({ key: "position_a", title: lab(0) + " vote" });
    if (keys.has("position")) cols.push({ key: "position", title: lab(0) + " position" });
    if (keys.has("members_yes")) cols.push({ key: "_members", title: "members Y-A-N" });
    if (keys.has("opposed")) cols.push({ key: "opposed", title: "members opposed" });
    if (keys.has("sided")) cols.push({ key: "sided", title: lab(0) + " sided" });
    return cols;
  }

  function evidenceValue(r, key, parties) {
    if (key === "sided" && typeof r.sided === "string") {
      // "with B" / "with C": the parties of the claim by name
      return r.sided.replace(/^with ([ABC])$/, (m, x) => {
        const p = (parties || [])["ABC".indexOf(x)];
        return p ? "with " + partyLabel(p) : m;
      });
    }
    if (key === "_members") {
      return [r.members_yes, r.members_abstain, r.members_no].map((x) =>
        x === null || x === undefined ? "–" : String(x)).join("-");
    }
    const v = r[key];
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.join(", ");
    if (typeof v === "number" && !Number.isInteger(v)) return fmt(v);
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  let evidenceSeq = 0;

  function evidenceTable(it, first) {
    const rows = it.evidence || [];
    const box = document.createElement("div");
    box.className = "evidence-box";
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    const table = document.createElement("table");
    table.className = "evidence";
    if (first) {
      table.id = "claim-evidence";
      table.dataset.testid = "claim-evidence";
    }
    const ranking = rows.length && !("symbol" in rows[0]);
    // the caption sits outside the scrolling box, so it stays readable on a narrow screen
    const cap = cell("p", ranking ? "The ranking, with each value's interval:"
      : "Evidence: the votes that drive the effect, with links to the official records" +
        (rows.length > EVIDENCE_SHOWN ? " (the " + EVIDENCE_SHOWN + " most decisive of " +
          rows.length + " shown)" : "") + ":", "evidence-caption");
    cap.id = "claim-evidence-cap-" + evidenceSeq;
    evidenceSeq += 1;
    table.setAttribute("aria-labelledby", cap.id);
    box.appendChild(cap);
    const thead = table.createTHead();
    const tb = table.createTBody();
    if (!rows.length) {
      const tr = document.createElement("tr");
      tr.appendChild(cell("td", "No evidence rows."));
      tb.appendChild(tr);
    } else {
      const cols = evidenceColumns(rows, it.parties || []);
      const hr = document.createElement("tr");
      cols.forEach((c) => {
        const th = cell("th", c.title, "col-" + c.key.replace(/^_/, ""));
        th.scope = "col";
        hr.appendChild(th);
      });
      thead.appendChild(hr);
      rows.forEach((r, i) => {
        const tr = document.createElement("tr");
        if (i >= EVIDENCE_SHOWN) {
          tr.hidden = true;
          tr.className = "more";
        }
        cols.forEach((c) => {
          const td = document.createElement("td");
          td.className = "col-" + c.key.replace(/^_/, "") +
            (typeof r[c.key] === "number" ? " num" : "");
          const url = c.key === "symbol" ? recordUrl(r) : null;
          if (url) {
            const a = document.createElement("a");
            a.href = url;
            a.rel = "noopener";
            a.target = "_blank";
            a.textContent = evidenceValue(r, c.key, it.parties) || "record";
            a.setAttribute("aria-label", "official record of " + (r.symbol || r.rid || "this vote"));
            td.appendChild(a);
          } else {
            td.textContent = evidenceValue(r, c.key, it.parties);
          }
          tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
    }
    wrap.appendChild(table);
    box.appendChild(wrap);
    if (rows.length > EVIDENCE_SHOWN) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "secondary more-rows";
      more.textContent = "Show all " + rows.length + " rows";
      more.setAttribute("aria-expanded", "false");
      more.addEventListener("click", () => {
        const open = more.getAttribute("aria-expanded") !== "true";
        tb.querySelectorAll("tr.more").forEach((tr) => { tr.hidden = !open; });
        more.setAttribute("aria-expanded", open ? "true" : "false");
        more.textContent = open ? "Show the first " + EVIDENCE_SHOWN + " rows"
          : "Show all " + rows.length + " rows";
      });
      box.appendChild(more);
    }
    return box;
  }

  function fillSkipped(skipped) {
    const box = $("claim-skipped-box");
    const tb = $("claim-skipped").tBodies[0];
    clear(tb);
    box.hidden = !skipped.length;
    $("claim-skipped-h").textContent = skipped.length + " sentence" +
      (skipped.length === 1 ? "" : "s") + " skipped";
    const SHOWN = 300;
    skipped.slice(0, SHOWN).forEach((s) => {
      const tr = document.createElement("tr");
      tr.appendChild(cell("td", excerpt(s.sentence || "", 600), "skipped-sentence"));
      tr.appendChild(cell("td", s.why || "", "skipped-why"));
      tb.appendChild(tr);
    });
    if (skipped.length > SHOWN) {
      const tr = document.createElement("tr");
      const td = cell("td", "… and " + (skipped.length - SHOWN) + " more.");
      td.colSpan = 2;
      tr.appendChild(td);
      tb.appendChild(tr);
    }
  }

  // ---------------------------------------------------------------- provenance
  function fillProvenance(info) {
    const box = $("provenance-body");
    clear(box);
    const p = document.createElement("p");
    const bodies = info.bodies.map((b) => b.body + ": " + b.recorded + " recorded votes, " +
      b.first + " to " + b.last).join("; ");
    p.textContent = "comity " + info.version + ", store " + info.db + ": " +
      info.counts.recorded + " recorded votes and " + info.counts.votes + " state votes of " +
      info.counts.states + " states (" + bodies + ").";
    box.appendChild(p);
    const src = document.createElement("p");
    src.textContent = "Sources: " + info.sources.map((s) => s.source + " (" + s.resolutions +
      " resolutions)").join(", ") + ". Data-quality findings: " +
      Object.entries(info.quality).map(([k, v]) => k + " " + v).join(", ") + ".";
    box.appendChild(src);
    const det = document.createElement("details");
    det.appendChild(cell("summary", "Files loaded (sha256)"));
    const ul = document.createElement("ul");
    info.ingests.forEach((g) => {
      const li = document.createElement("li");
      li.appendChild(cell("span", g.file.split("/").pop() + " (" + g.source + ", loaded " + g.at + "): "));
      li.appendChild(cell("code", g.sha256));
      ul.appendChild(li);
    });
    det.appendChild(ul);
    box.appendChild(det);
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
        state.names[s.code] = s.name;
      });
    } catch (e) {
      /* the datalist only helps typing; the queries still work */
    }
  }

  async function start() {
    $("query").addEventListener("submit", (ev) => { ev.preventDefault(); showAlignment(); });
    $("b-add").addEventListener("click", addParty);
    $("b-input").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); addParty(); }
    });
    $("matrix-form").addEventListener("submit", (ev) => { ev.preventDefault(); showMatrix(); });
    $("ip-form").addEventListener("submit", (ev) => { ev.preventDefault(); showIdealPoints(); });
    $("claim-form").addEventListener("submit", (ev) => { ev.preventDefault(); checkClaim(); });
    $("claim-text").addEventListener("keydown", (ev) => {
      // Enter checks a one-line claim; Shift+Enter (or any Enter in a longer text) is a new
      // line; Ctrl/Cmd+Enter always checks
      const multi = $("claim-text").value.includes("\n") || ev.shiftKey;
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey || !multi)) {
        ev.preventDefault();
        checkClaim();
      }
    });

    state.b = ["RUS", "EU"];
    let info = null;
    try {
      info = await api("/api/info");
      state.info = info;
    } catch (e) {
      $("provenance-body").textContent = "Could not read the store: " + e.message;
    }
    if (info) {
      const ga = info.bodies.find((b) => b.body === "GA") || info.bodies[0];
      state.latest = ga && ga.last ? Number(ga.last.slice(0, 4)) : new Date().getFullYear();
      $("to").value = state.latest;
      // the last full year: the latest one is often only a few months of votes
      const partial = ga && ga.last && ga.last.slice(5, 7) !== "12";
      $("matrix-year").value = partial ? state.latest - 1 : state.latest;
      const sel = $("issue");
      Object.entries(info.issues).forEach(([code, label]) => {
        const o = document.createElement("option");
        o.value = code;
        o.textContent = label + " (" + code + ")";
        sel.appendChild(o);
      });
      fillProvenance(info);
      if (!info.features.claims) {
        setStatus("claim-status", "Claims are not available in this installation.");
      }
    }
    const params = readUrl();
    renderChips();
    fillChoices();
    document.body.dataset.ready = "1";
    await showAlignment();
    await Promise.all([showMatrix(), showIdealPoints()]);
    if (params.get("claim") && info && info.features.claims) await checkClaim();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
