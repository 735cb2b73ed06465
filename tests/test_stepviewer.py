"""One step viewer: the step-by-step page (steps.html), the notebook explorer and the site's
playground share the module viz/stepviewer.js, and none of them keeps its own copy of it.
(How each one behaves in a browser: test_steps.py, test_explorer.py, test_pictures_follow.py
and test_site.py.)"""

import re
from pathlib import Path

import pytest

from autograd_mini.cli import worked_example
from autograd_mini.site import builder
from autograd_mini.viz import steps
from autograd_mini.viz.steps import VIEWER, steps_html, with_viewer

PACKAGE = Path(__file__).resolve().parents[1] / "autograd_mini"
PAGES = PACKAGE / "site" / "pages"
IMPORT = re.compile(r'^import \{[^}]*\} from "\./stepviewer\.js";$', re.M)
# The pieces the three used to carry each: now in the viewer's module only.
SHARED = ["element", "parsePicture", "indexPicture", "scaleIn", "arrange", "paintNode",
          "paintEdges", "around", "follow", "within"]


def defined(text: str, name: str) -> int:
    """How many times ``text`` defines the function ``name``."""
    return len(re.findall(rf"\bfunction {name}\(", text))


def test_the_shared_pieces_are_defined_once_in_the_viewer_and_nowhere_else():
    viewer = VIEWER.read_text(encoding="utf-8")
    assert all(defined(viewer, name) == 1 for name in SHARED)
    own = [PACKAGE / "viz" / "steps.html", PACKAGE / "viz" / "explorer.js",
           *sorted(PAGES.glob("*.js"))]
    copies = [f"{path.name}: {name}" for path in own for name in SHARED
              if defined(path.read_text(encoding="utf-8"), name)]
    assert copies == []


def test_each_viewer_imports_the_module():
    for path in (PACKAGE / "viz" / "steps.html", PACKAGE / "viz" / "explorer.js",
                 PAGES / "playground.js"):
        assert len(IMPORT.findall(path.read_text(encoding="utf-8"))) == 1, path.name


def test_the_written_page_and_the_widget_module_carry_the_viewer_once():
    pytest.importorskip("anywidget")
    from autograd_mini.viz.explorer import Explorer

    page = steps_html(worked_example())
    for text in (page, Explorer._esm):
        assert "stepviewer.js" not in text and not IMPORT.search(text)  # nothing to load
        assert all(defined(text, name) == 1 for name in SHARED)
    body = re.sub(r"^export ", "", VIEWER.read_text(encoding="utf-8"), flags=re.M)
    assert body.replace("</", "<\\/") in page and body.replace("</", "<\\/") in Explorer._esm
    assert page.count("<script") == page.count("</script>") == 2  # the data, the viewer


def test_the_site_carries_the_viewer_beside_its_pages(tmp_path):
    builder._assemble(tmp_path, {}, [], [])  # the pages as the build copies them
    assert (tmp_path / "stepviewer.js").read_bytes() == VIEWER.read_bytes()
    for page in ("playground.js", "course.js", "check.js"):
        assert 'from "./stepviewer.js";' in (tmp_path / page).read_text(encoding="utf-8")


def test_the_viewer_text_is_safe_inside_a_script_block():
    viewer = VIEWER.read_text(encoding="utf-8")
    assert "<!--" not in viewer and "{{DATA}}" not in viewer
    assert "</script" not in with_viewer('import { element } from "./stepviewer.js";')


def test_writing_the_viewer_in_escapes_a_closing_tag_and_refuses_what_it_cannot(
        tmp_path, monkeypatch):
    fake = tmp_path / "stepviewer.js"
    fake.write_text('export const END = "</script>";\nexport function f() {}\n')
    monkeypatch.setattr(steps, "VIEWER", fake)
    written = with_viewer('import { END, f } from "./stepviewer.js";\nf(END);')
    assert written == 'const END = "<\\/script>";\nfunction f() {}\n\nf(END);'
    for script in ('import { g } from "./stepviewer.js";', "f();",
                   'import { f } from "./stepviewer.js";\nimport { f } from "./stepviewer.js";'):
        with pytest.raises(ValueError, match="one import"):
            with_viewer(script)
    fake.write_text("export const C = '<!--';\n")
    with pytest.raises(ValueError, match="<!--"):
        with_viewer('import { C } from "./stepviewer.js";')
