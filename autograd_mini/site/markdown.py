"""Markdown as safe HTML, for the course page's text cells.

:func:`markdown_html` writes a safe subset of markdown as HTML: every character of the
notebook is escaped first, so a ``<script>`` in a notebook's text shows as text.

It takes time linear in its input, whatever the input (each inline rule's span stops at
the next of its own delimiters, so no rule scans the same text again from every
opening sign), and blockquotes nested deeper than :data:`MAX_NESTING` are shown as the
text they are.  A link goes to ``http``, ``https``, ``mailto``, this page (``#...``) or a
path of this site; another scheme, or a ``//host/...`` address, is shown as its words.
"""

from __future__ import annotations

import html
import re

__all__ = ["markdown_html", "inline", "MAX_NESTING"]

MAX_NESTING = 20  # blockquotes inside blockquotes; deeper ones are shown as text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
# http(s), mail, in-page, or a path of this site -- never ``//host`` (another site).
_SAFE_URL = re.compile(r"^(https?://[^\s]+|mailto:[\w.+-]+@[\w.-]+|#[\w-]*"
                       r"|(?!//)[\w./-]+(#[\w-]*)?)$")
# Math as Jupyter's markdown reads it, with pandoc's rule for a lone $ so that prose
# ("costs $5 and $10") stays prose: an inline formula's opening $ is not followed by a
# space, its closing $ is not preceded by one nor followed by a digit.  Code spans are
# taken out first, so a $ in code is never math.
_DISPLAY_MATH = re.compile(r"\$\$([^$]+)\$\$")
_INLINE_MATH = re.compile(r"(?<![$\\])\$(?=[^\s$])([^$]+)(?<=[^\s\\])\$(?![\d$])")
_NOTEBOOK_LINK = re.compile(r"^(?:\./)?(\d\d)_[\w-]+\.ipynb$")


def markdown_html(text: str, _depth: int = 0) -> str:
    """A safe subset of markdown as HTML: headings, paragraphs, lists, quotes, tables,
    fenced code, ``code``, **bold**, *italic*, math (``$...$`` inline and ``$$...$$`` on
    a line or over several, marked ``<span class="math">`` holding its TeX as text, for the
    page to typeset; see :data:`_INLINE_MATH`) and links
    (``http(s)``, in-page and relative only; a course notebook's link opens its page).
    Everything else -- raw HTML included -- is shown as the text it is."""
    try:
        return _blocks(text, _depth)
    except Exception:  # noqa: BLE001 -- a page's notebook must load whatever a cell holds
        return f"<p>{html.escape(str(text))}</p>"


def _blocks(text: str, depth: int) -> str:
    lines = _CONTROL.sub("", text.replace("\r\n", "\n")).split("\n")
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.lstrip().startswith("```"):
            i = _fenced(lines, i, blocks)
        elif line.strip().startswith("$$"):
            i = _display(lines, i, blocks)
        elif re.match(r"^#{1,6}\s", line):
            level = len(line) - len(line.lstrip("#"))
            blocks.append(f"<h{level}>{inline(line[level:].strip())}</h{level}>")
            i += 1
        elif re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):
            blocks.append("<hr>")
            i += 1
        elif line.lstrip().startswith("|"):
            i = _table(lines, i, blocks)
        elif line.lstrip().startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(lines[i].lstrip()[1:].removeprefix(" "))
                i += 1
            if depth >= MAX_NESTING:  # too deep: the rest is shown as the text it is
                blocks.append(f"<p>{html.escape(' '.join(quoted))}</p>")
            else:
                blocks.append(f"<blockquote>{_blocks(chr(10).join(quoted), depth + 1)}"
                              "</blockquote>")
        elif _LIST_ITEM.match(line):
            i = _list(lines, i, blocks)
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                paragraph.append(lines[i].strip())
                i += 1
            blocks.append(f"<p>{inline(' '.join(paragraph))}</p>")
    return "\n".join(blocks)


def _starts_block(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped.startswith(("```", "|", ">")) or re.match(r"^#{1,6}\s", line)
                or _LIST_ITEM.match(line))


def _fenced(lines: list[str], i: int, blocks: list[str]) -> int:
    body = []
    i += 1
    while i < len(lines) and not lines[i].lstrip().startswith("```"):
        body.append(lines[i])
        i += 1
    blocks.append(f"<pre><code>{html.escape(chr(10).join(body))}</code></pre>")
    return i + 1


def _display(lines: list[str], i: int, blocks: list[str]) -> int:
    """``$$`` ... ``$$`` over one line or several (up to a blank line) as one display
    formula; unclosed, the lines up to the blank one are a paragraph."""
    end = i
    while end < len(lines) and lines[end].strip():
        closed = lines[end].rstrip().endswith("$$") and (end > i or len(lines[i].strip()) > 3)
        end += 1
        if closed:
            tex = " ".join(line.strip() for line in lines[i:end]).strip()[2:-2]
            blocks.append(f"<p><span class='math display'>{html.escape(tex)}</span></p>")
            return end
    blocks.append(f"<p>{inline(' '.join(line.strip() for line in lines[i:end]))}</p>")
    return end


def _list(lines: list[str], i: int, blocks: list[str]) -> int:
    ordered = _LIST_ITEM.match(lines[i]).group(2)[0].isdigit()
    items: list[str] = []
    while i < len(lines):
        match = _LIST_ITEM.match(lines[i])
        if match:
            items.append(match.group(3).strip())
        elif lines[i].strip() and items and lines[i].startswith((" ", "\t")):
            items[-1] += " " + lines[i].strip()  # an item's next line
        else:
            break
        i += 1
    tag = "ol" if ordered else "ul"
    blocks.append(f"<{tag}>" + "".join(f"<li>{inline(item)}</li>" for item in items)
                  + f"</{tag}>")
    return i


def _table(lines: list[str], i: int, blocks: list[str]) -> int:
    rows = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        cells = _cells(lines[i].strip())
        if not all(re.fullmatch(r":?-+:?", c.strip()) for c in cells if c.strip()):
            rows.append(cells)
        i += 1
    head, *body = rows or [[]]
    html_rows = ["<tr>" + "".join(f"<th>{inline(c.strip())}</th>" for c in head) + "</tr>"]
    html_rows += ["<tr>" + "".join(f"<td>{inline(c.strip())}</td>" for c in row) + "</tr>"
                  for row in body]
    blocks.append("<table>" + "".join(html_rows) + "</table>")
    return i


def _cells(row: str) -> list[str]:
    """A table row's cells: split at each ``|`` outside a code span (``a|b`` stays)."""
    cells, current, in_code = [], "", False
    for k, char in enumerate(row):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code and (k == 0 or row[k - 1] != "\\"):
            cells.append(current)
            current = ""
        else:
            current += char
    cells.append(current)
    return cells[1:-1] if row.endswith("|") else cells[1:]


def inline(text: str) -> str:
    """One line of markdown as HTML: escaped first, then code, math, bold, italic, links."""
    kept: list[str] = []

    def keep(fragment: str) -> str:  # a finished piece of HTML, safe from later rules
        kept.append(fragment)
        return f"\x00{len(kept) - 1}\x00"

    text = text.replace("\x00", "")  # the placeholders' own sign
    # Each span stops at the next of its own delimiters, so every rule is linear.
    text = re.sub(r"`([^`]+)`", lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"),
                  text)
    text = text.replace("\\$", keep("$"))  # an escaped dollar is a dollar, never math
    text = _DISPLAY_MATH.sub(
        lambda m: keep(f"<span class='math display'>{html.escape(m.group(1))}</span>"), text)
    text = _INLINE_MATH.sub(
        lambda m: keep(f"<span class='math'>{html.escape(m.group(1))}</span>"), text)
    text = re.sub(r"!\[([^\[\]]*)\]\(([^()\s]*)\)", lambda m: m.group(1), text)  # no fetching
    text = re.sub(r"\[([^\[\]]+)\]\(([^()\s]+)\)",
                  lambda m: keep(_link(m.group(1), m.group(2))), text)
    text = html.escape(text)
    text = re.sub(r"\*\*([^*]+)\*\*|__([^_]+)__", lambda m: f"<strong>{m.group(1) or m.group(2)}"
                  "</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?![\s*])([^*]+)(?<!\s)\*(?![\w*])"
                  r"|(?<!\w)_(?![\s_])([^_]+)(?<!\s)_(?!\w)",
                  lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)
    for _ in range(3):  # a kept piece may hold another (a code span in a link's words)
        if "\x00" not in text:
            break
        text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
    return text


def _link(words: str, url: str) -> str:
    """A link, if its address is http(s), mailto, in-page or a path of this site; else
    its words as text."""
    notebook = _NOTEBOOK_LINK.match(url)
    if notebook:
        url = f"course.html?nb={notebook.group(1)}"
    elif not _SAFE_URL.match(url):
        return html.escape(words)
    return f'<a href="{html.escape(url)}">{html.escape(words)}</a>'
