// Check your op: the student's code runs in this tab's Python (their own code, typed
// here; a link never carries any), then autograd_mini.site.page_api.check_op puts every op
// it registered through gradcheck.  Results are inserted as text; the graph is graphviz's
// SVG of DOT whose labels the package escaped.
import { engine, ready, showStatus } from "./engine.js";
import { element } from "./stepviewer.js";
import { language, say, showWords } from "./words.js";

showWords({
  title: say("autograd_mini: check your op"),
  "header h1": say("Check your op"),
  "#about": say("Write an op's value and its derivative, register it, and press Check: "
                + "gradcheck compares your derivative with finite differences. This swish has "
                + "a slip in its rule; fix it and check again. (Your code runs only here, in "
                + "this tab; nothing you type is sent anywhere or put in a link.)"),
  "label[for=code]": say("Your op"),
  "#check": say("Check"),
  "#stop": say("Stop"),
  "#keys": say("(or Ctrl+Enter)"),
});

const $ = (id) => document.getElementById(id);

function table(rows) {
  const t = element("table", "check");
  const head = t.createTHead().insertRow();
  for (const title of [say("input"), say("at"), say("analytic"), say("numeric"),
                       say("abs error"), ""]) {
    head.append(element("th", "", title));
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.append(element("td", cell === "WRONG" ? "wrong" : "", cell));
  }
  return t;
}

function report(op) {
  const section = element("section");
  section.dataset.op = op.name;
  // The op's one verdict, counted by the package from the very rows of the table below.
  const verdict = element("h2", `op-verdict ${op.passed ? "right" : "wrong"}`,
                          `${op.name}: ${op.summary}`);
  section.append(verdict);
  section.append(element("p", "", say("The rule, written out by the package:")));
  section.append(element("pre", "", op.formula));
  if (op.sentences.length) section.append(element("pre", "", op.sentences.join("\n")));
  if (op.rows.length) {
    const scroller = element("div", "table");
    scroller.append(table(op.rows));
    section.append(scroller);
    section.append(element("p", "hint", [op.tolerance, ...op.notes].join("\n")));
  }
  if (op.message) section.append(element("pre", "error", op.message));
  if (op.svg) {
    const picture = element("div");
    picture.className = "picture";
    picture.innerHTML = op.svg; // graphviz's SVG; every label in it was escaped first
    section.append(picture);
  }
  return section;
}

// The student's code may loop for ever: Stop (enabled while it runs) ends it.
async function check() {
  const started = performance.now();
  $("stop").disabled = false;
  let result;
  try {
    result = JSON.parse(await engine.call("page_api", "check_op", $("code").value));
  } catch (error) { // stopped outside the student's code, or the engine restarted
    result = { error: error.message };
  } finally {
    $("stop").disabled = true;
  }
  show(result);
  window.autograd_mini.lastCheck = { ok: result.ok, ms: performance.now() - started };
}

function show(result) {
  $("problem").textContent = result.error || "";
  $("printed").textContent = result.printed || ""; // what the code printed, as text
  $("reports").replaceChildren(...(result.ops || []).map(report));
  $("verdict").textContent = result.ok
    ? say("✓ your derivative agrees with finite differences") : say("✗ not yet");
  $("verdict").className = `verdict ${result.ok ? "right" : "wrong"}`;
}

// Until the engine is ready: the report of the page's own code, checked when the site was
// built (the same report the engine then makes again).
async function showFirstReport() {
  const response = await fetch(language === "en" ? "check-first.json"
    : `check-first.${language}.json`);
  if (response.ok && !window.autograd_mini.lastCheck) show(await response.json());
}

// The editor grows with its (wrapped) text: on a phone the line to fix stays in view.
function fitEditor() {
  const editor = $("code");
  editor.style.height = "auto";
  editor.style.height = `${editor.scrollHeight + editor.offsetHeight - editor.clientHeight}px`;
}

async function main() {
  fitEditor();
  $("code").addEventListener("input", fitEditor);
  window.addEventListener("resize", fitEditor);
  await Promise.all([ready, showFirstReport()]);
  showStatus("");
  $("check").disabled = false;
  $("check").addEventListener("click", check);
  $("stop").addEventListener("click", () => engine.stop());
  $("code").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      check(); // Ctrl+Enter checks, as in a notebook
    }
  });
  await check();
}

engine.opened = main()
  .catch((error) => showStatus(say("The page failed: {message}", { message: error.message }),
                               true));
