// The step viewers' shared half: the step-by-step page (steps.html), the notebook explorer
// (explorer.js) and the site's playground (playground.js) all import it, so how a picture
// is sized, followed and painted is written once.  steps.py and explorer.py put this text
// in place of their import (one self-contained page, one widget module); the site serves
// it beside its pages.  Text goes in as text (textContent), never as markup.

export const ACTIVE = "#dc2626";
export const EDGE = "#6b7280";
export const MIN_TEXT_PX = 11; // graph text is never drawn smaller, unless Fit is asked for
export const MAX_SCALE = 1.6;  // nor blown up beyond this many pixels per point

// The reader's language.  Every word a viewer shows is written in English, as a
// say(message) call with one double-quoted literal; Python writes in the translations
// of a page's messages (autograd_mini.core.language.page_words), handed to useWords.
let WORDS = {};

export function useWords(words) {
  WORDS = words || {};
}

export function say(message, fields = {}) {
  const text = Object.prototype.hasOwnProperty.call(WORDS, message) ? WORDS[message] : message;
  return text.replace(PLACEHOLDER, (whole, name, paired) => {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) return whole;
    const word = String(fields[name]);
    return paired ? word + particle(word, paired) : word;
  });
}

// A Korean particle written paired after a placeholder ("{name}이(가)") becomes the one the
// filled-in word takes, as in Python (autograd_mini.core.language.particle): 가중치가,
// 노드는, 층으로; after a word not ending in Hangul (x1, 4.0) the pair stays.
const PARTICLES = { "이(가)": ["이", "가"], "은(는)": ["은", "는"], "을(를)": ["을", "를"],
  "과(와)": ["과", "와"], "와(과)": ["과", "와"], "(으)로": ["으로", "로"] };
const PLACEHOLDER = /\{(\w+)\}(이\(가\)|은\(는\)|을\(를\)|과\(와\)|와\(과\)|\(으\)로)?/g;

export function particle(word, paired) {
  const last = word.replace(/['")\]」』 ]+$/u, "").slice(-1);
  if (!(last >= "가" && last <= "힣")) return paired;
  const final = (last.charCodeAt(0) - "가".charCodeAt(0)) % 28; // 0: none, 8: ㄹ
  const [withFinal, without] = PARTICLES[paired];
  if (paired === "(으)로") return final === 0 || final === 8 ? without : withFinal;
  return final ? withFinal : without;
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A graphviz picture from its SVG text, parsed as XML (no script runs, no HTML is read).
export function parsePicture(text) {
  const root = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
  // An empty <svg> where the text is not one: the HTML parser gives it its namespace.
  const svg = root.nodeName === "svg" ? root
    : new DOMParser().parseFromString("<svg></svg>", "text/html").body.firstChild;
  return indexPicture(document.importNode(svg, true));
}

// A picture's parts: its node groups by id (each shape's own colours kept), its edges by
// their ends, and what sizing needs (its natural size, its smallest text).
export function indexPicture(svg) {
  const groups = new Map();
  for (const group of svg.querySelectorAll("g.node")) {
    groups.set(group.id, group);
    for (const shape of group.querySelectorAll("polygon, ellipse, path, text")) {
      shape.dataset.stroke = shape.getAttribute("stroke") || "";
      shape.dataset.fill = shape.getAttribute("fill") || "";
    }
  }
  const edges = [];
  for (const group of svg.querySelectorAll("g.edge")) {
    const [from, to] = ((group.querySelector("title") || {}).textContent || "").split("->");
    edges.push({ from, to: (to || "").replace(/_op$/, ""), group });
  }
  const sizes = Array.from(svg.querySelectorAll("text[font-size]"),
                           (t) => parseFloat(t.getAttribute("font-size")));
  const box = svg.viewBox && svg.viewBox.baseVal;
  return { svg, groups, edges, smallestFont: sizes.length ? Math.min(...sizes) : 14,
           width: (box && box.width) || 1, height: (box && box.height) || 1 };
}

// How big a layout is drawn in a box: fitted, but not below readable text (then panned);
// ``whole`` (Fit) fits it however small.  Its score: a layout that fits beats one that
// does not, and shows bigger text; of two that do not, the one that shows more at once.
export function scaleIn(layout, width, height, whole = false) {
  const fit = Math.min(width / layout.width, height / layout.height, MAX_SCALE);
  const readable = 1.002 * MIN_TEXT_PX / layout.smallestFont; // (a hair over: rounding)
  const scale = whole ? fit : Math.max(fit, readable);
  const shown = Math.min(1, width / (layout.width * scale)) *
                Math.min(1, height / (layout.height * scale));
  return { scale, score: fit >= readable ? 1 + fit : shown };
}

// Put in ``box`` the layout (of ``layouts``, by name) that shows the graph biggest in
// ``room`` ({width, height, pad}; a narrow box pans a tall one) and size the box to it.
// ``shown``: the layout in the box now.  Returns the name of the one shown.
export function arrange(box, layouts, shown, room, whole = false) {
  let best = null;
  for (const [name, layout] of Object.entries(layouts)) {
    const size = scaleIn(layout, room.width, room.height, whole);
    if ((name === "tall") === (room.width > room.height)) size.score *= 0.85; // box's shape
    if (!best || size.score > best.size.score + 1e-9) best = { name, size };
  }
  const layout = layouts[best.name], scale = best.size.scale;
  if (shown !== best.name) box.replaceChildren(layout.svg);
  layout.svg.style.width = `${layout.width * scale}px`;
  layout.svg.style.height = `${layout.height * scale}px`;
  box.style.height = `${Math.min(room.height, layout.height * scale) + room.pad}px`;
  box.dataset.layout = best.name;
  return best.name;
}

// One node and its op circle: red while it is the step's node; ``fill`` and ``font``
// colour the node (else graphviz's own colours); ``texts`` fill its last text fields.
export function paintNode(picture, id, { active = false, fill = "", font = "", texts = [] } = {}) {
  for (const key of [id, id + "_op"]) {
    const group = picture.groups.get(key);
    if (!group) continue;
    const isOp = key !== id;
    group.classList.toggle("active", active && !isOp);
    for (const shape of group.querySelectorAll("polygon, ellipse, path")) {
      if (!isOp) shape.setAttribute("fill", fill || shape.dataset.fill || "none");
      shape.setAttribute("stroke", active ? ACTIVE : shape.dataset.stroke || "black");
      shape.setAttribute("stroke-width", active ? "3" : "1");
    }
    for (const text of group.querySelectorAll("text")) {
      const own = text.dataset.fill || "black";
      text.setAttribute("fill", isOp ? (active ? ACTIVE : own) : font || own);
    }
  }
  const fields = picture.groups.has(id) ? picture.groups.get(id).querySelectorAll("text") : [];
  texts.forEach((text, k) => {
    const field = fields[fields.length - texts.length + k];
    if (field) field.textContent = text;
  });
}

// The edges: red those of ``lit`` ([[from, to], ...]), else ``colourOf(from)`` (the
// explorer's gradient flow) or grey.
export function paintEdges(picture, lit, colourOf = () => "") {
  const on = new Set(lit.map(([a, b]) => a + ">" + b));
  for (const edge of picture.edges) {
    const active = on.has(edge.from + ">" + edge.to);
    const own = colourOf(edge.from);
    const [colour, width] = active ? [ACTIVE, "2.5"] : own ? [own, "2"] : [EDGE, "1"];
    edge.group.classList.toggle("active-edge", active);
    for (const shape of edge.group.querySelectorAll("path, polygon")) {
      shape.setAttribute("stroke", colour);
      if (shape.nodeName === "polygon") shape.setAttribute("fill", colour);
      shape.setAttribute("stroke-width", width);
    }
  }
}

// The smallest rectangle, in the box's scrolled coordinates, around some elements.
function around(box, elements) {
  const outer = box.getBoundingClientRect();
  let r = null;
  for (const element of elements) {
    const b = element.getBoundingClientRect();
    const x0 = b.left - outer.left + box.scrollLeft, y0 = b.top - outer.top + box.scrollTop;
    const x1 = x0 + b.width, y1 = y0 + b.height;
    r = r ? { x0: Math.min(r.x0, x0), y0: Math.min(r.y0, y0), x1: Math.max(r.x1, x1),
              y1: Math.max(r.y1, y1) } : { x0, y0, x1, y1 };
  }
  return r;
}

// Scroll the box so that node ``active``, its op and the edges lit (class active-edge)
// are in view; when they are more than the box holds, as much as keeps the node in view.
export function follow(box, picture, active) {
  const node = [picture.groups.get(active), picture.groups.get(active + "_op")]
    .filter(Boolean);
  if (!node.length) return;
  const edges = picture.edges.filter((e) => e.group.classList.contains("active-edge"))
    .map((e) => e.group);
  // The node and its op, or the node alone when both do not fit (a unit's op circle
  // may be drawn far from its box): the step's own node is always in view.
  const all = around(box, node.concat(edges)), both = around(box, node);
  const fits = both.x1 - both.x0 <= box.clientWidth - 12
    && both.y1 - both.y0 <= box.clientHeight - 12;
  const mine = fits ? both : around(box, node.slice(0, 1));
  box.scrollLeft = within((all.x0 + all.x1) / 2 - box.clientWidth / 2, mine.x0, mine.x1,
                          box.clientWidth);
  box.scrollTop = within((all.y0 + all.y1) / 2 - box.clientHeight / 2, mine.y0, mine.y1,
                         box.clientHeight);
}

// A scroll position near ``wanted`` that keeps the span from ``low`` to ``high`` in a
// view ``size`` long (with a small margin), or centres the span if it is longer.
function within(wanted, low, high, size) {
  const margin = 6;
  if (high - low > size - 2 * margin) return (low + high) / 2 - size / 2;
  return Math.min(Math.max(wanted, high - size + margin), low - margin);
}
