// The notebook explorer's page side (an anywidget ES module).
//
// Python sends the graph as graphviz SVG (drawn once: the graph's shape never changes),
// each node's value and gradient as text, and the steps of the walk (titles, sentences and
// formulas from autograd_mini.viz.steps.walk). This side only shows them: it never computes
// a number. Every text goes into the page with textContent, never as markup.

const SVG_NS = "http://www.w3.org/2000/svg";
const ACTIVE = "#dc2626";
const EDGE = "#6b7280";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Inputs and buttons keep their keys from JupyterLab's shortcuts (ArrowLeft, ArrowRight).
function control(tag, className, attributes) {
  const node = element(tag, className);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  return node;
}

// The graphviz picture as SVG nodes (parsed as XML: no script runs, no HTML is read).
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg") return document.createElementNS(SVG_NS, "svg");
  return document.importNode(root, true);
}

// The <text> fields of a node's record: [name, "data …", "grad …"] (constants: ["data …"]).
function fields(group, named) {
  const texts = group ? Array.from(group.querySelectorAll("text")) : [];
  const start = named ? 1 : 0;
  return { data: texts[start], grad: texts[start + 1], all: texts };
}

function render({ model, el }) {
  const root = element("div", "am-explorer");
  const toolbar = element("div", "am-toolbar");
  const prev = control("button", "am-prev", { type: "button" });
  prev.textContent = "← Previous";
  const next = control("button", "am-next", { type: "button" });
  next.textContent = "Next →";
  const scrub = control("input", "am-scrub", { type: "range", min: "0", "aria-label": "step" });
  const counter = element("span", "am-counter");
  // A big graph is shown at its real size in a scrolling box; "Fit" shrinks it to the box.
  const fit = control("button", "am-fit", { type: "button", "aria-pressed": "false" });
  fit.textContent = "Fit";
  toolbar.append(prev, next, scrub, counter, fit);

  const picture = element("div", "am-graph");
  const legend = element("div", "am-legend");
  const explain = element("section", "am-explain");
  const title = element("h3", "am-title");
  const lines = element("ul", "am-lines");
  const formula = element("div", "am-formula");
  const status = element("div", "am-error");
  status.setAttribute("role", "alert");
  explain.append(title, lines, formula);

  const inputsBox = element("section", "am-inputs");
  inputsBox.append(element("h3", "am-title", "Inputs"));
  const lower = element("div", "am-lower");
  lower.append(explain, inputsBox);
  root.append(toolbar, picture, legend, status, lower);
  el.append(root);

  let groups = new Map(); // node id -> <g class="node">
  let edges = [];         // [parent id, child id, <g class="edge">]
  const rows = new Map(); // input name -> {slider, box, grad}
  let inFlight = false, pending = null, startedAt = 0;

  function drawGraph() {
    picture.replaceChildren(parseSvg(model.get("svg")));
    groups = new Map();
    for (const group of picture.querySelectorAll("g.node")) {
      groups.set(group.id, group);
      for (const shape of group.querySelectorAll("polygon, ellipse, path")) {
        shape.dataset.fill = shape.getAttribute("fill") || "none";
        shape.dataset.stroke = shape.getAttribute("stroke") || "black";
      }
    }
    edges = [];
    for (const group of picture.querySelectorAll("g.edge")) {
      const name = (group.querySelector("title") || {}).textContent || "";
      const [from, to] = name.split("->");
      edges.push([from, (to || "").replace(/_op$/, ""), group]);
    }
  }

  function paintNode(id, fill, font, active) {
    for (const key of [id, id + "_op"]) {
      const group = groups.get(key);
      if (!group) continue;
      const isOp = key !== id;
      for (const shape of group.querySelectorAll("polygon, ellipse")) {
        if (!isOp) shape.setAttribute("fill", fill || shape.dataset.fill);
        shape.setAttribute("stroke", active ? ACTIVE : shape.dataset.stroke);
        shape.setAttribute("stroke-width", active ? "3" : "1");
      }
      for (const text of group.querySelectorAll("text")) {
        text.setAttribute("fill", isOp ? (active ? ACTIVE : "black") : (font || "black"));
      }
    }
  }

  function paintEdge(group, colour, width) {
    for (const shape of group.querySelectorAll("path, polygon")) {
      shape.setAttribute("stroke", colour);
      if (shape.nodeName === "polygon") shape.setAttribute("fill", colour);
      shape.setAttribute("stroke-width", width);
    }
  }

  // What the picture shows at the current step: step 0 is everything computed, with the
  // gradient-flow colours; steps 1… walk forward node by node, then backward.
  function show() {
    const nodes = model.get("nodes");
    const steps = model.get("steps");
    const index = Math.max(0, Math.min(steps.length, model.get("step")));
    const overview = index === 0;
    const values = new Map(), grads = new Map();
    for (const node of nodes) if (node.constant) values.set(node.id, node.value);
    for (const step of steps.slice(0, index)) {
      for (const [id, text] of Object.entries(step.values)) values.set(id, text);
      for (const [id, text] of Object.entries(step.grads)) grads.set(id, text);
    }
    const step = overview ? model.get("overview") : steps[index - 1];
    const colours = new Map();
    for (const node of nodes) {
      const f = fields(groups.get(node.id), !node.constant);
      if (f.data) f.data.textContent = "data " + (overview ? node.value : values.get(node.id) ?? "?");
      if (f.grad) f.grad.textContent = "grad " + (overview ? node.grad : grads.get(node.id) ?? "?");
      const active = !overview && step.active === node.id;
      paintNode(node.id, overview ? node.fill : "", overview ? node.font : "", active);
      colours.set(node.id, node.fill);
    }
    const lit = new Set((overview ? [] : step.edges).map(([a, b]) => a + ">" + b));
    for (const [from, to, group] of edges) {
      if (lit.has(from + ">" + to)) paintEdge(group, ACTIVE, "2.5");
      else if (overview && colours.get(from)) paintEdge(group, colours.get(from), "2");
      else paintEdge(group, EDGE, "1");
    }
    title.textContent = step.title;
    lines.replaceChildren(...step.lines.map((text) => element("li", "", text)));
    formula.replaceChildren();
    if (step.formula) {
      formula.append("From the op table: ", element("code", "", step.formula));
    }
    legend.replaceChildren();
    if (overview) {
      legend.append(element("span", "am-legend-title", "|grad|"));
      for (const stop of model.get("legend")) {
        const swatch = element("span", "am-swatch", stop.text);
        swatch.style.background = stop.fill;
        swatch.style.color = stop.font;
        legend.append(swatch);
      }
    }
    scrub.max = String(steps.length);
    scrub.value = String(index);
    counter.textContent = overview ? `all / ${steps.length} steps` : `${index} / ${steps.length}`;
    prev.disabled = index === 0;
    next.disabled = index === steps.length;
  }

  function buildInputs() {
    for (const row of inputsBox.querySelectorAll(".am-input")) row.remove();
    rows.clear();
    for (const leaf of model.get("leaves")) {
      const row = element("div", "am-input");
      row.dataset.name = leaf.name;
      const name = element("span", "am-name", leaf.name);
      const attrs = { min: String(leaf.min), max: String(leaf.max), step: String(leaf.step),
                      "aria-label": leaf.name };
      const slider = control("input", "am-slider", { type: "range", ...attrs });
      const box = control("input", "am-number", { type: "number", step: "any",
                                                  "aria-label": leaf.name + " (number)" });
      const grad = element("span", "am-grad");
      slider.addEventListener("input", () => propose(leaf.name, Number(slider.value)));
      box.addEventListener("input", () => {
        if (box.value !== "" && Number.isFinite(Number(box.value))) {
          propose(leaf.name, Number(box.value));
        }
      });
      row.append(name, slider, box, grad);
      inputsBox.append(row);
      rows.set(leaf.name, { slider, box, grad });
    }
  }

  function showInputs() {
    const inputs = model.get("inputs"), grads = model.get("grad_text");
    const out = model.get("output_name");
    for (const [name, row] of rows) {
      if (document.activeElement !== row.box) row.box.value = String(inputs[name]);
      if (document.activeElement !== row.slider) row.slider.value = String(inputs[name]);
      row.grad.textContent = `∂${out}/∂${name} = ${grads[name]}`;
    }
    status.textContent = model.get("error");
  }

  // A new number for one input: Python replays the graph and answers; at most one request
  // is in flight, and the latest number waits for it.
  function propose(name, number) {
    pending = { ...(pending || model.get("inputs")), [name]: number };
    if (!inFlight) sendPending();
  }

  function sendPending() {
    const inputs = pending;
    pending = null;
    inFlight = true;
    startedAt = performance.now();
    model.send({ kind: "inputs", inputs });
  }

  function onMessage(message) {
    if (!message || message.kind !== "done") return;
    inFlight = false;
    root.dataset.updateMs = (performance.now() - startedAt).toFixed(1);
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
    if (pending) sendPending();
  }

  function goTo(index) {
    model.set("step", index);
    model.save_changes();
  }

  fit.addEventListener("click", () => {
    const fitted = picture.classList.toggle("am-fitted");
    fit.setAttribute("aria-pressed", String(fitted));
  });
  prev.addEventListener("click", () => goTo(model.get("step") - 1));
  next.addEventListener("click", () => goTo(model.get("step") + 1));
  scrub.addEventListener("input", () => goTo(Number(scrub.value)));

  const redraw = () => { drawGraph(); show(); };
  const update = () => { show(); showInputs(); };
  model.on("change:svg", redraw);
  model.on("change:nodes", update);
  model.on("change:step", show);
  model.on("change:inputs", showInputs);
  model.on("change:error", showInputs);
  model.on("change:leaves", () => { buildInputs(); showInputs(); });
  model.on("msg:custom", onMessage);

  drawGraph();
  buildInputs();
  show();
  showInputs();
  root.dataset.ready = "true";
  return () => {
    model.off("change:svg", redraw);
    model.off("change:nodes", update);
    model.off("change:step", show);
    model.off("change:inputs", showInputs);
    model.off("change:error", showInputs);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
