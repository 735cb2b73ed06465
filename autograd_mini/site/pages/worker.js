// The engine's own thread: Pyodide (Python compiled to WebAssembly) with autograd_mini,
// and WASM graphviz for the pictures, in a module Web Worker -- so a long cell never
// freezes the page.  engine.js starts it and speaks the one protocol of the site:
//
//   page -> worker  {id, load: {wheels: [paths], interrupt: SharedArrayBuffer | null,
//                               language: "en" | "ko", sentences: {what this thread says}}}
//                   {id, call: [module, function, ...args]}  autograd_mini.site.<module>
//                   {id, python: code}                       for tests and benchmarks
//   worker -> page  {id, result} | {id, error: message} | {id, progress: line}
//
// Graphviz lives here, beside Python: the rendering seam (autograd_mini.viz.rendering)
// calls it synchronously, which a call across threads could not be.  Measured
// (benchmarks/browser.py, a 50-Value graph, a busy 2-core machine): a picture drawn here
// takes 44 ms a call from the page; drawn in the page, 32 ms (the DOT from the worker,
// then graphviz) plus 156 ms to load graphviz a second time, with the page frozen while
// it draws.  About the same speed, so here: one copy, and the page never waits on it.
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
import { Graphviz } from "./vendor/graphviz/index.js";

const here = (path) => new URL(path, import.meta.url).href;
let pyodide = null;
let interrupt = null; // Stop writes 2 into it; Python raises KeyboardInterrupt
let current = null;   // the id of the request running now, for its progress lines
let said = {};        // the few sentences this thread says, in the page's language (engine.js)
const fill = (text, name, value) => String(text).replace(`{${name}}`, value);
const entries = {};   // "module name" -> the Python function, looked up once

async function fetchBytes(path) {
  const response = await fetch(here(path));
  if (!response.ok) {
    throw new Error(fill(fill(said.loadFailed, "path", path), "status", response.status));
  }
  return response.arrayBuffer();
}

// The page's language (words.js): its words for the stages, and Python's messages.
async function load({ wheels, interrupt: buffer, language = "en", sentences }) {
  said = sentences ?? {};
  const tell = (stage) => postMessage({ id: current, progress: stage });
  tell(said.python);
  const bytes = Promise.all(wheels.map(fetchBytes));
  const [python, graphviz] = await Promise.all([
    loadPyodide({ indexURL: here("vendor/pyodide/") }),
    Graphviz.load(),
  ]);
  globalThis.autograd_mini_graphviz = graphviz; // the rendering seam draws with it
  tell(fill(said.installing, "count", wheels.length));
  const sitePackages = python.runPython("import site; site.getsitepackages()[0]");
  for (const wheel of await bytes) {
    python.unpackArchive(wheel, "wheel", { extractDir: sitePackages });
  }
  if (buffer) {
    interrupt = new Uint8Array(buffer);
    python.setInterruptBuffer(interrupt);
  }
  tell(said.starting);
  python.pyimport("autograd_mini.core.language").set_language(language);
  // Long work (a training loop, printed lines) says how far it is while it runs.
  python.pyimport("autograd_mini.site.kernel").page_kernel.live =
    (line) => postMessage({ id: current, progress: line });
  pyodide = python;
  return { isolated: Boolean(buffer) };
}

// A Python value as plain data for postMessage (the pages' calls return text, mostly).
function plain(value) {
  if (value && typeof value.toJs === "function") {
    const data = value.toJs({ dict_converter: Object.fromEntries });
    value.destroy();
    return data;
  }
  return value;
}

// autograd_mini.site.<module>.<name>; a dotted name reaches into an object of the module
// (page_api's "playground.load").
function entry(module, name) {
  return entries[`${module} ${name}`] ??= name.split(".").reduce(
    (found, part) => found[part], pyodide.pyimport(`autograd_mini.site.${module}`));
}

function answer({ call, python }) {
  if (!pyodide) throw new Error(said.notLoaded);
  if (interrupt) interrupt[0] = 0; // a Stop pressed while idle stops nothing later
  if (python !== undefined) return plain(pyodide.runPython(python));
  const [module, name, ...args] = call;
  return plain(entry(module, name)(...args));
}

async function reply(id, work) {
  current = id;
  try {
    postMessage({ id, result: await work() });
  } catch (error) {
    postMessage({ id, error: error.message.trim().split("\n").pop() });
  } finally {
    current = null;
  }
}

// Loading starts at once; every other request waits for it, then for the one before it
// (one at a time, in the order they came).
let markLoaded = null;
const loaded = new Promise((resolve) => { markLoaded = resolve; });
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  if (data.load) {
    reply(data.id, () => load(data.load)).finally(markLoaded);
    return;
  }
  queue = queue.then(() => loaded).then(() => reply(data.id, () => answer(data)));
};
