// The playground: an expression, a slider per input, the graph and the walk through the
// forward and backward pass, with a quiz.  The page only shows: every number, sentence
// and picture comes from autograd_mini.site.page_api (Python, in this tab's engine, a
// Web Worker: every call is async).  All text goes in as text (textContent); the one
// markup inserted is the SVG graphviz drew from DOT whose labels the package escaped.
// Until the engine is ready the page shows the default expression's graph, drawn when
// the site was built.
import { engine, ready, showStatus } from "./engine.js";
import { element, follow, indexPicture } from "./stepviewer.js";
import {
  followNetworkLink, networkLink, networkMode, readNetworkLink, setMode, startNetworks,
} from "./network.js";
import { say, showWords } from "./words.js";

showWords({
  title: say("autograd_mini playground: backpropagation step by step"),
  "header h1": say("autograd_mini playground"),
  "label[for=expression]": say("Expression"),
  "#functions": say("Numbers, names, + - * / **, parentheses and functions."),
  "#inputs@aria-label": say("inputs"),
  "#value-label": say("value"),
  "#previous": say("◀ Previous"),
  "#next": say("Next ▶"),
  "#quiz-label": say("Quiz me"),
  "#stop": say("Stop"),
  "#stop@title": say("stop drawing a very large expression"),
  "#graph@aria-label": say("the graph"),
  "#share": say("Share link"),
  "#share-link@aria-label": say("link to this page"),
  "#share-link@placeholder": say("the link to this expression and its numbers"),
  "#about": say("Every number on this page is computed by the autograd_mini package itself, "
                + "running in your browser; nothing is sent anywhere. A link carries the "
                + "expression and the numbers, never code."),
});

const $ = (id) => document.getElementById(id);
// The lecture's neuron, o = tanh(x*w + b), until the student types another expression.
const state = { index: null, titles: [], values: { x: 2, w: -3, b: 6.8814 }, quiz: false,
                names: [], drafts: {} };
const phone = window.matchMedia("(max-width: 700px)");
const playground = (name, ...args) => engine.call("page_api", `playground.${name}`, ...args)
  .then(JSON.parse);

// --- the link: #e=EXPRESSION&at=x:2,w:-3&step=4&quiz=1 (numbers and names only) ---
function readLink() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const values = {};
  for (const pair of (fragment.get("at") || "").split(",")) {
    const [name, number] = pair.split(":");
    if (name && number !== undefined && Number.isFinite(Number(number))) {
      values[name] = Number(number);
    }
  }
  const step = Number.parseInt(fragment.get("step"), 10);
  return { expression: fragment.get("e"), values, step: Number.isFinite(step) ? step : null,
           quiz: fragment.get("quiz") === "1" };
}

function writeLink() {
  const at = state.names.map((n) => `${n}:${state.values[n]}`).join(",");
  const fragment = new URLSearchParams({ e: $("expression").value, at, step: state.index ?? 0 });
  if (state.quiz) fragment.set("quiz", "1");
  const link = new URL(location.href);
  link.hash = fragment.toString();
  return link.href;
}

// --- inputs: a slider and a number box per name ---
function buildInputs(names) {
  const box = $("inputs");
  if (names.join(",") === state.names.join(",") && box.childElementCount) {
    showNumbers(box);
    return;
  }
  state.names = names;
  box.replaceChildren();
  for (const name of names) {
    const id = `input-${names.indexOf(name)}`;
    const label = element("label", "", name);
    label.htmlFor = id;
    const slider = element("input");
    const start = state.values[name];
    Object.assign(slider, { type: "range", min: Math.min(-5, Math.floor(start)),
                            max: Math.max(5, Math.ceil(start)), step: 0.01, id });
    slider.setAttribute("aria-label", say("{name} slider", { name }));
    const number = element("input");
    Object.assign(number, { type: "number", step: "any" });
    number.setAttribute("aria-label", say("{name} value", { name }));
    slider.value = number.value = state.values[name];
    slider.addEventListener("input", () => {
      number.value = slider.value;
      setValue(name, Number(slider.value));
    });
    number.addEventListener("input", () => {
      if (number.value === "" || !Number.isFinite(Number(number.value))) return;
      slider.value = number.value;
      setValue(name, Number(number.value));
    });
    const row = element("div", "input");
    row.append(label, slider, number);
    box.append(row);
  }
}

// The boxes show the numbers in use (a link may have changed them), except the one the
// student is typing into or dragging.
function showNumbers(box) {
  [...box.children].forEach((row, i) => {
    for (const input of row.querySelectorAll("input")) {
      if (input !== document.activeElement) input.value = state.values[state.names[i]];
    }
  });
}

function setValue(name, number) {
  state.values[name] = number;
  redraw();
}

// The page's work with the engine, one action after another in the order asked: a step
// asked during a redraw moves on from where the redraw leaves the walk.
let actions = Promise.resolve();
function inTurn(action) {
  const done = actions.then(action);
  actions = done.catch(() => {});
  return done;
}

// One redraw at a time: moves made while the engine works fold into the next redraw, so
// a slider never queues up work (the newest numbers win).
let drawing = null;
let again = false;
function redraw() {
  if (drawing) {
    again = true;
    return drawing;
  }
  $("stop").disabled = false;
  drawing = inTurn(async () => {
    do {
      again = false;
      const started = performance.now();
      await refresh();
      window.autograd_mini.lastRedrawMs = performance.now() - started;
      window.autograd_mini.redraws = (window.autograd_mini.redraws || 0) + 1;
    } while (again);
  }).catch(stopped).finally(() => {
    drawing = null;
    $("stop").disabled = true;
  });
  return drawing;
}

// Stop during a long redraw (a very large expression): said where errors are.
function stopped(error) {
  $("expression-error").textContent = error.message === "KeyboardInterrupt"
    ? say("stopped (the expression is too large to draw quickly)") : error.message;
}

// --- the expression, read by the package's parser ---
async function refresh() {
  state.drafts = {}; // typed answers and hints belong to one expression at its numbers
  const sent = { ...state.values };
  const result = await playground("load", $("expression").value, JSON.stringify(sent));
  $("expression-error").textContent = result.error || "";
  if (result.error) {
    state.result = { error: result.error };
    buildInputs((result.names ?? []).filter((name) => name in state.values)); // with a number
    return false;
  }
  // The numbers the package read (a new name's first value among them), except those the
  // student changed while it worked: the next redraw reads those.
  for (const [name, number] of Object.entries(result.inputs)) {
    if (state.values[name] === sent[name]) state.values[name] = number;
  }
  state.result = { value: result.value, grads: result.grads }; // what the page shows
  buildInputs(result.names);
  state.titles = result.titles;
  $("value").textContent = String(result.value);
  const last = state.titles.length - 1;
  state.index = Math.min(state.index ?? last, last);
  await show(state.index);
  return true;
}

// --- one step of the walk ---
async function show(index) {
  state.index = index;
  const frame = await playground("frame", index, phone.matches ? "TB" : "LR", state.quiz);
  if (frame.error) { // the package refused or failed: said, and the page goes on
    $("expression-error").textContent = frame.error;
    return;
  }
  const graph = $("graph");
  graph.innerHTML = frame.svg; // graphviz's SVG of DOT whose every label the package escaped
  const svg = graph.querySelector("svg");
  fit(svg);
  $("step-title").textContent = `${frame.title} (${index + 1}/${state.titles.length})`;
  $("lines").replaceChildren(...frame.lines.map((line) => element("p", "", line)));
  $("formula").textContent = frame.formula;
  showQuiz(frame);
  $("previous").disabled = index === 0;
  $("next").disabled = index === state.titles.length - 1
    || frame.questions.some((q) => !q.done);
  if (svg) follow(graph, indexPicture(svg), frame.active); // the step viewers' own rule
}

// A graph a little wider than its box is shrunk to fit; a larger one keeps its size (its
// text stays readable) and the box pans to the active node.
const SMALLEST_SCALE = 0.7;
function fit(svg) {
  if (!svg) return;
  const width = svg.width.baseVal.value;
  const height = svg.height.baseVal.value;
  const room = $("graph").clientWidth - 2;
  const scale = Math.min(1, room / width);
  if (scale < 1 && scale >= SMALLEST_SCALE) {
    svg.setAttribute("width", `${width * scale}px`);
    svg.setAttribute("height", `${height * scale}px`);
  }
}

// --- the quiz: two blanks per chain-rule product, before the numbers are shown ---
function showQuiz(frame) {
  const form = $("quiz");
  form.hidden = !state.quiz || frame.questions.length === 0;
  form.replaceChildren();
  for (const q of frame.questions) form.append(question(q));
  const score = frame.score;
  const finished = state.quiz && score.total > 0 && score.done === score.total;
  $("score").hidden = !finished;
  $("score").textContent = finished
    ? say("Score: {right} of {total} right at the first try", score) : "";
}

function question(q) {
  const set = element("fieldset");
  set.dataset.question = q.id;
  set.append(element("legend", "", q.prompt));
  const input = element("input");
  Object.assign(input, { type: "text", inputMode: "decimal", autocomplete: "off" });
  input.setAttribute("aria-label", q.prompt);
  const check = element("button", "", say("Check"));
  check.type = "button";
  const give = element("button", "", say("Show answer"));
  give.type = "button";
  const said = element("p", "feedback", "");
  set.append(input, check, give, said);
  const close = () => { input.disabled = check.disabled = give.disabled = true; };
  // A blank not yet done keeps what was typed into it and the hint it got when the page
  // draws the step again (e.g. a phone turned sideways across the layout's breakpoint).
  const draft = state.drafts[q.id] ??= { value: "", said: "", className: "feedback" };
  if (!q.done) {
    input.value = draft.value;
    said.textContent = draft.said;
    said.className = draft.className;
  }
  input.addEventListener("input", () => { draft.value = input.value; });
  if (q.done) {
    input.value = q.answer;
    close();
    said.textContent = q.right ? say("right: {answer}", q) : say("the answer: {answer}", q);
    said.className = `feedback ${q.right ? "right" : ""}`;
  }
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); check.click(); }
  });
  check.addEventListener("click", () => inTurn(async () => {
    const verdict = await playground("answer", q.id, input.value);
    said.textContent = verdict.error
      || (verdict.ok ? say("right: {answer}", verdict) : verdict.hint);
    said.className = `feedback ${verdict.ok ? "right" : "wrong"}`;
    Object.assign(draft, { value: input.value, said: said.textContent,
                           className: said.className });
    if (verdict.ok) { close(); await after(); }
  }));
  give.addEventListener("click", () => inTurn(async () => {
    const shown = await playground("show", q.id);
    if (shown.error) { said.textContent = shown.error; return; }
    input.value = shown.answer;
    said.textContent = say("the answer: {answer}", shown);
    said.className = "feedback";
    close();
    await after();
  }));
  return set;
}

// When the last blank of a step is filled, the step's numbers and sentences appear.
// Otherwise the next blank gets the focus.
async function after() {
  const open = [...$("quiz").querySelectorAll("input:not(:disabled)")];
  if (open.length) open[0].focus();
  else await show(state.index);
}

// Previous and Next also scroll the page to the active node (a slider move only pans the
// graph's box: the page must not move under the student's finger).  A quiz's open blanks
// hold the walk (Next is disabled), for the keys too.
function step(by) {
  return inTurn(async () => {
    const next = state.index + by;
    if (next < 0 || next >= state.titles.length || (by > 0 && $("next").disabled)) return;
    await show(next);
    $("graph").querySelector("g.node.active")?.scrollIntoView({ block: "nearest" });
  });
}

// A link's expression and numbers (on opening the page, or pasted into this tab).
function followLink() {
  const link = readLink();
  if (link.expression) $("expression").value = link.expression;
  Object.assign(state.values, link.values);
  state.quiz = $("quiz-mode").checked = link.quiz;
  state.index = link.step === null ? null : Math.max(0, link.step);
}

// A link names an expression or a network (then the page opens in its network mode).
function followAnyLink() {
  const network = readNetworkLink(location.hash);
  if (network) return followNetworkLink(network);
  setMode(false);
  followLink();
  state.result = undefined; // the answer shown is the link's, once it is drawn
  return redraw();
}

async function main() {
  followLink();
  await ready;
  showStatus("");
  await startNetworks(engine);
  const network = readNetworkLink(location.hash);
  if (network) await followNetworkLink(network);
  const names = JSON.parse(await engine.call("page_api", "function_names"));
  $("functions").textContent = say(
    "Numbers, names, + - * / **, parentheses and the functions {names}.",
    { names: names.join(", ") });
  await redraw();
  $("expression").addEventListener("input", () => {
    state.index = state.quiz ? 0 : null; // a quiz starts again at the first step
    redraw();
  });
  $("previous").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  $("quiz").addEventListener("submit", (event) => event.preventDefault());
  $("quiz-mode").addEventListener("change", () => {
    state.quiz = $("quiz-mode").checked;
    if (state.quiz) { state.index = 0; redraw(); } else inTurn(() => show(state.index));
  });
  $("share").addEventListener("click", () => {
    const link = networkMode() ? networkLink() : writeLink();
    $("share-link").value = link;
    history.replaceState(null, "", link); // no hashchange: the page stays as it is
  });
  phone.addEventListener("change", () => inTurn(() => show(state.index)));
  window.addEventListener("hashchange", followAnyLink);
  document.addEventListener("keydown", (event) => {
    if (networkMode() || event.target.closest("input, textarea")) return;
    if (event.key === "ArrowRight") step(1);
    if (event.key === "ArrowLeft") step(-1);
  });
  $("stop").addEventListener("click", () => engine.stop());
  // For tests: settled() resolves once what was asked of the engine is drawn.
  window.autograd_mini.playground = { show: step, state, settled: () => actions };
}

engine.opened = main()
  .catch((error) => showStatus(say("The playground failed: {message}",
                                   { message: error.message }), true));
