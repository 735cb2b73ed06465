// The notebook explorer's page side (an anywidget ES module).
//
// Python sends the graph as graphviz SVG (drawn once: the graph's shape never changes),
// each node's value and gradient as text, and the steps of the walk (titles, sentences and
// formulas from autograd_mini.explain.trace.walk). This side only shows them: it never computes
// a number. Every text goes into the page with textContent, never as markup.

// The step viewer's module: explorer.py writes its text in place of this import (anywidget
// loads one module).
import {
  arrange, element, follow, paintEdges, paintNode, parsePicture, say, useWords,
} from "./stepviewer.js";

// Inputs and buttons keep their keys from JupyterLab's shortcuts (ArrowLeft, ArrowRight).
function control(tag, className, attributes) {
  const node = element(tag, className);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  return node;
}

// The page's parts: toolbar, picture, legend, error line, the step's words, the inputs.
function buildPage(el) {
  const ui = {
    root: element("div", "am-explorer"),
    prev: control("button", "am-prev", { type: "button" }),
    next: control("button", "am-next", { type: "button" }),
    scrub: control("input", "am-scrub", { type: "range", min: "0", "aria-label": say("step") }),
    counter: element("span", "am-counter"),
    // A big graph is shown at its real size in a scrolling box; "Fit" shrinks it to the box.
    fit: control("button", "am-fit", { type: "button", "aria-pressed": "false" }),
    // A network's explorer zooms out: every node, each unit, each layer.
    levels: element("span", "am-levels"),
    picture: element("div", "am-graph"),
    legend: element("div", "am-legend"),
    title: element("h3", "am-title"),
    lines: element("ul", "am-lines"),
    formula: element("div", "am-formula"),
    status: element("div", "am-error"),
    inputsBox: element("section", "am-inputs"),
    // The quiz (explore(out, quiz=True)): the step's blanks, and the score at the end.
    quiz: element("form", "am-quiz"),
    score: element("p", "am-score"),
  };
  ui.quiz.hidden = ui.score.hidden = true;
  ui.quiz.addEventListener("submit", (event) => event.preventDefault());
  ui.score.setAttribute("role", "status");
  ui.prev.textContent = say("← Previous");
  ui.next.textContent = say("Next →");
  ui.fit.textContent = say("Fit");
  ui.status.setAttribute("role", "alert");
  const toolbar = element("div", "am-toolbar");
  ui.levels.setAttribute("role", "group");
  ui.levels.setAttribute("aria-label", say("zoom level"));
  toolbar.append(ui.prev, ui.next, ui.counter, ui.fit, ui.levels, ui.scrub);
  const explain = element("section", "am-explain");
  explain.append(ui.title, ui.lines, ui.formula, ui.quiz, ui.score);
  ui.inputsBox.append(element("h3", "am-title", say("Inputs")));
  const lower = element("div", "am-lower");
  lower.append(explain, ui.inputsBox);
  ui.root.append(toolbar, ui.picture, ui.legend, ui.status, lower);
  el.append(ui.root);
  return ui;
}

// Both layouts of the graph (laid out once, in Python, for the widest number a node can
// show): "wide" left to right, "tall" top to bottom. The page shows one at a time.
function drawGraph(picture, model) {
  const layouts = { wide: parsePicture(model.get("svg")) };
  if (model.get("svg_tall")) layouts.tall = parsePicture(model.get("svg_tall"));
  picture.replaceChildren();
  return { layouts, name: null };
}

// The box the picture has: its width, and most of the window's height; Fit (the class
// am-fitted) shrinks the graph to it.
function layOut(ui, graph) {
  const pad = 14;
  const room = { width: Math.max(120, ui.picture.clientWidth - pad),
                 height: Math.max(160, 0.6 * window.innerHeight), pad };
  const whole = ui.picture.classList.contains("am-fitted");
  graph.name = arrange(ui.picture, graph.layouts, graph.name, room, whole);
}

// The numbers known after the first ``index`` steps (each step carries only its news).
function known(nodes, steps, index) {
  const values = new Map(), grads = new Map();
  for (const node of nodes) if (node.constant) values.set(node.id, node.value);
  for (const step of steps.slice(0, index)) {
    for (const [id, text] of Object.entries(step.values)) values.set(id, text);
    for (const [id, text] of Object.entries(step.grads)) grads.set(id, text);
  }
  return { values, grads };
}

// Every node's numbers and colours, and the edges: the step's in red; in the overview,
// the gradient-flow colours.
function paintGraph(graph, nodes, step, numbers, overview) {
  const picture = graph.layouts[graph.name];
  const colours = new Map();
  for (const node of nodes) {
    const value = overview ? node.value : numbers.values.get(node.id) ?? "?";
    const grad = overview ? node.grad : numbers.grads.get(node.id) ?? "?";
    // a layer's box (fixed) keeps the picture's own text
    const texts = node.fixed ? [] : node.constant ? ["data " + value]
      : ["data " + value, "grad " + grad];
    paintNode(picture, node.id, { active: !overview && step.active === node.id, texts,
                                  fill: overview ? node.fill : "",
                                  font: overview ? node.font : "" });
    colours.set(node.id, node.fill);
  }
  paintEdges(picture, overview ? [] : step.edges, (from) => overview && colours.get(from));
}

// The step's title, sentences and formula; the |grad| legend in the overview.
function showWords(ui, step, stops, overview) {
  ui.title.textContent = step.title;
  ui.lines.replaceChildren(...step.lines.map((text) => element("li", "", text)));
  ui.formula.replaceChildren();
  if (step.formula) {
    ui.formula.append(say("From the op table: "), element("code", "", step.formula));
  }
  ui.legend.replaceChildren();
  if (!overview) return;
  ui.legend.append(element("span", "am-legend-title", "|grad|"));
  for (const stop of stops) {
    const swatch = element("span", "am-swatch", stop.text);
    swatch.style.background = stop.fill;
    swatch.style.color = stop.font;
    ui.legend.append(swatch);
  }
}

// What the page shows at the current step: step 0 is everything computed, with the
// gradient-flow colours; steps 1… walk forward node by node, then backward.
function show(ui, graph, model) {
  const nodes = model.get("nodes");
  const steps = model.get("steps");
  const index = Math.max(0, Math.min(steps.length, model.get("step")));
  const overview = index === 0;
  const step = overview ? model.get("overview") : steps[index - 1];
  if (!graph.name) layOut(ui, graph);
  paintGraph(graph, nodes, step, known(nodes, steps, index), overview);
  // The overview follows the output, whose value its first line gives.
  const output = nodes.length ? nodes[nodes.length - 1].id : "";
  follow(ui.picture, graph.layouts[graph.name], overview ? output : step.active);
  showWords(ui, step, model.get("legend"), overview);
  ui.scrub.max = String(steps.length);
  ui.scrub.value = String(index);
  ui.counter.textContent = overview ? say("all / {steps} steps", { steps: steps.length })
                                    : `${index} / ${steps.length}`;
  ui.prev.disabled = index === 0;
  ui.next.disabled = index >= reach(model);
  showQuiz(ui, model, index);
}

// --- The quiz: Python asks, checks and scores (autograd_mini.explain.quiz); this side draws the
// blanks of the current step, sends what is typed, and shows what Python said.

// The last step the walk may show: in a quiz, the first whose blanks are still open.
function reach(model) {
  const quiz = model.get("quiz_state") || {};
  return quiz.questions ? quiz.reach : model.get("steps").length;
}

function showQuiz(ui, model, index) {
  const quiz = model.get("quiz_state") || {};
  const asked = (quiz.questions || []).filter((q) => q.step === index);
  const typed = new Map(Array.from(ui.quiz.querySelectorAll("input"),
                                   (box) => [box.dataset.question, box.value]));
  const hadFocus = ui.quiz.contains(document.activeElement);
  ui.quiz.hidden = asked.length === 0;
  ui.quiz.replaceChildren(...asked.map((q) => blank(model, q, typed.get(q.id))));
  const open = ui.quiz.querySelector("input:not(:disabled)");
  if (hadFocus) (open || ui.next).focus();
  ui.score.hidden = !quiz.finished;
  ui.score.textContent = quiz.finished
    ? say("Score: {right} of {total} right at the first try",
          { right: quiz.score.right, total: quiz.score.total }) : "";
}

// One blank: its prompt, a box for the answer, Check and Show answer, what Python said.
function blank(model, q, typed) {
  const set = element("fieldset", "am-blank");
  set.dataset.question = q.id;
  const box = control("input", "am-answer", { type: "text", inputmode: "decimal",
                                              autocomplete: "off", "aria-label": q.prompt });
  box.dataset.question = q.id;
  box.value = q.done ? q.answer : (typed ?? q.typed);
  const check = control("button", "am-check", { type: "button" });
  const give = control("button", "am-show", { type: "button" });
  check.textContent = say("Check");
  give.textContent = say("Show answer");
  const said = element("p", `am-said ${q.tone}`, q.said);
  said.setAttribute("aria-live", "polite");
  box.disabled = check.disabled = give.disabled = q.done;
  check.addEventListener("click", () => {
    model.send({ kind: "answer", question: q.id, text: box.value });
  });
  give.addEventListener("click", () => model.send({ kind: "show", question: q.id }));
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); check.click(); }
  });
  set.append(element("legend", "", q.prompt), box, check, give, said);
  return set;
}

// One row per input: its name, a slider, a number box and its gradient.
function buildInputs(ui, model, rows, propose) {
  for (const row of ui.inputsBox.querySelectorAll(".am-input")) row.remove();
  rows.clear();
  for (const leaf of model.get("leaves")) {
    const row = element("div", "am-input");
    row.dataset.name = leaf.name;
    const name = element("span", "am-name", leaf.name);
    const attrs = { min: String(leaf.min), max: String(leaf.max), step: String(leaf.step),
                    "aria-label": leaf.name };
    const slider = control("input", "am-slider", { type: "range", ...attrs });
    const box = control("input", "am-number", { type: "number", step: "any",
                                                "aria-label": say("{name} (number)",
                                                                  { name: leaf.name }) });
    const grad = element("span", "am-grad");
    slider.addEventListener("input", () => propose(leaf.name, Number(slider.value)));
    box.addEventListener("input", () => {
      if (box.value !== "" && Number.isFinite(Number(box.value))) {
        propose(leaf.name, Number(box.value));
      }
    });
    row.append(name, slider, box, grad);
    ui.inputsBox.append(row);
    rows.set(leaf.name, { slider, box, grad });
  }
}

function showInputs(ui, model, rows) {
  const inputs = model.get("inputs"), grads = model.get("grad_text");
  const texts = model.get("input_text") || {}; // each number as the tables write it
  const out = model.get("output_name");
  for (const [name, row] of rows) {
    if (document.activeElement !== row.box) row.box.value = texts[name] ?? String(inputs[name]);
    if (document.activeElement !== row.slider) row.slider.value = String(inputs[name]);
    row.grad.textContent = `∂${out}/∂${name} = ${grads[name]}`;
  }
  ui.status.textContent = model.get("error");
}

// New numbers go to Python, which replays the graph and answers "done"; at most one
// request is in flight, and the latest numbers wait for it.
function messenger(model, root) {
  let inFlight = false, pending = null, startedAt = 0;
  function sendPending() {
    const inputs = pending;
    pending = null;
    inFlight = true;
    startedAt = performance.now();
    model.send({ kind: "inputs", inputs });
  }
  function propose(name, number) {
    pending = { ...(pending || model.get("inputs")), [name]: number };
    if (!inFlight) sendPending();
  }
  function onMessage(message) {
    if (!message || message.kind !== "done") return;
    inFlight = false;
    root.dataset.updateMs = (performance.now() - startedAt).toFixed(1);
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
    if (pending) sendPending();
  }
  return { propose, onMessage };
}

// A zoom level in the reader's words.
function levelName(level) {
  const names = { nodes: say("nodes"), units: say("units"), layers: say("layers") };
  return Object.prototype.hasOwnProperty.call(names, level) ? names[level] : level;
}

// The zoom switch: a button per level the explorer has (none for one level); Python
// answers a new level with its picture and steps.
function buildLevels(ui, model) {
  const levels = model.get("levels") || ["nodes"];
  ui.levels.hidden = levels.length < 2;
  ui.levels.replaceChildren(...levels.map((level) => {
    const button = control("button", "am-level", { type: "button" });
    button.textContent = levelName(level);
    button.dataset.level = level;
    button.addEventListener("click", () => {
      model.set("level", level);
      model.save_changes();
    });
    return button;
  }));
  showLevel(ui, model);
}

function showLevel(ui, model) {
  for (const button of ui.levels.children) {
    button.setAttribute("aria-pressed", String(button.dataset.level === model.get("level")));
  }
}

// The toolbar: Previous, Next and the scrubber move the step (Python hears of it); Fit
// shows the whole graph in the box, however small its text, and back.
function connectToolbar(ui, model, relayout) {
  const goTo = (index) => {
    model.set("step", Math.min(index, reach(model))); // a quiz: no further than its blanks
    model.save_changes();
  };
  ui.fit.addEventListener("click", () => {
    const fitted = ui.picture.classList.toggle("am-fitted");
    ui.fit.setAttribute("aria-pressed", String(fitted));
    relayout();
  });
  ui.prev.addEventListener("click", () => goTo(model.get("step") - 1));
  ui.next.addEventListener("click", () => goTo(model.get("step") + 1));
  ui.scrub.addEventListener("input", () => goTo(Number(ui.scrub.value)));
}

function render({ model, el }) {
  useWords(model.get("words"));  // the reader's language, from Python
  const ui = buildPage(el);
  const rows = new Map(); // input name -> {slider, box, grad}
  const messages = messenger(model, ui.root);
  let graph = drawGraph(ui.picture, model);
  const step = () => show(ui, graph, model);
  const inputs = () => showInputs(ui, model, rows);
  const relayout = () => { layOut(ui, graph); step(); };
  const handlers = {
    "change:svg": () => { graph = drawGraph(ui.picture, model); step(); },
    "change:svg_tall": () => { graph = drawGraph(ui.picture, model); step(); },
    "change:input_text": inputs,
    "change:nodes": () => { step(); inputs(); },
    "change:step": step,
    "change:inputs": inputs,
    "change:error": inputs,
    "change:leaves": () => { buildInputs(ui, model, rows, messages.propose); inputs(); },
    "change:quiz_state": step,
    "change:levels": () => buildLevels(ui, model),
    "change:level": () => showLevel(ui, model),
    "msg:custom": messages.onMessage,
  };
  for (const [name, handler] of Object.entries(handlers)) model.on(name, handler);
  connectToolbar(ui, model, relayout);
  buildLevels(ui, model);
  buildInputs(ui, model, rows, messages.propose);
  step();
  inputs();
  // A new width (a resized window or notebook panel) may call for the other layout.
  let width = ui.root.clientWidth;
  const resized = new ResizeObserver(() => {
    if (ui.root.clientWidth !== width) { width = ui.root.clientWidth; relayout(); }
  });
  resized.observe(ui.root);
  ui.root.dataset.ready = "true";
  return () => {
    resized.disconnect();
    for (const [name, handler] of Object.entries(handlers)) model.off(name, handler);
  };
}

export default { render };
