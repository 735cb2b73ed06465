// The course page: course.html lists the notebooks; course.html?nb=01 shows notebook 01
// and runs its cells, in order, in this page's Python -- the engine's Web Worker, so the
// page answers while a cell runs, shows how far it is, and Stop ends it.  The notebook's
// text shows at once (its cells were read when the site was built); its markdown becomes
// formatted text once the engine is ready.  Its Python side, by job:
//   autograd_mini.site.notebook         the notebook's cells as the page reads them;
//   autograd_mini.site.kernel           a kernel: cells run in one namespace, outputs shown;
//   autograd_mini.site.markdown         a text cell's markdown as safe HTML;
//   autograd_mini.site.widget_stand_in  anywidget's stand-in, for the explorer.
//
// What is inserted as HTML, and why that is safe:
// - markdown: autograd_mini.site.markdown.markdown_html escapes every character of the
//   notebook first, then adds its own tags (raw HTML in a notebook shows as text);
// - a cell's rich output (a figure's SVG, a graph's SVG, a trace's HTML): made by the
//   package from the cell's objects, every label escaped.  The code that makes them is the
//   course's own, or what the student typed into this tab; it never comes from a link.
// Everything else (source, printed text, errors) is set as text.
//
// - a widget (the explorer): its own ES module (the package's Explorer._esm), drawn by its
//   render({model, el}) with a model that talks to the widget's Python side.
//
// For tests: window.course.runAll() runs the code cells in order and resolves to one entry
// per cell run: {index, seconds, errors: [traceback text], stopped}; it ends at a stopped
// cell.
import { engine, onEveryLoad, ready, showStatus, Stopped } from "./engine.js";
import { element } from "./stepviewer.js";
import { inLanguage, language, LANGUAGES, say, showWords } from "./words.js";
import { renderMath } from "./mathematics.js";

showWords({
  title: say("autograd_mini: the course"),
  "#title": say("The course"),
  "#about": say("The course's notebooks, run by autograd_mini in this page's Python "
                + "(Pyodide): nothing is installed and nothing leaves this tab. Figures are "
                + "drawn by the package as SVG (there is no matplotlib here); the explorer is "
                + "live, its sliders and steps computed by the package here as in JupyterLab."),
  "#run-all": say("Run all"),
  "#stop": say("Stop"),
});

const $ = (id) => document.getElementById(id);
const NOTEBOOK = /^\d\d$/;
// Each notebook is written in English and in Korean (notebooks/ko/): the page shows the
// one in its own language, else the English one, and what comes from it (titles, text, code
// and what it prints) says in which language it is written (<... lang="en">).
let writtenIn = "en";

async function json(path) {
  const response = await fetch(path);
  if (!response.ok) {
    throw new Error(say("could not load {path} ({status})", { path, status: response.status }));
  }
  return response.json();
}

// The notebook ``id`` in the page's language, else in English (undefined: no such notebook).
function notebookOf(index, id) {
  return index.find((e) => e.id === id && e.language === language)
    ?? index.find((e) => e.id === id && e.language === "en");
}

// Each notebook in the page's language, and beside it a link to it in the others.
function listNotebooks(index) {
  const list = $("notebooks");
  for (const id of new Set(index.map((e) => e.id))) {
    const shown = notebookOf(index, id);
    const item = element("li");
    item.append(notebookLink(shown, shown.title)); // "1. Derivatives by hand, ..."
    for (const other of index.filter((e) => e.id === id && e !== shown)) {
      item.append(" · ", notebookLink(other, LANGUAGES[other.language]));
    }
    list.append(item);
  }
  list.hidden = false;
}

// A link to the notebook, the page in the notebook's language.
function notebookLink(entry, text) {
  const link = element("a", "", text);
  link.lang = entry.language;
  link.href = inLanguage(`course.html?nb=${encodeURIComponent(entry.id)}`, entry.language);
  return link;
}

// -- widgets: anywidget's model API over autograd_mini.site.widget_stand_in's calls ----
// The page keeps a mirror of each widget's state (anywidget's model.get is synchronous);
// changes go to the worker and come back as messages.

const models = new Map();  // widget id -> the models of its views
const modules = new Map(); // a module's text -> the loaded module
const styles = new Set();  // the style texts already in the page

const widgets = (name, ...args) => engine.call("widget_stand_in", name, ...args);

class PageModel {
  constructor(id, state) {
    this.id = id;
    this.state = state;
    this.handlers = new Map();
    this.dirty = {};
  }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.dirty[name] = value; }
  save_changes() {
    const changes = this.dirty;
    this.dirty = {};
    return widgets("widget_update", this.id, JSON.stringify(changes)).then(deliver, quiet);
  }
  send(content) {
    return widgets("widget_message", this.id, JSON.stringify(content)).then(deliver, quiet);
  }
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
  }
  off(event, handler) {
    const list = this.handlers.get(event) ?? [];
    if (list.includes(handler)) list.splice(list.indexOf(handler), 1);
  }
  fire(event, ...args) { for (const handler of [...(this.handlers.get(event) ?? [])]) handler(...args); }
}

// What Python changed (traits, messages) reaches every view of each widget.
function deliver(text) {
  const { changes = {}, messages = {}, error } = JSON.parse(text);
  if (error) console.info(`the widget's Python side: ${error}`);
  for (const [id, traits] of Object.entries(changes)) {
    for (const model of models.get(id) ?? []) {
      Object.assign(model.state, traits);
      for (const name of Object.keys(traits)) model.fire(`change:${name}`);
    }
  }
  for (const [id, sent] of Object.entries(messages)) {
    for (const model of models.get(id) ?? []) for (const content of sent) model.fire("msg:custom", content, []);
  }
}

// A widget's call refused because a cell holds the engine, or Stop restarted it.
function quiet(error) {
  console.info(`the widget's Python side: ${error.message}`);
}

async function loadModule(text) {
  if (!modules.has(text)) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
    modules.set(text, import(url).finally(() => URL.revokeObjectURL(url)));
  }
  return modules.get(text);
}

async function mountWidget(box, output) {
  const { esm, css } = JSON.parse(await widgets("widget_state", output.data));
  if (css && !styles.has(css)) {
    styles.add(css);
    document.head.append(element("style", "", css));
  }
  const module = await loadModule(esm);
  // The state as it is now: later cells may have changed it while the module loaded.
  const { state } = JSON.parse(await widgets("widget_state", output.data));
  const model = new PageModel(output.data, state);
  if (!models.has(output.data)) models.set(output.data, []);
  models.get(output.data).push(model);
  const view = element("div", "widget");
  box.append(view);
  await (module.default?.render ?? module.render)({ model, el: view });
}

// Returns a Promise that settles when the output is shown (a widget's module loads first).
async function showOutput(box, output) {
  if (output.type === "widget") {
    const place = element("div");
    box.append(place);
    try {
      await mountWidget(place, output);
    } catch (error) {
      await showOutput(place, { ...output.fallback, note: `${output.note} (${error.message})` });
    }
    return;
  }
  if (output.type === "stream") {
    box.append(element("pre", output.name === "stderr" ? "stream stderr" : "stream", output.text));
  } else if (output.type === "error") {
    box.append(element("pre", "error", output.text));
  } else if (output.type === "text") {
    box.append(element("pre", "result", output.data));
  } else if (output.type === "png") {
    const picture = element("img", "picture");
    picture.src = `data:image/png;base64,${output.data}`;
    picture.alt = say("a picture the cell drew");
    box.append(picture);
  } else {  // html or svg, made by the package (see the top of this file)
    const rich = element("div", `picture ${output.type}`);
    rich.innerHTML = output.data;
    box.append(rich);
  }
  if (output.note) box.append(element("p", "note", output.note));
}

// What a cell that Stop ended says, by how it was stopped.
const STOPPED = say("stopped (Stop): the notebook's variables are kept");
const RESET = say("stopped (Stop): the engine was restarted, so the notebook's namespace "
                  + "was reset; run the cells again from the top");

class CodeCell {
  constructor(index, source, hidden) {
    this.index = index;
    this.root = element("section", "cell code");
    this.root.dataset.index = String(index);
    this.editor = element("textarea", "source");
    this.editor.value = source;
    this.editor.rows = Math.min(Math.max(source.split("\n").length, 1), 30);
    this.editor.spellcheck = false;
    this.editor.wrap = "off";
    this.editor.setAttribute("aria-label", say("code cell {number}", { number: index + 1 }));
    this.button = element("button", "run", say("Run"));
    this.button.type = "button";
    this.button.disabled = true;
    this.button.addEventListener("click", () => this.run());
    this.editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.shiftKey || event.ctrlKey)) {
        event.preventDefault();
        this.run();
      }
    });
    this.count = element("span", "count", "[ ]");
    this.outputs = element("div", "outputs");
    this.outputs.lang = this.editor.lang = writtenIn;
    const bar = element("div", "bar");
    bar.append(this.button, this.count);
    if (hidden) {  // a solution: its code and what it prints stay folded until asked for
      const body = element("details", "solution");
      body.append(element("summary", "", say("A solution (click to show)")), this.editor, bar,
                  this.outputs);
      this.root.append(body);
    } else {
      const body = element("div");
      body.append(this.editor);
      this.root.append(body, bar, this.outputs);
    }
  }

  // Runs the cell in the engine; while it runs, its progress lines show under it.
  async run() {
    this.root.classList.add("running");
    const progress = element("p", "hint progress", say("running…"));
    this.outputs.replaceChildren(progress);
    $("stop").disabled = false;
    const started = performance.now();
    const result = await this.execute((line) => { progress.textContent = line; });
    const seconds = (performance.now() - started) / 1000;
    $("stop").disabled = engine.busy === 0;
    this.outputs.replaceChildren();
    // In order, each in its own place; a widget's module may take a moment to load.
    await Promise.all(result.outputs.map((output) => {
      const place = element("div", "output");
      this.outputs.append(place);
      return showOutput(place, output);
    }));
    if (result.stopped) this.outputs.append(element("p", "stopped", result.stopped));
    else await widgets("widget_pending").then(deliver, quiet); // e.g. ex.inputs = {...}
    this.count.textContent = `[${result.count}] ${seconds.toFixed(1)} s`;
    this.root.classList.remove("running");
    const errors = result.outputs.filter((o) => o.type === "error").map((o) => o.text);
    this.root.classList.toggle("failed", errors.length > 0);
    return { index: this.index, seconds, errors, stopped: Boolean(result.stopped) };
  }

  // The kernel's answer: {outputs, count, stopped}; an error of the kernel itself is shown
  // as the cell's error.
  async execute(onProgress) {
    try {
      const answer = JSON.parse(await engine.track(onProgress, "kernel", "run_cell",
                                                   this.editor.value));
      if (answer.error) return { outputs: [{ type: "error", text: answer.error }], count: "?" };
      return { ...answer, stopped: answer.stopped ? STOPPED : "" };
    } catch (error) {
      if (error instanceof Stopped) {
        models.clear(); // the widgets' Python side is gone with the old engine
        await engine.restarted;
        return { outputs: [], count: " ", stopped: RESET };
      }
      return { outputs: [], count: "?", stopped: `${STOPPED} (${error.message})` };
    }
  }
}

// A notebook's cells, read when the site was built: shown at once, markdown as its text
// until the engine is there to format it.
function showCells(cells) {
  const code = [];
  const markdown = [];
  for (const cell of cells) {
    if (cell.type === "markdown") {
      const text = element("div", "cell markdown plain", cell.source);
      text.lang = writtenIn;
      markdown.push([text, cell.source]);
      $("cells").append(text);
    } else {
      const codeCell = new CodeCell(code.length, cell.source, cell.hidden);
      code.push(codeCell);
      $("cells").append(codeCell.root);
    }
  }
  return { code, markdown };
}

async function formatMarkdown(markdown) {
  for (const [box, source] of markdown) {
    box.innerHTML = await engine.call("markdown", "markdown_html", source); // escaped by it
    renderMath(box); // the TeX the markdown marked, typeset by KaTeX
    for (const link of box.querySelectorAll("a[href^='course.html']")) {
      link.href = inLanguage(link.getAttribute("href")); // the next notebook, in this language
    }
    box.classList.remove("plain");
  }
}

function runner(code) {
  let running = false;
  return async function runAll() {
    if (running) throw new Error(say("the notebook is running already"));
    running = true;
    $("run-all").disabled = true;
    await engine.call("kernel", "restart");
    const results = [];
    try {
      for (const cell of code) {
        $("progress").textContent = say("running cell {number} of {count}…",
                                        { number: cell.index + 1, count: code.length });
        results.push(await cell.run());
        if (results.at(-1).stopped) break;
      }
    } finally {
      running = false;
      $("run-all").disabled = false;
    }
    const failed = results.filter((r) => r.errors.length).length;
    const total = results.reduce((sum, r) => sum + r.seconds, 0);
    const ran = { count: code.length, seconds: total.toFixed(1), failed };
    $("progress").textContent = results.at(-1)?.stopped ? say("stopped")
      : failed ? say("{count} cells ran in {seconds} s; {failed} stopped with an error", ran)
        : say("{count} cells ran in {seconds} s", ran);
    return results;
  };
}

async function showNotebook(entry) {
  writtenIn = entry.language;
  document.title = say("autograd_mini course {number}: {title}",
                       { number: entry.id, title: entry.title });
  $("title").textContent = entry.title;
  $("title").lang = writtenIn;
  const cells = await json(`course/${entry.cells.split("/").map(encodeURIComponent).join("/")}`);
  const { code, markdown } = showCells(cells);
  $("toolbar").hidden = false;
  await ready;
  await formatMarkdown(markdown);
  const runAll = runner(code);
  $("run-all").addEventListener("click", () => runAll());
  $("stop").addEventListener("click", () => engine.stop());
  for (const cell of code) cell.button.disabled = false;
  $("run-all").disabled = false;
  window.course = { runAll, cells: code.length };
}

async function main() {
  const index = await json("course/index.json");
  const wanted = new URLSearchParams(location.search).get("nb");
  const entry = notebookOf(index, wanted);
  if (!entry) {
    listNotebooks(index);
    const odd = wanted && !NOTEBOOK.test(wanted); // quoted: it may hold anything
    if (wanted) {
      showStatus(say("There is no notebook {name}; choose one below.",
                     { name: odd ? JSON.stringify(wanted) : wanted }), true);
    } else showStatus("");
    window.course = { runAll: async () => [], cells: 0 };
    return;
  }
  await showNotebook(entry);
  showStatus("");
}

// The explorer's Python side stands in for anywidget, in every engine this page starts.
onEveryLoad(() => widgets("use_widget_stand_in"));

engine.opened = main()
  .catch((error) => showStatus(say("The course did not load: {message}",
                                   { message: error.message }), true));
