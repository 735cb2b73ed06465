// The playground's network mode: a network's backward pass walked at one of three zoom
// levels -- every scalar node, every unit (the paper's equations), every layer
// (δ = (Wᵀ δ) ⊙ σ′(x)).  Python (page_api.network_walk) gives the words, the numbers and
// the pictures, laid out once each way; a step here only repaints colours and numbers,
// with the one step viewer's helpers.  All text goes in as text (textContent).
import {
  arrange, element, follow, paintEdges, paintNode, parsePicture,
} from "./stepviewer.js";
// say from words.js: this module runs once the reader's words are loaded (LEVELS says them)
import { say } from "./words.js";

const $ = (id) => document.getElementById(id);
const LEVELS = { nodes: say("nodes"), units: say("units"), layers: say("layers") };
const state = { network: "symmetry", level: "units", index: 0, walk: null, layout: null,
                pictures: null, names: {}, on: false };
const walks = new Map(); // "network level" -> the walk Python gave (it never changes)
let engine = null;
let working = Promise.resolve();

// --- the link: #net=symmetry&level=units&step=2 (settings only) ---
export function readNetworkLink(hash) {
  const fragment = new URLSearchParams(hash.slice(1));
  const network = fragment.get("net");
  if (!network || !(network in state.names)) return null;
  const level = fragment.get("level") in LEVELS ? fragment.get("level") : "units";
  const step = Number.parseInt(fragment.get("step"), 10);
  return { network, level, step: Number.isFinite(step) && step >= 0 ? step : 0 };
}

export function networkLink() {
  const link = new URL(location.href);
  link.hash = new URLSearchParams({ net: state.network, level: state.level,
                                    step: state.index }).toString();
  return link.href;
}

export const networkMode = () => state.on;

// --- the controls, their words said in the reader's language ---
function buildControls(names) {
  $("network-label").textContent = say("Network");
  const picker = $("network");
  picker.replaceChildren(...Object.entries(names).map(([name, title]) => {
    const option = element("option", "", title);
    option.value = name;
    return option;
  }));
  const levels = $("levels");
  levels.replaceChildren(element("span", "", say("Zoom level:")));
  for (const [level, word] of Object.entries(LEVELS)) {
    const radio = element("input");
    Object.assign(radio, { type: "radio", name: "level", value: level, id: `level-${level}` });
    const label = element("label", "", word);
    label.prepend(radio);
    levels.append(label);
    radio.addEventListener("change", () => choose(state.network, level, 0));
  }
  picker.addEventListener("change", () => choose(picker.value, state.level, 0));
  $("network-previous").textContent = say("◀ Previous");
  $("network-next").textContent = say("Next ▶");
  $("network-slider").setAttribute("aria-label", say("step"));
}

// --- a walk: asked of Python once per network and level ---
async function walkOf(network, level) {
  const key = `${network} ${level}`;
  if (!walks.has(key)) {
    const text = await engine.call("page_api", "network_walk", network, level);
    walks.set(key, JSON.parse(text));
  }
  return walks.get(key);
}

function choose(network, level, index) {
  working = working.then(() => load(network, level, index)).catch((error) => {
    $("network-note").textContent = error.message;
    $("network-note").hidden = false;
  });
  return working;
}

async function load(network, level, index) {
  Object.assign(state, { network, level });
  $("network").value = network;
  $(`level-${level}`).checked = true;
  $("network-note").hidden = false;
  $("network-note").textContent = say("Drawing the network…");
  const walk = await walkOf(network, level);
  if (network !== state.network || level !== state.level) return; // another was chosen
  state.walk = walk;
  const note = walk.error || walk.note || "";
  $("network-note").textContent = note;
  $("network-note").hidden = !note;
  const drawn = Boolean(walk.frames?.length);
  $("network-walk").hidden = !drawn;
  state.pictures = drawn ? { wide: parsePicture(walk.pictures.wide),
                             tall: parsePicture(walk.pictures.tall) } : null;
  state.layout = null;
  $("network-graph").replaceChildren();
  if (!drawn) return;
  $("network-given").textContent = walk.given ? say("given {values}", { values: walk.given }) : "";
  $("network-slider").max = String(walk.frames.length - 1);
  layOut();
  show(index);
}

// The picture's box: the page's width, and most of the window's height.
function layOut() {
  if (!state.pictures) return;
  const box = $("network-graph");
  const room = { width: box.clientWidth - 4,
                 height: Math.max(200, Math.min(560, 0.6 * window.innerHeight)), pad: 4 };
  state.layout = arrange(box, state.pictures, state.layout, room);
}

// The step's numbers in every node (a layer's box keeps its own text), its node red.
function paint(picture, frame, walk) {
  const fixed = new Set(walk.fixed || []);
  const constants = walk.constants || {};
  for (const id of picture.groups.keys()) {
    if (id.endsWith("_op")) continue;
    const texts = fixed.has(id) ? []
      : id in constants ? [`data ${constants[id]}`]
      : [`data ${frame.values[id] || "?"}`, `grad ${frame.grads[id] || "?"}`];
    paintNode(picture, id, { active: id === frame.active, texts });
  }
  paintEdges(picture, frame.edges);
}

function show(index) {
  const frames = state.walk.frames;
  state.index = Math.max(0, Math.min(frames.length - 1, index));
  const frame = frames[state.index];
  const picture = state.pictures[state.layout];
  paint(picture, frame, state.walk);
  follow($("network-graph"), picture, frame.active);
  $("network-title").textContent = say("{title} ({k}/{n})",
                                       { title: frame.title, k: state.index + 1, n: frames.length });
  $("network-lines").replaceChildren(...frame.lines.map((line) => element("li", "", line)));
  $("network-slider").value = String(state.index);
  $("network-previous").disabled = state.index === 0;
  $("network-next").disabled = state.index === frames.length - 1;
}

function step(by) {
  if (state.walk?.frames?.length) show(state.index + by);
}

// Expression or network: the one shown, the other hidden.
export function setMode(network, walkNow = true) {
  state.on = network;
  $("expression-mode").hidden = network;
  $("network-mode").hidden = !network;
  $(network ? "mode-network" : "mode-expression").checked = true;
  if (network && !state.walk && walkNow) return choose(state.network, state.level, 0);
  if (network && state.pictures) { layOut(); show(state.index); }
  return working;
}

// A link's network, level and step.
export function followNetworkLink(link) {
  setMode(true, false); // the link's walk, not the default one first
  return choose(link.network, link.level, link.step);
}

export async function startNetworks(api) {
  engine = api;
  $("mode-expression-label").append(say("An expression"));
  $("mode-network-label").append(say("A network"));
  const { networks } = JSON.parse(await engine.call("page_api", "network_names"));
  state.names = networks;
  buildControls(networks);
  $("mode-expression").addEventListener("change", () => setMode(false));
  $("mode-network").addEventListener("change", () => setMode(true));
  $("network-previous").addEventListener("click", () => step(-1));
  $("network-next").addEventListener("click", () => step(1));
  $("network-slider").addEventListener("input", () => show(Number($("network-slider").value)));
  document.addEventListener("keydown", (event) => {
    if (!state.on || event.target.closest("input:not([type=radio]), textarea, select")) return;
    if (event.key === "ArrowRight") step(1);
    if (event.key === "ArrowLeft") step(-1);
  });
  window.addEventListener("resize", () => {
    if (state.on && state.pictures) { layOut(); show(state.index); }
  });
  // For tests: settled() resolves once the chosen walk is drawn.
  window.autograd_mini.networks = { state, show: step, settled: () => working };
}
