// The reader's language, for every page of the site: chosen here once, before any page
// draws (this module waits for its words at the top level, so every module that imports
// it -- engine.js, each page's own script -- runs with them in place).
//
// The language is, in this order: ?lang=ko in the address (a shared link), the reader's
// last choice on this site (localStorage), the browser's languages (navigator.languages),
// else English.  Every word a page shows is written in English as a say(message) call in its
// script; the build writes each language's translations of all of them, from the same
// gettext catalogs as Python's (autograd_mini.core.language.page_words), as
// words/<language>.json.  The worker's Python speaks the same language (engine.js).
import { say, useWords } from "./stepviewer.js";

export { say };

export const LANGUAGES = { en: "English", ko: "한국어" };
const KEY = "autograd_mini.language";
const known = (code) => Object.prototype.hasOwnProperty.call(LANGUAGES, code);
const codeOf = (tag) => String(tag || "").toLowerCase().split(/[-_]/)[0];

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage refused (a private window, a sandbox)
  }
}

function choose() {
  const asked = codeOf(new URLSearchParams(location.search).get("lang"));
  if (known(asked)) return asked;
  if (known(stored())) return stored();
  for (const tag of navigator.languages || [navigator.language]) {
    if (known(codeOf(tag))) return codeOf(tag);
  }
  return "en";
}

export const language = choose();
document.documentElement.lang = language;

async function load() {
  try {
    const response = await fetch(new URL(`words/${language}.json`, import.meta.url));
    return response.ok ? await response.json() : {};
  } catch {
    return {}; // no words (a page opened from disk): English, as written
  }
}

// Until engine.js (which waits for these words) puts the engine in its place, a stand-in
// says when it is ready: a test or a benchmark may ask as soon as the page has loaded.
const loading = load();
const standIn = {};
standIn.ready = loading.then(() => new Promise((resolve) => setTimeout(resolve, 0)))
  .then(() => (window.autograd_mini === standIn ? null : window.autograd_mini.ready));
window.autograd_mini ??= standIn;

export const words = await loading;
useWords(words);

// ``href`` (this page or another of the site) in ``code``: its query and fragment kept.
export function inLanguage(href, code = language) {
  const url = new URL(href, location.href);
  url.searchParams.set("lang", code);
  return url.href;
}

// Put each text in the page: {selector: text}, or "selector@attribute" for an attribute.
export function showWords(texts) {
  for (const [where, text] of Object.entries(texts)) {
    const [selector, attribute] = where.split("@");
    for (const node of document.querySelectorAll(selector)) {
      if (attribute) node.setAttribute(attribute, text);
      else node.textContent = text;
    }
  }
}

// The links between the pages, each in the language chosen.
const PAGE_NAMES = {
  "index.html": say("Playground"),
  "check.html": say("Check your op"),
  "course.html": say("Course"),
  "train.html": say("Train"),
};

function header() {
  for (const link of document.querySelectorAll("header nav a[href]")) {
    const page = link.getAttribute("href").split(/[?#]/)[0];
    if (Object.prototype.hasOwnProperty.call(PAGE_NAMES, page)) link.textContent = PAGE_NAMES[page];
    link.href = inLanguage(link.getAttribute("href"));
  }
  const choice = document.createElement("nav");
  choice.className = "languages";
  choice.setAttribute("aria-label", say("Language"));
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const link = document.createElement("a");
    link.textContent = name;
    link.lang = code;
    link.hreflang = code;
    link.dataset.lang = code;
    link.href = inLanguage(location.href, code);
    if (code === language) link.setAttribute("aria-current", "true");
    // The address may have changed since (the playground's fragment): read it now.
    link.addEventListener("click", () => {
      try { localStorage.setItem(KEY, code); } catch { /* not kept: the link still says */ }
      link.href = inLanguage(location.href, code);
    });
    choice.append(link);
  }
  document.querySelector("header")?.append(choice);
}

header();
