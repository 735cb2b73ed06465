// The training widget's page side (an anywidget ES module).
//
// Python trains and draws; this side only asks and shows. While playing it asks for
// `speed` sweeps, waits for Python's "done", and asks again after a short pause: one
// request at a time, so the kernel is never flooded and Pause always gets through.
// Every word goes in with textContent; the pictures are the package's SVG, parsed as XML.

// The step viewer's module: trainer.py writes its text in place of this import.
import { element, parsePicture, say, useWords } from "./stepviewer.js";

const PAUSE_MS = 40; // between one answer and the next request while playing
const SPEEDS = [1, 2, 5, 10, 25, 50, 100];

// Buttons and choosers keep their keys from JupyterLab's shortcuts.
function control(tag, className, text) {
  const node = element(tag, className, text);
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  if (tag === "button") node.type = "button";
  return node;
}

function buildPage(el) {
  const ui = {
    root: element("div", "am-trainer"),
    play: control("button", "am-play", say("Play")),
    one: control("button", "am-one", say("Step one sweep")),
    speed: control("select", "am-speed"),
    count: element("span", "am-count"),
    loss: element("span", "am-loss"),
    query: element("code", "am-query"),
    status: element("div", "am-error"),
    pictures: element("div", "am-pictures"),
    pattern: control("select", "am-pattern"),
    explain: control("button", "am-explain", say("Show the backward pass")),
    frame: element("iframe", "am-frame"),
  };
  ui.speed.setAttribute("aria-label", say("sweeps per step of Play"));
  ui.pattern.setAttribute("aria-label", say("pattern"));
  ui.status.setAttribute("role", "alert");
  ui.count.setAttribute("role", "status");
  // The step viewer's page runs its own script, in a frame of no origin of its own.
  ui.frame.setAttribute("sandbox", "allow-scripts");
  ui.frame.title = say("the backward pass, step by step");
  ui.frame.hidden = true;
  const label = element("label", "am-speed-label", say("speed "));
  label.append(ui.speed);
  const toolbar = element("div", "am-toolbar");
  toolbar.append(ui.play, ui.one, label, ui.count, ui.loss);
  const explain = element("section", "am-explain-box");
  const chooser = element("div", "am-toolbar");
  chooser.append(element("span", "", say("Paused: ")), ui.pattern, ui.explain);
  explain.append(chooser, ui.frame);
  ui.root.append(toolbar, ui.query, ui.status, ui.pictures, explain);
  el.append(ui.root);
  return ui;
}

function fillChoosers(ui, model) {
  ui.speed.replaceChildren(...SPEEDS.map((n) => {
    const option = element("option", "", n === 1 ? say("1 sweep") : say("{n} sweeps", { n }));
    option.value = String(n);
    return option;
  }));
  ui.pattern.replaceChildren(...model.get("pattern_names").map((text, k) => {
    const option = element("option", "", text);
    option.value = String(k);
    return option;
  }));
}

// Each picture in its own box, kept by name, so that a redraw swaps only the SVG.
function showPictures(ui, model) {
  const pictures = model.get("pictures");
  const boxes = new Map(Array.from(ui.pictures.children, (box) => [box.dataset.name, box]));
  for (const [name, svg] of Object.entries(pictures)) {
    let box = boxes.get(name);
    if (!box) {
      box = element("figure", "am-picture");
      box.dataset.name = name;
      ui.pictures.append(box);
    }
    box.replaceChildren(parsePicture(svg).svg);
    boxes.delete(name);
  }
  for (const box of boxes.values()) box.remove();
}

function showState(ui, model, busy) {
  const playing = model.get("playing");
  const step = model.get("step");
  ui.root.dataset.step = String(step);
  ui.root.dataset.playing = String(playing);
  ui.play.textContent = playing ? say("Pause") : say("Play");
  ui.play.setAttribute("aria-pressed", String(playing));
  ui.one.disabled = playing || busy;
  ui.explain.disabled = playing || busy;
  ui.count.textContent = say("sweep {step}", { step });
  const loss = model.get("loss_text");
  ui.loss.textContent = loss ? `E = ${loss}` : "";
  ui.query.textContent = model.get("query");
  ui.status.textContent = model.get("error");
  ui.speed.value = String(model.get("speed"));
  ui.pattern.value = String(model.get("pattern"));
  // The pass shown is of one step's weights: hidden once training moves on.
  const current = !playing && model.get("explain_step") === step && model.get("explain_html");
  if (current && ui.frame.srcdoc !== model.get("explain_html")) {
    ui.frame.srcdoc = model.get("explain_html");
  }
  ui.frame.hidden = !current;
}

// The requests to Python: one at a time; while playing, the next after each answer.
function connect(ui, model) {
  let busy = false;
  let timer = null;
  const show = () => showState(ui, model, busy);
  const ask = (content) => {
    if (busy) return;
    busy = true;
    model.send(content);
    show();
  };
  const askForSweeps = () => {
    timer = null;
    if (model.get("playing")) ask({ kind: "sweeps", n: model.get("speed") });
  };
  const setPlaying = (playing) => { model.set("playing", playing); model.save_changes(); };
  const handlers = {
    "change:playing": () => { if (model.get("playing") && !timer) askForSweeps(); show(); },
    "change:pictures": () => showPictures(ui, model),
    "msg:custom": (content) => {
      if (!content || content.kind !== "done") return;
      busy = false;
      if (model.get("playing") && !timer) timer = setTimeout(askForSweeps, PAUSE_MS);
      show();
    },
  };
  for (const name of ["step", "loss_text", "error", "speed", "pattern", "explain_html",
                      "explain_step", "query"]) handlers[`change:${name}`] = show;
  for (const [name, handler] of Object.entries(handlers)) model.on(name, handler);
  ui.play.addEventListener("click", () => setPlaying(!model.get("playing")));
  ui.one.addEventListener("click", () => ask({ kind: "sweeps", n: 1 }));
  ui.explain.addEventListener("click",
    () => ask({ kind: "explain", pattern: Number(ui.pattern.value) }));
  ui.speed.addEventListener("change", () => {
    model.set("speed", Number(ui.speed.value));
    model.save_changes();
  });
  ui.pattern.addEventListener("change", () => {
    model.set("pattern", Number(ui.pattern.value));
    model.save_changes();
  });
  if (model.get("playing")) askForSweeps();
  show();
  return () => {
    clearTimeout(timer);
    for (const [name, handler] of Object.entries(handlers)) model.off(name, handler);
  };
}

function render({ model, el }) {
  useWords(model.get("words"));  // the reader's language, from Python
  const ui = buildPage(el);
  fillChoosers(ui, model);
  showPictures(ui, model);
  const disconnect = connect(ui, model);
  ui.root.dataset.ready = "true";
  return disconnect;
}

export default { render };
