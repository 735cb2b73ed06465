// The engine of every page: Python (Pyodide) with autograd_mini and WASM graphviz, run in
// a Web Worker (worker.js) so that the page answers while Python works.  Everything is
// loaded from this folder; nothing is fetched from anywhere else.  Every call is async:
//
// window.autograd_mini = {
//   ready:  a Promise that resolves when the engine is loaded (the first time);
//   call(module, name, ...args): a Promise of autograd_mini.site.<module>.<name>(...args);
//   track(onProgress, module, name, ...args): the same, onProgress(line) hearing how far
//           long work is (a training loop's sweeps, the last line printed);
//   python(code): a Promise of the value of Python code (tests and benchmarks);
//   run(expression, inputs): a Promise of {value, grads} (rejects with the parser's message);
//   stop(): stops what runs: "interrupted" (KeyboardInterrupt, Python's state kept) where
//           the page is cross-origin isolated, else "restarted" (a new engine, state lost);
//   opened: a Promise that resolves when the page has drawn its first view with the engine;
//   isolated, loadSeconds, busy (requests not yet answered);
//   watchFrames(): from now on, {largest} is the longest gap between two frames the page
//           drew (ms): the longest time it did not answer (tests and benchmarks).
// }

import { language, say } from "./words.js";

const here = (path) => new URL(path, import.meta.url).href;

// A request that will never be answered because Stop restarted the engine.
export class Stopped extends Error {}

// Where the page is cross-origin isolated (the server sends COOP and COEP), Stop can
// interrupt Python through memory both threads share; elsewhere it ends the worker.
const interrupt = globalThis.crossOriginIsolated ? new SharedArrayBuffer(1) : null;
const pending = new Map(); // request id -> {resolve, reject, progress}
const setups = [];         // what each page does after every load (see onEveryLoad)
let worker = null;
let nextId = 1;

// The wheels this page needs: the course page (<body data-wheels="course">) also loads
// what the notebooks import.
async function wheels() {
  const config = await (await fetch(here("site.json"))).json();
  const course = document.body?.dataset.wheels === "course" ? config.course_wheels ?? [] : [];
  return [...config.wheels, ...course];
}

function request(message, progress = null) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, progress });
    api.busy = pending.size;
    worker.postMessage({ id, ...message });
  });
}

function hear({ data }) {
  const waiting = pending.get(data.id);
  if (!waiting) return;
  if ("progress" in data) {
    waiting.progress?.(data.progress);
    return;
  }
  pending.delete(data.id);
  api.busy = pending.size;
  if ("error" in data) waiting.reject(new Error(data.error));
  else waiting.resolve(data.result);
}

// What the worker says (it has no words of its own): how far loading is, and why it failed.
const SENTENCES = {
  python: say("Python and graphviz"),
  installing: say("installing autograd_mini and what it needs ({count} wheels)"),
  starting: say("starting autograd_mini"),
  loadFailed: say("could not load {path} ({status})"),
  notLoaded: say("the engine did not load"),
};

// The status line says what is loading, unless the page has said something else there.
const LOADING = say("Loading the engine (Python in your browser)");
if (document.getElementById("status")?.textContent.startsWith("Loading the engine")) {
  showStatus(`${LOADING}…`); // the page's English, until now
}
function showLoading(stage) {
  if (document.getElementById("status")?.textContent.startsWith(LOADING)) {
    showStatus(`${LOADING}: ${stage}…`);
  }
}

async function start() {
  const started = performance.now();
  worker = new Worker(here("worker.js"), { type: "module" });
  worker.onmessage = hear;
  worker.onerror = (event) => showStatus(say("The engine failed: {message}",
                                             { message: event.message }), true);
  await request({ load: { wheels: await wheels(), interrupt, language, sentences: SENTENCES } },
                showLoading);
  for (const setup of setups) await setup();
  api.loadSeconds = (performance.now() - started) / 1000;
  return api;
}

// Stop with no shared memory: the worker is ended, every request it owed is refused,
// and a fresh engine loads (its Python starts empty).
function restart() {
  worker.terminate();
  for (const waiting of pending.values()) {
    waiting.reject(new Stopped(say("stopped: the engine was restarted")));
  }
  pending.clear();
  api.busy = 0;
  api.restarted = start();
}

const api = {
  ready: null,
  opened: null, // set by the page's own module
  restarted: null, // after a Stop that restarted: a Promise of the new engine
  isolated: Boolean(interrupt),
  loadSeconds: null,
  busy: 0,
  call: (module, name, ...args) => request({ call: [module, name, ...args] }),
  track: (progress, module, name, ...args) => request({ call: [module, name, ...args] },
                                                      progress),
  python: (code) => request({ python: code }),
  async run(expression, inputs) {
    const text = await api.call("page_api", "run", String(expression),
                                JSON.stringify(inputs ?? {}));
    const result = JSON.parse(text);
    if (result.error) throw new Error(result.error);
    return result;
  },
  watchFrames() {
    const gaps = { largest: 0, last: performance.now() };
    const tick = (now) => {
      gaps.largest = Math.max(gaps.largest, now - gaps.last);
      gaps.last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    return gaps;
  },
  stop() {
    if (!api.busy) return null;
    if (!interrupt) {
      restart();
      return "restarted";
    }
    new Uint8Array(interrupt)[0] = 2; // SIGINT: Python raises KeyboardInterrupt
    return "interrupted";
  },
};

// `setup` runs after the engine loads, and again after each restart, before any call of
// the page (e.g. the course page puts its widget stand-in in place).
export function onEveryLoad(setup) {
  setups.push(setup);
}

// Shown while loading, and if loading fails: the status line of each page.
export function showStatus(text, failed = false) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("failed", failed);
  status.hidden = !text;
}

// Started once the page's own module ran (it may add a setup first).
const ready = new Promise((resolve) => setTimeout(resolve, 0)).then(start);
api.ready = ready;
window.autograd_mini = api;
ready.catch((error) => showStatus(say("The engine did not load: {message}",
                                      { message: error.message }), true));
export { ready, api as engine };
