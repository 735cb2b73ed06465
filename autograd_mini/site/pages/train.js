// Train a network: the paper's update rule on a dataset, sweep by sweep, with the real
// engine.  Python (autograd_mini.site.training_api, a Trainer) trains in the worker; the
// page asks for a few sweeps at a time, so that Pause is answered at once (no request is
// sent after it) and the page never waits on Python.  The settings live in the page's
// query (?dataset=xor&hidden=4...): numbers and words that Python reads and checks, never
// code.  Text goes in as text; the pictures are the package's SVG, parsed as XML.
// Paused, the page shows one pattern's backward pass at the current weights: the step
// viewer's page that Python makes (Trainer.explain_page), in a sandboxed frame of no
// origin of its own (its one script is allowed by its hash: site/policy.py).  Play clears
// it (it would show weights that are gone); a Step keeps it, titled with its sweep.
import { engine, ready, showStatus } from "./engine.js";
import { element, parsePicture, say } from "./stepviewer.js";

const $ = (id) => document.getElementById(id);
const api = (name, ...args) => engine.call("training_api", name, ...args).then(JSON.parse);

const CHUNK_MS = 100;    // one request trains about this long: Pause waits at most that
const DRAW_MS = 400;     // pictures are redrawn at most this often while playing, and
const DRAW_SHARE = 0.25; // take at most this share of the time (a big net's are slow)
const MOST_SWEEPS = 200; // training_api.MOST_SWEEPS: the most one request may ask

// The settings' fields, in the order of the query; a select's choices come from Python.
const FIELDS = [
  { key: "dataset", label: say("Dataset"), choices: "datasets" },
  { key: "hidden", label: say("Hidden layer widths"), hint: say("e.g. 8,8 (none: empty)") },
  { key: "activation", label: say("Hidden units"), choices: "activations" },
  { key: "lr", label: say("ε, learning rate"), number: true },
  { key: "momentum", label: say("α, momentum"), number: true },
  { key: "init", label: say("Initial weights within ±"), number: true },
  { key: "update", label: say("Weights change"), choices: "updates" },
  { key: "seed", label: say("Seed"), number: true },
];
const SHOWN = { // how a choice reads on the page (others: as Python names it)
  symmetry: say("symmetry (6 bits)"), encoder: say("encoder (8-3-8)"),
  batch: say("once a sweep (batch)"), pattern: say("after each pattern"),
};
const CAPTIONS = { loss: say("The error E, sweep by sweep"),
                   gradients: say("‖∂E/∂W‖ of each layer"),
                   boundary: say("Decision boundary") };

const run = { playing: false, state: null, perSweep: null, drawnAt: 0, drawnStep: -1,
              drawMs: 0,
              solvedAt: null, ready: false, defaults: {}, lastN: 1, layerNames: {},
              walk: null, walking: false, walkAsked: 0 }; // walk: the pass shown

// --- the form: built at once (its choices filled when the engine is ready) ---
function buildForm(values) {
  const form = $("settings");
  form.replaceChildren();
  for (const field of FIELDS) {
    const id = `setting-${field.key}`;
    const label = element("label", "", field.label);
    label.htmlFor = id;
    const input = element(field.choices ? "select" : "input");
    input.id = id;
    input.name = field.key;
    if (!field.choices) Object.assign(input, { type: "text", spellcheck: false,
                                               autocomplete: "off" });
    if (field.number) input.inputMode = "decimal";
    if (field.hint) input.placeholder = field.hint;
    input.disabled = true;
    form.append(element("div", "setting"));
    form.lastChild.append(label, input);
  }
  showSettings(values);
}

function fillChoices(choices) {
  for (const field of FIELDS.filter((f) => f.choices)) {
    const select = $(`setting-${field.key}`);
    const kept = select.value;
    select.replaceChildren(...choices[field.choices].map((name) => {
      const option = element("option", "", SHOWN[name] ?? name);
      option.value = name;
      return option;
    }));
    if (kept) select.value = kept;
  }
}

// The values as given (a link's, however wrong: the student sees what to mend).
function showSettings(values) {
  for (const field of FIELDS) {
    const input = $(`setting-${field.key}`);
    const value = values[field.key];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(",") : String(value);
    if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === text)) {
      input.append(Object.assign(element("option", "", text), { value: text }));
    }
    input.value = text;
  }
}

function formQuery() {
  const query = new URLSearchParams();
  for (const field of FIELDS) query.set(field.key, $(`setting-${field.key}`).value.trim());
  return query.toString();
}

// --- the page's work with the engine, one request after another ---
let actions = Promise.resolve();
function inTurn(action) {
  const done = actions.then(action);
  actions = done.catch(() => {});
  return done;
}

function enable() {
  const usable = run.ready && run.state !== null;
  $("play").disabled = !usable || run.playing;
  $("pause").disabled = !run.playing;
  $("step").disabled = !usable || run.playing;
  for (const input of $("settings").elements) input.disabled = !run.ready;
  const paused = usable && !run.playing;
  $("walk-pattern").disabled = !paused;
  $("walk-show").disabled = !paused || run.walking;
}

// The address's settings: everything but the reader's language (?lang=, words.js's).
function settingsOf(search) {
  const query = new URLSearchParams(search);
  query.delete("lang");
  query.delete("pattern"); // the pattern whose backward pass a link shows: not a setting
  return query.toString();
}

// A settings query with the page's language kept in it, for the address and the link.
function withLanguage(query) {
  const language = new URLSearchParams(location.search).get("lang");
  const settings = new URLSearchParams(query);
  if (language) settings.set("lang", language);
  return settings.toString();
}

// A new session from ``query``: a bad value is said once, and nothing trains.
async function begin(query) {
  run.playing = false;
  const answer = await api("start", query);
  Object.assign(run, { solvedAt: null, perSweep: null, lastN: 1, drawMs: 0 });
  $("solved").textContent = "";
  clearWalk();
  if (answer.error) {
    run.state = null;
    $("message").textContent = say("This setting cannot be used: {problem}",
                                   { problem: answer.error });
    $("pictures").replaceChildren();
    showNumbers(null);
    showSettings({ ...run.defaults, ...Object.fromEntries(new URLSearchParams(query)) });
  } else {
    $("message").textContent = "";
    showSettings(answer.state.settings);
    fillPatterns(answer.pattern_names);
    run.layerNames = answer.layer_names; // "layer 1" as the reader's words write it
    showAnswer(answer);
    history.replaceState(null, "", `?${withLanguage(answer.state.query)}`);
  }
  $("share-link").value = location.href;
  enable();
}

function showAnswer({ state, pictures }) {
  run.state = state;
  showNumbers(state);
  if (pictures) {
    showPictures(pictures);
    run.drawnAt = performance.now();
    run.drawnStep = state.step;
  }
  if (state.solved && state.step > 0 && run.solvedAt === null) solved(state);
}

function showNumbers(state) {
  const loss = state?.loss;
  $("sweep").textContent = state ? say("sweep {k}", { k: state.step }) : "";
  $("loss").textContent = !state ? "" : loss === null ? say("E not yet measured")
    : say("E = {loss}", { loss: loss.toPrecision(5) });
  $("right").textContent = state ? say("{right} of {total} patterns right",
                                       { right: state.right, total: state.patterns }) : "";
}

// The first time every pattern is right (the paper's symmetry net: solved), the run
// pauses and says when; Play trains on.
function solved(state) {
  run.solvedAt = state.step;
  run.playing = false;
  $("solved").textContent = say(
    "Solved by sweep {k}: every output is on the right side of 0.5. Play trains on.",
    { k: state.step });
}

function showPictures(pictures) {
  const box = $("pictures");
  const figures = Object.entries(pictures).map(([name, svg]) => {
    const figure = element("figure", "picture");
    figure.dataset.picture = name;
    figure.append(parsePicture(svg).svg, element("figcaption", "", CAPTIONS[name]
      ?? say("Weights of {layer} (white +, black −)", { layer: run.layerNames[name] ?? name })));
    return figure;
  });
  box.replaceChildren(...figures);
}

// --- one pattern's backward pass, step by step ---
function fillPatterns(names) {
  const select = $("walk-pattern");
  const kept = select.value;
  select.replaceChildren(...names.map((text, k) => {
    const option = element("option", "", text); // "2: (0, 1) → 1", numbered from 1
    option.value = String(k);
    return option;
  }));
  if (kept && Number(kept) < names.length) select.value = kept;
}

function clearWalk() {
  run.walkAsked += 1; // an answer still on its way is not shown
  run.walk = null;
  $("walk-status").textContent = "";
  $("walk-message").textContent = "";
  $("walk-title").textContent = "";
  $("walk-title").hidden = true;
  const frame = $("walk-frame");
  frame.hidden = true;
  frame.removeAttribute("srcdoc");
}

// ``pattern``: the chooser's number, or a link's text (Python checks either, and a bad
// one is said once, under the chooser).  Asked in turn, as a Step is; the page goes on.
function showWalk(pattern) {
  if (run.playing || !run.state) return null;
  const asked = ++run.walkAsked;
  run.walking = true;
  $("walk-message").textContent = "";
  $("walk-status").textContent = say("Drawing the backward pass…");
  enable();
  return inTurn(async () => {
    const answer = await api("explain", pattern);
    if (asked !== run.walkAsked || run.playing) return; // cleared, or Play pressed
    if (answer.error) {
      $("walk-message").textContent = say("This pattern cannot be shown: {problem}",
                                          { problem: answer.error });
      return;
    }
    const title = say("Pattern {number}, sweep {k}", { number: answer.pattern + 1,
                                                        k: answer.step });
    run.walk = { pattern: answer.pattern, step: answer.step };
    $("walk-title").textContent = title;
    $("walk-title").hidden = false;
    const frame = $("walk-frame");
    frame.title = title;
    frame.srcdoc = answer.html; // the step viewer's page, as Python made it
    frame.hidden = false;
  }).catch(failed).finally(() => {
    if (asked === run.walkAsked) $("walk-status").textContent = "";
    run.walking = false;
    enable();
  });
}

// --- Play, Pause, Step ---
// As many sweeps as take CHUNK_MS, growing at most twofold a request (a first estimate
// may be off: a request too long would keep Pause waiting).
function sweepsPerRequest() {
  if (!run.perSweep) return 1;
  const fit = Math.floor(CHUNK_MS / run.perSweep);
  return Math.max(1, Math.min(MOST_SWEEPS, 2 * run.lastN, fit));
}

async function advance(n, draw) {
  const started = performance.now();
  const answer = await api("step", n, draw);
  if (answer.error) {
    run.playing = false;
    $("message").textContent = answer.error;
    return;
  }
  const took = performance.now() - started;
  if (n > 0) run.lastN = n;
  if (!draw) run.perSweep = took / n;
  else if (run.perSweep) run.drawMs = Math.max(0, took - n * run.perSweep);
  showAnswer(answer);
}

async function play() {
  if (run.playing || !run.state) return;
  run.playing = true;
  clearWalk();
  enable();
  await inTurn(async () => {
    while (run.playing) {
      const wait = Math.max(DRAW_MS, run.drawMs / DRAW_SHARE);
      const draw = performance.now() - run.drawnAt >= wait;
      await advance(sweepsPerRequest(), draw);
    }
    if (run.state && run.drawnStep !== run.state.step) await advance(0, true);
  }).catch(failed);
  run.playing = false;
  enable();
}

// The engine failed or was restarted: said where the settings' problems are.
function failed(error) {
  run.playing = false;
  $("message").textContent = say("The engine stopped: {problem}", { problem: error.message });
}

function pause() {
  run.playing = false; // the request in flight is the last one
  enable();
}

function step() {
  if (run.playing || !run.state) return null;
  return inTurn(() => advance(1, true)).catch(failed);
}

function settingChanged() {
  pause();
  inTurn(() => begin(formQuery())).catch(failed);
}

function writeWords() {
  document.title = say("autograd_mini: train a network");
  $("page-title").textContent = say("Train a network");
  $("intro").textContent = say(
    "Choose a dataset and a network, then press Play: the engine trains it with the paper's rule (a change of ε times the gradient, plus α times the last change) and draws the error, the gradients and the weights as it goes.");
  $("play").textContent = say("Play");
  $("pause").textContent = say("Pause");
  $("step").textContent = say("Step");
  $("walk-label").textContent = say("Pattern");
  $("walk-show").textContent = say("Show the backward pass");
  $("share-label").textContent = say("Link to these settings");
  $("share-link").setAttribute("aria-label", say("link to these settings"));
  $("outro").textContent = say(
    "Every number is computed by the autograd_mini package itself, running in your browser; nothing is sent anywhere. A link carries the settings, never code.");
}

async function main() {
  writeWords();
  buildForm(Object.fromEntries(new URLSearchParams(settingsOf(location.search))));
  await ready; // until then the status line says what is loading
  showStatus("");
  const choices = await api("choices");
  run.defaults = choices.defaults; // a bad link's missing values
  fillChoices(choices);
  run.ready = true;
  const linked = new URLSearchParams(location.search).get("pattern"); // pattern=2: shown
  await inTurn(() => begin(settingsOf(location.search)));
  if (linked !== null && run.state) {
    if ([...$("walk-pattern").options].some((o) => o.value === linked)) {
      $("walk-pattern").value = linked;
    }
    showWalk(linked);
  }
  $("settings").addEventListener("change", settingChanged);
  $("settings").addEventListener("submit", (event) => event.preventDefault());
  $("play").addEventListener("click", play);
  $("pause").addEventListener("click", pause);
  $("step").addEventListener("click", step);
  $("walk-show").addEventListener("click", () => showWalk(Number($("walk-pattern").value)));
  // For tests and benchmarks: the run, and a promise of the work asked so far.
  window.autograd_mini.train = { run, settled: () => actions };
}

engine.opened = main()
  .catch((error) => showStatus(say("The page failed: {problem}", { problem: error.message }),
                               true));
