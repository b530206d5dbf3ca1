/* corpus report: draws the corpus embedded in #corpus-data.
 *
 * Article text is hostile: everything from the data reaches the page through textContent or
 * a canvas, never through innerHTML, attributes that load or run anything, or links.
 */
(function () {
  "use strict";
  const started = performance.now();
  const D = JSON.parse(document.getElementById("corpus-data").textContent);
  const E = D.entities; // [id, name, label, mentions, articles, aliases]
  const A = D.articles;
  const PAGE = 200;
  const KWIC_WIDTH = 60;
  const KWIC_MAX = 500;
  const charts = {};
  let network = null;
  let searchIndex = null;

  // --- making text safe to show ------------------------------------------------------------
  // The terminal's rule (corpus/escapes.py): control characters and bidirectional overrides
  // are shown as visible escapes; one-line fields also escape line breaks and tabs.
  const UNSAFE_TEXT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const UNSAFE_LINE = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  function escapeChar(c) {
    const code = c.charCodeAt(0);
    const named = { "\n": "\\n", "\t": "\\t", "\r": "\\r" }[c];
    if (named) return named;
    return code < 0x100 ? "\\x" + code.toString(16).padStart(2, "0")
      : "\\u" + code.toString(16).padStart(4, "0");
  }
  const visible = (s) => String(s).replace(UNSAFE_TEXT, escapeChar);
  const oneLine = (s) => (s == null ? "" : String(s).replace(UNSAFE_LINE, escapeChar));

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = oneLine(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Number(n).toLocaleString("en");
  function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
  function linkButton(text, hash) {
    const b = el("button", "link", text);
    b.type = "button";
    b.addEventListener("click", () => go(hash));
    return b;
  }
  function colour(label) { return D.labels[label] || "#888888"; }
  function tint(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  function luminance(hex) {
    const n = parseInt(hex.slice(1), 16);
    return 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  }
  // A label colour dark enough to read on a pale background.
  function readable(hex) {
    if (luminance(hex) <= 150) return hex;
    const n = parseInt(hex.slice(1), 16);
    return `rgb(${(n >> 16) >> 1}, ${((n >> 8) & 255) >> 1}, ${(n & 255) >> 1})`;
  }
  function chip(label) {
    const c = el("span", "chip", label);
    c.style.background = colour(label);
    c.style.color = luminance(colour(label)) > 150 ? "#111" : "#fff";
    return c;
  }

  // --- derived indexes ---------------------------------------------------------------------
  const entityArticles = E.map(() => []);
  A.forEach((a, i) => {
    const m = a.m;
    const seen = new Set();
    for (let k = 2; k < m.length; k += 3) seen.add(m[k]);
    seen.forEach((e) => entityArticles[e].push(i));
  });

  // --- header --------------------------------------------------------------------------------
  function header() {
    const m = D.meta;
    const focus = D.focus != null ? E[D.focus] : null;
    $("report-title").textContent = oneLine(
      focus ? `${focus[1]} in ${m.store}` : `The corpus in ${m.store}`);
    const parts = [`${fmt(m.included)} articles`];
    if (focus) parts.push(`those mentioning ${oneLine(focus[1])} (${oneLine(focus[0])})`);
    const f = m.filters;
    if (f.lang) parts.push(`in language ${oneLine(f.lang)}`);
    if (f.dedupe != null) {
      parts.push(`near-duplicates once (${fmt(f.dedupe)} ${f.dedupe === 1 ? "copy" : "copies"} left out)`);
    }
    if (f.since || f.until) {
      parts.push(`dated ${f.since ? "from " + f.since : ""}${f.since && f.until ? " " : ""}` +
        `${f.until ? "until " + f.until : ""}`);
    }
    if (m.sampled) {
      parts.push(`a sample of ${fmt(m.included)} of the ${fmt(m.matched)} that match ` +
        "(--max-articles): every count on this page is over the sample");
    }
    parts.push(`of ${fmt(m.stored)} in the store`, `written ${m.generated}`);
    parts.push(f.labels === "all" ? "entities of every label" : f.labels ?
      `entities labelled ${oneLine(f.labels)}` : "names only (--all-labels for dates and numbers)");
    $("report-note").textContent = parts.join(" · ");
    if (m.sampled) $("report-note").classList.add("warn");
  }

  // --- overview ------------------------------------------------------------------------------
  function overview() {
    const o = D.overview;
    const stats = clear($("stats"));
    const add = (value, what) => {
      const s = el("div", "stat");
      s.appendChild(el("b", null, value));
      s.appendChild(document.createTextNode(what));
      stats.appendChild(s);
    };
    add(fmt(o.articles), "articles");
    add(fmt(o.words), "words");
    add(fmt(E.length), "entities");
    add(fmt(o.mentions), "mentions");
    add(fmt(o.sources.length), "sources" + (o.unsourced ? ` (${fmt(o.unsourced)} without)` : ""));
    if (o.kinds.length === 1) add(`${o.kinds[0][0]}s only`, "kind");
    else add(o.kinds.map(([k, n]) => `${fmt(n)} ${k}${n === 1 ? "" : "s"}`).join(", ") || "none",
      "kinds");
    if (o.languages.length) add(o.languages.map(([l, n]) => `${l} ${fmt(n)}`).join(", "), "languages");
    add(o.first ? (o.first === o.last ? o.first : `${o.first} to ${o.last}`) : "none",
      "dates" + (o.undated ? ` (${fmt(o.undated)} undated)` : ""));
    const legend = clear($("legend"));
    const present = new Set(E.map((e) => e[2]));
    Object.keys(D.labels).filter((l) => present.has(l)).forEach((l) => legend.appendChild(chip(l)));
    charts.sources = barChart($("chart-sources"), o.sources.slice(0, 25), true,
      "No article names its source.");
    charts.folders = barChart($("chart-folders"), o.folders.slice(0, 25), true,
      "All articles come from one folder.", 2);
    const t = D.timeline;
    $("dates-caption").textContent = `Articles per ${t.periods.length ? t.unit : "date"}` +
      (t.undated ? ` (${fmt(t.undated)} undated not shown)` : "");
    charts.dates = barChart($("chart-dates"), t.periods.map((p, i) => [p, t.articles[i]]), false,
      "No article carries a date.");
  }

  // A bar chart of [label, count] pairs, or `empty` said in its place when there are fewer
  // than `least` bars.
  function barChart(canvas, pairs, horizontal, empty, least = 1) {
    if (pairs.length < least) {
      canvas.parentNode.replaceWith(el("p", "note", empty));
      return null;
    }
    const labels = pairs.map((p) => p[0]), values = pairs.map((p) => p[1]);
    return new Chart(canvas, {
      type: "bar",
      data: { labels: labels.map(oneLine), datasets: [{ data: values, backgroundColor: "#0b5cad" }] },
      options: {
        indexAxis: horizontal ? "y" : "x", animation: false, maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { autoSkip: true } }, y: { ticks: { autoSkip: !horizontal } } },
      },
    });
  }

  // --- entities ------------------------------------------------------------------------------
  const entityView = { key: 3, asc: false, shown: PAGE };
  function entityControls() {
    const select = $("entity-label");
    const labels = [...new Set(E.map((e) => e[2]))].sort();
    labels.forEach((l) => { const o = el("option", null, l); o.value = l; select.appendChild(o); });
    select.addEventListener("change", () => { entityView.shown = PAGE; entityTable(); });
    $("entity-filter").addEventListener("input", () => { entityView.shown = PAGE; entityTable(); });
    $("entity-more").addEventListener("click", () => { entityView.shown += PAGE * 5; entityTable(); });
    document.querySelectorAll("#entity-table th[data-key]").forEach((th) => {
      th.addEventListener("click", () => {
        const key = Number(th.dataset.key);
        entityView.asc = entityView.key === key ? !entityView.asc : key <= 2;
        entityView.key = key;
        entityTable();
      });
    });
  }

  function entityTable() {
    const label = $("entity-label").value;
    const needle = $("entity-filter").value.trim().toLowerCase();
    let rows = E.map((e, i) => i).filter((i) => {
      const e = E[i];
      if (label && e[2] !== label) return false;
      if (!needle) return true;
      return e[1].toLowerCase().includes(needle) || e[0].toLowerCase().includes(needle) ||
        e[5].some((a) => a.toLowerCase().includes(needle));
    });
    const { key, asc } = entityView;
    rows.sort((x, y) => {
      const a = E[x][key], b = E[y][key];
      const c = typeof a === "number" ? a - b : String(a).localeCompare(String(b));
      return (asc ? c : -c) || x - y;
    });
    document.querySelectorAll("#entity-table th[data-key]").forEach((th) => {
      th.classList.toggle("sorted", Number(th.dataset.key) === key);
      th.classList.toggle("asc", asc);
    });
    $("entity-count").textContent = `${fmt(rows.length)} of ${fmt(E.length)} entities`;
    const body = clear(document.querySelector("#entity-table tbody"));
    const fragment = document.createDocumentFragment();
    rows.slice(0, entityView.shown).forEach((i) => {
      const e = E[i];
      const tr = el("tr", "link");
      tr.dataset.entity = String(i);
      const name = el("td");
      name.appendChild(el("span", null, e[1]));
      tr.appendChild(name);
      const lab = el("td");
      lab.appendChild(chip(e[2]));
      tr.appendChild(lab);
      tr.appendChild(el("td", "num", fmt(e[3])));
      tr.appendChild(el("td", "num", fmt(e[4])));
      tr.appendChild(el("td", "note", e[5].join(", ")));
      tr.addEventListener("click", () => go(`#entity/${i}`));
      fragment.appendChild(tr);
    });
    body.appendChild(fragment);
    $("entity-more").hidden = rows.length <= entityView.shown;
  }

  function kwicRows(entity) {
    const rows = [];
    for (const i of entityArticles[entity]) {
      const a = A[i], m = a.m;
      for (let k = 0; k < m.length; k += 3) {
        if (m[k + 2] !== entity) continue;
        rows.push([i, m[k], m[k + 1]]);
        if (rows.length >= KWIC_MAX) return rows;
      }
    }
    return rows;
  }

  function showEntity(i) {
    const e = E[i];
    const section = clear($("entity"));
    if (!e) { section.appendChild(el("p", "note", "no such entity")); return; }
    const h = el("h2", null, e[1]);
    h.appendChild(document.createTextNode(" "));
    h.appendChild(chip(e[2]));
    section.appendChild(h);
    section.appendChild(el("p", "note",
      `${e[0]} · ${fmt(e[3])} mentions in ${fmt(e[4])} articles · written as ${e[5].join(", ")}`));
    const list = entityArticles[i];
    section.appendChild(el("h3", null, `In ${fmt(list.length)} articles`));
    const titles = el("ul", "titles");
    list.slice(0, 20).forEach((ai) => {
      const li = el("li");
      li.appendChild(linkButton(A[ai].title || "(untitled)", `#article/${ai}`));
      li.appendChild(el("span", "note", ` ${A[ai].source || ""} ${A[ai].date || ""}`));
      titles.appendChild(li);
    });
    section.appendChild(titles);
    const actions = el("p");
    actions.appendChild(linkButton(list.length > 20 ? `all ${fmt(list.length)} of its articles`
      : "its articles in the table", `#articles/${i}`));
    section.appendChild(actions);
    const neighbours = neighboursOf(i);
    if (neighbours.length) {
      section.appendChild(el("h3", null, "Shares sentences with"));
      const p = el("p");
      neighbours.slice(0, 20).forEach(([j, count], n) => {
        if (n) p.appendChild(document.createTextNode(", "));
        p.appendChild(linkButton(E[j][1], `#entity/${j}`));
        p.appendChild(document.createTextNode(` (${count})`));
      });
      section.appendChild(p);
    }
    const rows = kwicRows(i);
    section.appendChild(el("h3", null, `Mentions in context (${rows.length < e[3] ? `the first ${rows.length} of ` : ""}${fmt(e[3])})`));
    const table = el("table", "kwic");
    const tbody = el("tbody");
    rows.forEach(([ai, start, end]) => {
      const body = A[ai].body;
      const tr = el("tr");
      tr.appendChild(el("td", "left", flat(body.slice(Math.max(0, start - KWIC_WIDTH * 2), start)).slice(-KWIC_WIDTH)));
      const mid = el("td");
      const mark = el("mark", "entity", flat(body.slice(start, end)));
      mark.style.background = tint(colour(e[2]), 0.25);
      mid.appendChild(mark);
      tr.appendChild(mid);
      tr.appendChild(el("td", null, flat(body.slice(end, end + KWIC_WIDTH * 2)).slice(0, KWIC_WIDTH)));
      const link = el("td", "where");
      link.appendChild(linkButton(A[ai].title || A[ai].id, `#article/${ai}`));
      tr.appendChild(link);
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    section.appendChild(table);
  }
  const flat = (s) => s.replace(/\s+/g, " ");

  function neighboursOf(i) {
    const found = [];
    D.network.edges.forEach(([a, b, count]) => {
      if (a === i) found.push([b, count]);
      else if (b === i) found.push([a, count]);
    });
    return found.sort((x, y) => y[1] - x[1]);
  }

  // --- network -------------------------------------------------------------------------------
  function drawNetwork() {
    if (network) return;
    const t = performance.now();
    const nodes = D.network.nodes;
    if (!nodes.length) {
      $("network-info").textContent = "No two entities share a sentence in these articles.";
      return;
    }
    const maxMentions = Math.max(...nodes.map(([i]) => E[i][3]));
    const elements = nodes.map(([i]) => ({
      data: {
        id: "n" + i, entity: i, name: oneLine(E[i][1]), colour: colour(E[i][2]),
        size: 12 + 48 * Math.sqrt(E[i][3] / maxMentions),
      },
    }));
    D.network.edges.forEach(([a, b, count, npmi], k) => {
      elements.push({ data: { id: "e" + k, source: "n" + a, target: "n" + b, count, npmi } });
    });
    network = cytoscape({
      container: $("network-graph"),
      elements,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", width: "data(size)", height: "data(size)",
          label: "data(name)", "font-size": 14, "text-valign": "bottom", "text-margin-y": 2,
          "min-zoomed-font-size": 6, "text-outline-color": "#fff", "text-outline-width": 2 } },
        { selector: "edge", style: { "line-color": "#9aa4b1", opacity: 0.55, width: 1 } },
        { selector: ".faded", style: { opacity: 0.08 } },
        { selector: "node.focused", style: { "border-width": 3, "border-color": "#111" } },
      ],
    });
    // Springs as strong as the pairs: with equal springs everything pulls into one ball.
    const topCount = Math.max(...D.network.edges.map((e) => e[2]));
    network.layout({
      name: "cose", animate: false, randomize: false, numIter: 250, gravity: 0.3,
      nodeRepulsion: () => 400000, nodeOverlap: 20,
      idealEdgeLength: (edge) => 40 + 160 * (1 - Math.sqrt(edge.data("count") / topCount)),
      edgeElasticity: (edge) => 20 + 200 * edge.data("count") / topCount,
    }).run();
    // Stretched to the shape of the view, so that zooming to fit uses all of it.
    const box = network.nodes().boundingBox(), view = $("network-graph");
    const stretch = (view.clientWidth / view.clientHeight) / (box.w / Math.max(box.h, 1));
    if (stretch > 1.1) {
      const middle = box.x1 + box.w / 2;
      network.nodes().positions((node) => ({
        x: middle + (node.position("x") - middle) * stretch * 0.85, y: node.position("y"),
      }));
    }
    network.fit(undefined, 30);
    network.on("tap", "node", (event) => focusNode(event.target));
    network.on("tap", (event) => { if (event.target === network) focusNode(null); });
    const weight = $("network-weight"), threshold = $("network-threshold");
    weight.addEventListener("change", styleEdges);
    threshold.addEventListener("input", styleEdges);
    $("network-reset").addEventListener("click", () => { focusNode(null); network.fit(); });
    styleEdges();
    focusNode(D.focus != null ? network.getElementById("n" + D.focus) : null);
    document.documentElement.dataset.networkMs = String(Math.round(performance.now() - t));
  }

  function edgeWeight(edge) {
    return $("network-weight").value === "npmi" ? edge.data("npmi") : edge.data("count");
  }

  function styleEdges() {
    const edges = network.edges();
    const values = edges.map(edgeWeight);
    const low = Math.min(...values), high = Math.max(...values);
    const cut = low + (high - low) * Number($("network-threshold").value) / 100;
    const npmi = $("network-weight").value === "npmi";
    $("network-threshold-value").textContent =
      `edges with ${npmi ? "NPMI" : "count"} ≥ ${npmi ? cut.toFixed(2) : Math.ceil(cut)}`;
    network.batch(() => edges.forEach((edge) => {
      const w = edgeWeight(edge);
      edge.style("display", w >= cut ? "element" : "none");
      edge.style("width", 0.5 + 5 * (high > low ? (w - low) / (high - low) : 1));
    }));
  }

  function focusNode(node) {
    network.elements().removeClass("faded focused");
    const info = clear($("network-info"));
    if (!node) { info.textContent = "Click a node to focus it; drag to pan, scroll to zoom."; return; }
    const near = node.closedNeighborhood();
    network.elements().not(near).addClass("faded");
    node.addClass("focused");
    const i = node.data("entity");
    info.appendChild(document.createTextNode(`${oneLine(E[i][1])}: ${fmt(E[i][3])} mentions, ` +
      `${node.neighborhood("node").length} neighbours shown · `));
    info.appendChild(linkButton("open the entity", `#entity/${i}`));
  }

  // --- timeline ------------------------------------------------------------------------------
  function drawTimeline() {
    if (charts.timeline) return;
    const t = D.timeline;
    if (!t.periods.length) {
      $("timeline-note").textContent = "No article carries a date.";
      return;
    }
    $("timeline-note").textContent = `Mentions per ${t.unit} of the most mentioned entities` +
      (t.unit === "week" ? " (weeks start on Monday)" : "") +
      (t.undated ? `; ${fmt(t.undated)} undated articles are not counted` : "") + ".";
    charts.timeline = new Chart($("chart-timeline"), {
      type: "line",
      data: {
        labels: t.periods,
        datasets: t.series.map(([i, counts], n) => ({
          label: oneLine(E[i][1]), data: counts, borderColor: PALETTE[n % PALETTE.length],
          backgroundColor: PALETTE[n % PALETTE.length], tension: 0.2, pointRadius: 2,
          borderWidth: i === D.focus ? 4 : 2,
        })),
      },
      options: { animation: false, maintainAspectRatio: false, interaction: { mode: "nearest" } },
    });
  }
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  // --- articles ------------------------------------------------------------------------------
  const articleView = { entity: null, shown: PAGE };
  function articleControls() {
    const select = $("article-source");
    D.overview.sources.forEach(([s]) => {
      const o = el("option", null, s); o.value = s; select.appendChild(o);
    });
    select.addEventListener("change", () => { articleView.shown = PAGE; articleTable(); });
    $("article-filter").addEventListener("input", () => { articleView.shown = PAGE; articleTable(); });
    $("article-more").addEventListener("click", () => { articleView.shown += PAGE * 5; articleTable(); });
  }

  function articleTable() {
    const source = $("article-source").value;
    const needle = $("article-filter").value.trim().toLowerCase();
    const pool = articleView.entity != null ? entityArticles[articleView.entity] : A.map((a, i) => i);
    const rows = pool.filter((i) => (!source || A[i].source === source) &&
      (!needle || (A[i].title || "").toLowerCase().includes(needle)));
    const which = clear($("article-entity"));
    if (articleView.entity != null) {
      which.appendChild(document.createTextNode(`mentioning ${oneLine(E[articleView.entity][1])} · `));
      which.appendChild(linkButton("all articles", "#articles"));
    }
    $("article-count").textContent = `${fmt(rows.length)} articles`;
    const body = clear(document.querySelector("#article-table tbody"));
    const fragment = document.createDocumentFragment();
    rows.slice(0, articleView.shown).forEach((i) => {
      const a = A[i];
      const tr = el("tr", "link");
      tr.dataset.article = String(i);
      tr.appendChild(el("td", null, a.title || "(untitled)"));
      tr.appendChild(el("td", null, a.source));
      tr.appendChild(el("td", null, a.date));
      tr.appendChild(el("td", "num", fmt(a.words)));
      tr.addEventListener("click", () => go(`#article/${i}`));
      fragment.appendChild(tr);
    });
    body.appendChild(fragment);
    $("article-more").hidden = rows.length <= articleView.shown;
  }

  const META = ["id", "kind", "source", "date", "author", "place", "url", "lang", "rights",
    "words", "file"];
  function showArticle(i) {
    const a = A[i];
    const section = clear($("article"));
    if (!a) { section.appendChild(el("p", "note", "no such article")); return; }
    section.appendChild(el("h2", null, a.title || "(untitled)"));
    const dl = el("dl", "meta");
    META.forEach((key) => {
      if (a[key] == null || a[key] === "") return;
      dl.appendChild(el("dt", null, key));
      dl.appendChild(el("dd", null, typeof a[key] === "number" ? fmt(a[key]) : a[key]));
    });
    section.appendChild(dl);
    if (a.summary) {
      section.appendChild(el("h3", null, "Summary"));
      section.appendChild(el("p", "summary", a.summary));
    }
    const labels = new Set();
    for (let k = 2; k < a.m.length; k += 3) labels.add(E[a.m[k]][2]);
    if (labels.size) {
      const legend = el("div", "legend");
      [...labels].sort().forEach((l) => legend.appendChild(chip(l)));
      section.appendChild(legend);
    }
    section.appendChild(highlighted(a));
  }

  // displaCy's markup: <mark class="entity">text<span class="label">LABEL</span></mark>
  function highlighted(a) {
    const div = el("div", "body");
    const body = a.body, m = a.m;
    let position = 0;
    for (let k = 0; k < m.length; k += 3) {
      const start = m[k], end = m[k + 1], e = E[m[k + 2]];
      if (start < position || end > body.length) continue; // overlapping: leave it plain
      div.appendChild(document.createTextNode(visible(body.slice(position, start))));
      const mark = document.createElement("mark");
      mark.className = "entity";
      mark.dataset.entity = String(m[k + 2]);
      mark.title = oneLine(`${e[1]} (${e[0]})`);
      mark.style.background = tint(colour(e[2]), 0.22);
      mark.appendChild(document.createTextNode(visible(body.slice(start, end))));
      const label = el("span", "label", e[2]);
      label.style.color = readable(colour(e[2]));
      mark.appendChild(label);
      const target = m[k + 2];
      mark.addEventListener("click", () => go(`#entity/${target}`));
      div.appendChild(mark);
      position = end;
    }
    div.appendChild(document.createTextNode(visible(body.slice(position))));
    return div;
  }

  // --- search --------------------------------------------------------------------------------
  // The index is built in the background after the first drawing, a few articles at a time,
  // so that the page answers at once; a search typed before it is ready runs when it is.
  let searchReady = null;
  function buildIndex() {
    if (searchReady) return searchReady;
    const t = performance.now();
    searchIndex = new MiniSearch({ fields: ["title", "body"], idField: "i" });
    searchReady = searchIndex
      .addAllAsync(A.map((a, i) => ({ i, title: a.title || "", body: a.body })), { chunkSize: 50 })
      .then(() => {
        document.documentElement.dataset.indexMs = String(Math.round(performance.now() - t));
        if ($("search-input").value.trim()) search();
      });
    return searchReady;
  }

  function search() {
    const query = $("search-input").value.trim();
    const list = clear($("search-results"));
    if (!query) { $("search-count").textContent = ""; return; }
    if (!document.documentElement.dataset.indexMs) {
      $("search-count").textContent = "indexing the articles…";
      buildIndex();
      return;
    }
    const results = searchIndex.search(query, { prefix: true, fuzzy: 0.15, boost: { title: 2 },
      combineWith: "AND" });
    $("search-count").textContent = `${fmt(results.length)} articles`;
    results.slice(0, 100).forEach((r) => {
      const a = A[r.id];
      const li = el("li");
      li.dataset.article = String(r.id);
      li.appendChild(linkButton(a.title || "(untitled)", `#article/${r.id}`));
      li.appendChild(el("span", "note", ` ${a.source || ""} ${a.date || ""}`));
      li.appendChild(snippet(a.body, r.terms));
      list.appendChild(li);
    });
  }

  function snippet(body, terms) {
    const p = el("div", "snippet");
    const lower = body.toLowerCase();
    let at = -1, term = "";
    for (const t of terms) {
      const found = lower.indexOf(t.toLowerCase());
      if (found >= 0 && (at < 0 || found < at)) { at = found; term = t; }
    }
    if (at < 0) { p.textContent = oneLine(flat(body.slice(0, 160))); return p; }
    const from = Math.max(0, at - 80);
    p.appendChild(document.createTextNode((from ? "…" : "") + oneLine(flat(body.slice(from, at)))));
    p.appendChild(el("mark", "hit", body.slice(at, at + term.length)));
    p.appendChild(document.createTextNode(oneLine(flat(body.slice(at + term.length, at + 160))) + "…"));
    return p;
  }

  // --- navigation ----------------------------------------------------------------------------
  const SECTIONS = ["overview", "entities", "entity", "network", "timeline", "articles",
    "article", "search"];
  const TAB_OF = { entity: "entities", article: "articles" };
  function route() {
    const [name, arg] = location.hash.slice(1).split("/");
    const section = SECTIONS.includes(name) ? name : (D.focus != null ? "entity" : "overview");
    const number = arg === undefined || arg === "" ? null : Number(arg);
    SECTIONS.forEach((s) => { $(s).hidden = s !== section; });
    document.querySelectorAll("#tabs a").forEach((a) => {
      a.classList.toggle("active", a.dataset.tab === (TAB_OF[section] || section));
    });
    if (section === "entity") showEntity(number != null ? number : D.focus);
    else if (section === "article") showArticle(number);
    else if (section === "articles") {
      articleView.entity = Number.isInteger(number) && E[number] ? number : null;
      articleView.shown = PAGE;
      articleTable();
    } else if (section === "network") drawNetwork();
    else if (section === "timeline") drawTimeline();
    else if (section === "search") $("search-input").focus();
    window.scrollTo(0, 0);
  }

  header();
  overview();
  entityControls();
  entityTable();
  articleControls();
  $("search-input").addEventListener("input", search);
  window.addEventListener("hashchange", route);
  route();
  document.documentElement.dataset.renderMs = String(Math.round(performance.now() - started));
  // Since navigation began: loading and parsing the page, its data, and this first drawing.
  document.documentElement.dataset.readyAt = String(Math.round(performance.now()));
  document.documentElement.dataset.ready = "true";
  setTimeout(buildIndex, 0);
  // For tests and the curious: where a node is drawn (page coordinates), to click it.
  window.corpusReport = {
    nodePosition(entity) {
      const node = network && network.getElementById("n" + entity);
      if (!node || !node.length) return null;
      const box = $("network-graph").getBoundingClientRect(), at = node.renderedPosition();
      return { x: box.left + at.x, y: box.top + at.y };
    },
  };
})();
