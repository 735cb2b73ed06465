"""The site in the reader's language, and its mathematics typeset.

The pages' words come from the same gettext catalogs as Python's: the build writes
``words/<language>.json`` (every ``say("...")`` of every page script, translated), each page
loads its language's words (``?lang=ko``, the last choice, else the browser's languages) and
the worker's Python speaks the same language.  The course's formulas are typeset by KaTeX
(MathML) from the TeX the markdown marked.  Browser tests use the site fixtures of
test_site.py (built once, served on 127.0.0.1, offline Chromium).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import test_site
from test_site import wait_until

from autograd_mini import PRIMITIVES
from autograd_mini.core.language import LANGUAGES, current_language, page_words, speaking
from autograd_mini.site import markdown
from autograd_mini.site.builder import NPM_PACKAGES, PAGES
from autograd_mini.viz.steps import VIEWER

site, server = test_site.site, test_site.server
offline_browser, open_tab = test_site.offline_browser, test_site.open_tab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KOREAN_NOTEBOOKS = sorted((ROOT / "notebooks" / "ko").glob("[0-9][0-9]_*.ipynb"))
# The playground's network walk at each of its three zoom levels (the page's radio buttons)
# on the default network (the paper's symmetry net), the small MLP's units (tanh), and the
# family-trees net (its nodes level says it is too big to draw).
NETWORK_WALKS = [f"index.html#net={net}&level={level}&step=1"
                 for net, level in [("symmetry", "nodes"), ("symmetry", "units"),
                                    ("symmetry", "layers"), ("mlp", "units"),
                                    ("family", "nodes"), ("family", "units"),
                                    ("family", "layers")]]
PAGE_PATHS = ["index.html", "check.html", "course.html", "course.html?nb=02", "train.html",
              *NETWORK_WALKS]
WIDTHS = [(1280, 800), (390, 844)]
# Names a Korean page keeps in Latin letters: the project, the programs and packages it
# names, the engine's class, keys, gradcheck's table marker, file formats, the language
# switch's own "English", and the paper's authors.
KEPT = {"autograd_mini", "Python", "Pyodide", "graphviz", "gradcheck", "JupyterLab",
        "matplotlib", "wheel", "Value", "Ctrl", "Enter", "English", "WRONG", "DOT", "SVG",
        "HTML", "Rumelhart", "Hinton", "Williams"}


def page_scripts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in [*PAGES.glob("*.js"), VIEWER]]


# --- The markdown marks the TeX, as Jupyter reads it -------------------------------------


@pytest.mark.parametrize("text, formulas", [
    ("from $a_b$ to $x^2$", ["a_b", "x^2"]),
    ("$$\\frac{\\partial L}{\\partial w}$$", ["\\frac{\\partial L}{\\partial w}"]),
    ("costs $5 and $10 today", []),                # prose dollars are not math
    ("`$x$` is code, $y$ is math", ["y"]),          # a code span is never math
    ("a \\$5 bill and $z$", ["z"]),                # an escaped dollar is a dollar
    ("$x$5 and $ y $", []),                        # pandoc's rule for a lone $
    ("$$\n\\frac{a}{b}\n+ c\n$$", ["\\frac{a}{b} + c"]),  # display math over lines
    ("$a<b$ and $\\{x\\}$", ["a<b", "\\{x\\}"]),
])
def test_markdown_marks_inline_and_display_math_and_leaves_prose_dollars(text, formulas):
    html = markdown.markdown_html(text)
    found = re.findall(r"<span class='math(?: display)?'>(.*?)</span>", html)
    assert [__import__("html").unescape(f).strip() for f in found] == formulas
    assert "<b" not in html.replace("<blockquote", "")


def test_markdown_math_stays_escaped_and_fast():
    html = markdown.markdown_html("$<script>alert(1)</script>$ and $$<img src=x>$$")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    markdown.markdown_html("$$a\n" * 20_000 + "$ x" * 20_000)  # linear: returns at once


# --- The words the build writes ----------------------------------------------------------


def test_page_words_reads_long_messages_joined_with_plus_and_any_language():
    words = page_words('say("one " +\n  "two") say( "Stop" )', language="ko")
    assert set(words) == {"one two", "Stop"}
    assert words["Stop"] != "Stop"
    with pytest.raises(ValueError):
        page_words("", language="xx")


def test_speaking_a_language_for_a_while_puts_the_choice_back():
    before = current_language()
    with speaking("ko"):
        assert current_language() == "ko"
    assert current_language() == before


@pytest.mark.browser
def test_the_words_hold_every_page_message_in_both_languages(site):
    messages = set(page_words(*page_scripts(), language="en"))
    assert len(messages) > 60
    for language in LANGUAGES:
        words = json.loads((site / "words" / f"{language}.json").read_text(encoding="utf-8"))
        assert set(words) == messages, language
    korean = json.loads((site / "words" / "ko.json").read_text(encoding="utf-8"))
    english = [m for m, text in korean.items()  # "E = {loss}" has no words to translate
               if text == m and re.search(r"[A-Za-z]{4}", re.sub(r"\{\w+\}", "", m))]
    assert english == []  # every message with words has its Korean
    assert not any("\uac00" <= c <= "\ud7a3" for c in (site / "words" / "en.json").read_text())
    first = json.loads((site / "check-first.ko.json").read_text(encoding="utf-8"))
    assert first["ops"][0]["summary"] == "gradcheck 실패: 2행 중 2행이 틀림"
    assert NPM_PACKAGES["katex"] and (site / "vendor" / "katex" / "katex.mjs").is_file()
    assert not list((site / "vendor" / "katex").glob("*.css"))  # MathML: no CSS, no fonts


# --- Every visible word in Korean ---------------------------------------------------------

# The visible text of the page, less what is not the page's own words: code, pictures,
# formulas, and what is marked as written in another language (a notebook's English).
VISIBLE_TEXT = """() => {
  const skip = "svg, math, code, pre, textarea, script, style, [lang]:not(html):not([lang=ko])";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    texts.push(node.textContent);
  }
  for (const field of document.querySelectorAll("[placeholder]")) {
    if (field.checkVisibility()) texts.push(field.placeholder);
  }
  // The title names the notebook shown (its heading, in the notebook's language): not counted.
  const notebook = document.querySelector("h1[lang]:not([lang=ko])")?.textContent;
  texts.push(notebook ? document.title.replace(notebook, "") : document.title);
  return texts.join("\\n");
}"""
CODE_TEXT = """() => Array.from(document.querySelectorAll("code, pre, textarea, svg, math"),
                     (e) => e.textContent || e.value || "").join("\\n")"""


def english_left(text: str, code: str) -> list[str]:
    """Words of four or more Latin letters that are not a name the page's code holds, an
    op's name or a kept name."""
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code)) | set(PRIMITIVES) | KEPT
    return sorted({w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
                   if len(re.sub(r"[^A-Za-z]", "", w)) >= 4 and w not in names})


def opened_in(tab, path: str) -> None:
    if "course" in path:  # the markdown is formatted and the formulas typeset
        wait_until(tab.page, "document.querySelectorAll('.cell.markdown.plain').length === 0")
    if path.startswith("check"):
        wait_until(tab.page, "!!window.autograd_mini.lastCheck")
    if path.startswith("train"):  # the engine ready and the form filled
        wait_until(tab.page, "!document.querySelector('#play').disabled")
    if "#net=" in path:  # the link's walk shown: its step drawn, or its note said
        level = re.search(r"level=(\w+)", path)[1]
        wait_until(tab.page, "window.autograd_mini.networks.state.walk !== null && "
                   f"window.autograd_mini.networks.state.level === '{level}'")
        tab.page.evaluate("() => window.autograd_mini.networks.settled().then(() => true)")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width, height", WIDTHS)
@pytest.mark.parametrize("path", PAGE_PATHS)
def test_in_korean_no_english_sentence_is_left_on_any_page(open_tab, path, width, height):
    address, _hash, place = path.partition("#")
    joiner = "&" if "?" in address else "?"
    tab = open_tab(f"{address}{joiner}lang=ko" + (f"#{place}" if place else ""), width=width,
                   height=height)
    opened_in(tab, path)
    page = tab.page
    assert page.evaluate("document.documentElement.lang") == "ko"
    text = page.evaluate(VISIBLE_TEXT)
    assert re.search("[\uac00-\ud7a3]", text)
    left = english_left(text, page.evaluate(CODE_TEXT))
    assert left == [], f"{left}\n{text}"


@pytest.mark.browser
@pytest.mark.slow  # 15 s: several pages opened and waited for
def test_a_link_with_lang_opens_in_korean_and_the_switch_goes_back_and_keeps_the_rest(open_tab):
    tab = open_tab("index.html?lang=ko#e=x*y&at=x:2,y:3", width=390, height=844)
    page = tab.page
    assert page.locator("#share").inner_text() == "링크 공유"
    assert page.locator("nav.languages a[aria-current]").inner_text() == "한국어"
    wait_until(page, "document.querySelector('#step-title').textContent.length > 0")
    assert re.search("[\uac00-\ud7a3]", page.locator("#explain").inner_text())  # Python's too
    assert "lang=ko" in page.locator("header nav a[href*='check.html']").get_attribute("href")
    page.locator("nav.languages a[data-lang=en]").click()
    page.wait_for_url(re.compile(r"lang=en"))
    opened(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#share").inner_text() == "Share link"
    assert page.locator("#expression").input_value() == "x*y"  # the fragment kept
    page.goto(page.url.split("?")[0].replace("index.html", "check.html"))  # no ?lang
    opened(page)
    assert page.locator("#check").inner_text() == "Check"  # the last choice is kept
    page.locator("nav.languages a[data-lang=ko]").click()
    page.wait_for_url(re.compile(r"lang=ko"))
    opened(page)
    assert page.locator("#check").inner_text() == "검사"


@pytest.mark.browser
@pytest.mark.slow  # 15 s: several pages opened and waited for
def test_the_browsers_language_is_the_default(offline_browser, server):
    for locale, expected in (("ko-KR", "검사"), ("en-US", "Check"), ("fr-FR", "Check")):
        context = offline_browser.new_context(locale=locale)
        page = context.new_page()
        page.goto(f"{server}/check.html")
        opened(page)
        assert page.locator("#check").inner_text() == expected, locale
        language = "ko" if expected == "검사" else "en"
        assert page.evaluate("document.documentElement.lang") == language
        context.close()


# --- KaTeX ------------------------------------------------------------------------------


def opened(page) -> None:
    """After a page's load: its engine ready and its first view drawn."""
    page.evaluate("() => window.autograd_mini.ready.then(() => true)")
    page.evaluate("() => window.autograd_mini.opened.then(() => true)")


TYPESET = """Array.from(document.querySelectorAll("span.math"))
                .filter((formula) => formula.querySelector("math")).length"""


def formulas_of(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(markdown.markdown_html("".join(c["source"])).count("class='math")
               for c in cells if c["cell_type"] == "markdown")


@pytest.mark.browser
@pytest.mark.parametrize("width, height", WIDTHS)
def test_notebook_02s_central_equation_is_typeset(open_tab, width, height):
    tab = open_tab("course.html?nb=02", width=width, height=height)
    opened_in(tab, "course")
    page = tab.page
    text = page.locator("#cells").inner_text()
    assert "\\frac" not in text and "\\partial" not in text and "$$" not in text
    display = page.locator("span.math.display math")
    assert display.count() >= 1
    assert display.first.evaluate("(m) => m.getBoundingClientRect().width") > 50
    assert page.locator(".katex-error").count() == 0


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS + KOREAN_NOTEBOOKS,
                         ids=lambda p: p.parent.name.replace("notebooks", "en") + p.name[:2])
def test_every_formula_of_every_notebook_is_typeset(open_tab, notebook):
    language = "ko" if notebook.parent.name == "ko" else "en"
    tab = open_tab(f"course.html?nb={notebook.name[:2]}&lang={language}", width=1280, height=800)
    opened_in(tab, "course")
    page = tab.page
    expected = formulas_of(notebook)
    assert page.locator("span.math").count() == expected
    assert page.evaluate(TYPESET) == expected  # a <math> in each
    assert page.locator(".katex-error").count() == 0
    text = page.locator("#cells").inner_text()
    assert not re.search(r"\\(frac|partial|cdot|sum|mathrm|text)\b", text)
