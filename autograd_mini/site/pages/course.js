// The course page: course.html lists the notebooks; course.html?nb=01 shows notebook 01
// and runs its cells, in order, in this page's Python.  Its Python side, by job:
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
// For tests: window.course.runAll() runs every code cell and resolves to one entry per
// cell: {index, seconds, errors: [traceback text]}.
import { ready, showStatus } from "./engine.js";
import { element } from "./stepviewer.js";

const $ = (id) => document.getElementById(id);
const NOTEBOOK = /^\d\d$/;

async function json(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`could not load ${path} (${response.status})`);
  return response.json();
}

function listNotebooks(index) {
  const list = $("notebooks");
  for (const entry of index) {
    const item = element("li");
    const link = element("a", "", entry.title);  // "1. Derivatives by hand, ..."
    link.href = `course.html?nb=${encodeURIComponent(entry.id)}`;
    item.append(link);
    list.append(item);
  }
  list.hidden = false;
}

// -- widgets: anywidget's model API over autograd_mini.site.widget_stand_in's calls ----

const models = new Map();  // widget id -> the models of its views
const modules = new Map(); // a module's text -> the loaded module
const styles = new Set();  // the style texts already in the page

class PageModel {
  constructor(id, state, widgets) {
    this.id = id;
    this.state = state;
    this.widgets = widgets;
    this.handlers = new Map();
    this.dirty = {};
  }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.dirty[name] = value; }
  save_changes() {
    const changes = this.dirty;
    this.dirty = {};
    deliver(this.widgets.widget_update(this.id, JSON.stringify(changes)));
  }
  send(content) { deliver(this.widgets.widget_message(this.id, JSON.stringify(content))); }
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

async function loadModule(text) {
  if (!modules.has(text)) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
    modules.set(text, import(url).finally(() => URL.revokeObjectURL(url)));
  }
  return modules.get(text);
}

async function mountWidget(box, output, widgets) {
  const { esm, css } = JSON.parse(widgets.widget_state(output.data));
  if (css && !styles.has(css)) {
    styles.add(css);
    document.head.append(element("style", "", css));
  }
  const module = await loadModule(esm);
  // The state as it is now: later cells may have changed it while the module loaded.
  const { state } = JSON.parse(widgets.widget_state(output.data));
  const model = new PageModel(output.data, state, widgets);
  if (!models.has(output.data)) models.set(output.data, []);
  models.get(output.data).push(model);
  const view = element("div", "widget");
  box.append(view);
  await (module.default?.render ?? module.render)({ model, el: view });
}

// Returns a Promise that settles when the output is shown (a widget's module loads first).
async function showOutput(box, output, python) {
  if (output.type === "widget") {
    const place = element("div");
    box.append(place);
    try {
      await mountWidget(place, output, python.widgets);
    } catch (error) {
      await showOutput(place, { ...output.fallback, note: `${output.note} (${error.message})` },
                       python);
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
    picture.alt = "a picture the cell drew";
    box.append(picture);
  } else {  // html or svg, made by the package (see the top of this file)
    const rich = element("div", `picture ${output.type}`);
    rich.innerHTML = output.data;
    box.append(rich);
  }
  if (output.note) box.append(element("p", "note", output.note));
}

class CodeCell {
  constructor(index, source, hidden, python) {
    this.index = index;
    this.python = python;
    this.root = element("section", "cell code");
    this.root.dataset.index = String(index);
    this.editor = element("textarea", "source");
    this.editor.value = source;
    this.editor.rows = Math.min(Math.max(source.split("\n").length, 1), 30);
    this.editor.spellcheck = false;
    this.editor.wrap = "off";
    this.editor.setAttribute("aria-label", `code cell ${index + 1}`);
    this.button = element("button", "run", "Run");
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
    const bar = element("div", "bar");
    bar.append(this.button, this.count);
    if (hidden) {  // a solution: its code and what it prints stay folded until asked for
      const body = element("details", "solution");
      body.append(element("summary", "", "A solution (click to show)"), this.editor, bar,
                  this.outputs);
      this.root.append(body);
    } else {
      const body = element("div");
      body.append(this.editor);
      this.root.append(body, bar, this.outputs);
    }
  }

  async run() {
    this.root.classList.add("running");
    this.outputs.replaceChildren(element("p", "hint", "running…"));
    await new Promise((resolve) => setTimeout(resolve, 0));  // let the page show it
    const started = performance.now();
    const answer = JSON.parse(this.python.kernel.run_cell(this.editor.value));
    const result = answer.error  // the kernel itself failed: shown as the cell's error
      ? { outputs: [{ type: "error", text: answer.error }], count: "?" } : answer;
    const seconds = (performance.now() - started) / 1000;
    this.outputs.replaceChildren();
    // In order, each in its own place; a widget's module may take a moment to load.
    await Promise.all(result.outputs.map((output) => {
      const place = element("div", "output");
      this.outputs.append(place);
      return showOutput(place, output, this.python);
    }));
    deliver(this.python.widgets.widget_pending());  // e.g. ex.inputs = {...} moves the explorer above
    this.count.textContent = `[${result.count}] ${seconds.toFixed(1)} s`;
    this.root.classList.remove("running");
    const errors = result.outputs.filter((o) => o.type === "error").map((o) => o.text);
    this.root.classList.toggle("failed", errors.length > 0);
    return { index: this.index, seconds, errors };
  }
}

async function showNotebook(entry, python) {
  document.title = `autograd_mini course ${entry.id}: ${entry.title}`;
  $("title").textContent = entry.title;
  const notebook = await json(`course/${encodeURIComponent(entry.file)}`);
  const cells = JSON.parse(python.notebook.notebook_cells_json(JSON.stringify(notebook)));
  if (cells.error) throw new Error(cells.error);
  const code = [];
  for (const cell of cells) {
    if (cell.type === "markdown") {
      const text = element("div", "cell markdown");
      text.innerHTML = python.markdown.markdown_html(cell.source);  // escaped by the package
      $("cells").append(text);
    } else {
      const codeCell = new CodeCell(code.length, cell.source, cell.hidden, python);
      code.push(codeCell);
      $("cells").append(codeCell.root);
    }
  }
  let running = false;
  async function runAll() {
    if (running) throw new Error("the notebook is running already");
    running = true;
    $("run-all").disabled = true;
    python.kernel.restart();
    const results = [];
    try {
      for (const cell of code) {
        $("progress").textContent = `running cell ${cell.index + 1} of ${code.length}…`;
        results.push(await cell.run());
      }
    } finally {
      running = false;
      $("run-all").disabled = false;
    }
    const failed = results.filter((r) => r.errors.length).length;
    const total = results.reduce((sum, r) => sum + r.seconds, 0);
    $("progress").textContent = `${code.length} cells ran in ${total.toFixed(1)} s`
      + (failed ? `; ${failed} stopped with an error` : "");
    return results;
  }
  $("run-all").addEventListener("click", () => runAll());
  $("toolbar").hidden = false;
  for (const cell of code) cell.button.disabled = false;
  $("run-all").disabled = false;
  window.course = { runAll, cells: code.length };
}

async function main() {
  const index = await json("course/index.json");
  const wanted = new URLSearchParams(location.search).get("nb");
  if (!wanted || !NOTEBOOK.test(wanted)) {
    listNotebooks(index);
    if (wanted) showStatus(`There is no notebook ${JSON.stringify(wanted)}; choose one below.`, true);
    else showStatus("");
    window.course = { runAll: async () => [], cells: 0 };
    return;
  }
  const entry = index.find((e) => e.id === wanted);
  if (!entry) {
    listNotebooks(index);
    showStatus(`There is no notebook ${wanted}; choose one below.`, true);
    return;
  }
  showStatus("Loading the engine and what the notebooks import (Python in your browser)…");
  await ready;
  const python = pythonSide();
  python.widgets.use_widget_stand_in();
  await showNotebook(entry, python);
  showStatus("");
}

const api = () => window.autograd_mini.pyodide;

// The page's Python modules, each with its own job (see the top of this file).
function pythonSide() {
  const module = (name) => api().pyimport(`autograd_mini.site.${name}`);
  return { notebook: module("notebook"), kernel: module("kernel"), markdown: module("markdown"),
           widgets: module("widget_stand_in") };
}

main().catch((error) => showStatus(`The course did not load: ${error.message}`, true));
