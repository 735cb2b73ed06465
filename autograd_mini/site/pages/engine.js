// The engine of every page: Pyodide (Python compiled to WebAssembly) with autograd_mini
// installed from the site's own wheels, and WASM graphviz for the pictures.  Everything
// is loaded from this folder; nothing is fetched from anywhere else.
//
// window.autograd_mini = {
//   ready:  a Promise that resolves (to the Python module autograd_mini.site.page_api)
//           when the engine is loaded;
//   run(expression, inputs): a Promise of {value, grads}, grads keyed by input name,
//           computed by the package in this page (rejects with the parser's message);
//   loadSeconds: how long loading took, once ready.
// }
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
import { Graphviz } from "./vendor/graphviz/index.js";

const here = (path) => new URL(path, import.meta.url).href;

async function fetchBytes(path) {
  const response = await fetch(here(path));
  if (!response.ok) throw new Error(`could not load ${path} (${response.status})`);
  return response.arrayBuffer();
}

// The course page (<body data-wheels="course">) also loads what the notebooks import.
function courseWheels(config) {
  return document.body?.dataset.wheels === "course" ? config.course_wheels ?? [] : [];
}

async function load() {
  const started = performance.now();
  // All at once: Python, graphviz, and the wheels the site lists.
  const wheels = fetch(here("site.json"))
    .then((response) => response.json())
    .then((config) => Promise.all([...config.wheels, ...courseWheels(config)].map(fetchBytes)));
  const [pyodide, graphviz] = await Promise.all([
    loadPyodide({ indexURL: here("vendor/pyodide/") }),
    Graphviz.load(),
  ]);
  // The rendering seam (autograd_mini.viz.rendering) draws with this in a browser.
  globalThis.autograd_mini_graphviz = graphviz;
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  for (const wheel of await wheels) {
    pyodide.unpackArchive(wheel, "wheel", { extractDir: sitePackages });
  }
  const pageApi = pyodide.pyimport("autograd_mini.site.page_api");
  api.pyodide = pyodide;
  api.loadSeconds = (performance.now() - started) / 1000;
  return pageApi;
}

const ready = load();
const api = {
  ready,
  loadSeconds: null,
  async run(expression, inputs) {
    const pageApi = await ready;
    const result = JSON.parse(pageApi.run(String(expression), JSON.stringify(inputs ?? {})));
    if (result.error) throw new Error(result.error);
    return result;
  },
};
window.autograd_mini = api;

// Shown while loading, and if loading fails: the status line of each page.
export function showStatus(text, failed = false) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("failed", failed);
  status.hidden = !text;
}

ready.catch((error) => showStatus(`The engine did not load: ${error.message}`, true));
export { ready };
