"""The teaching notebooks run top to bottom in a fresh kernel, stay small, and show what
their text says: each number the text quotes, each picture (PNG beside SVG), and the
explorer of the package as it is today.  The Korean notebooks (``notebooks/ko/``) are the
English ones with their prose in Korean: the same code cells, held to the same checks.

They run through ``notebooks/refresh.py``, the command that regenerates their committed
outputs, so the test and the command execute them the same way.
"""

import ast
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

from autograd_mini.viz.steps import with_viewer

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KOREAN = sorted((ROOT / "notebooks" / "ko").glob("*.ipynb"))
EVERY = NOTEBOOKS + KOREAN  # what the checks of a committed notebook and of a run cover


def name(path: Path) -> str:
    """A test id: ``02_chain_rule_as_an_algorithm``, ``ko/02_chain_rule_as_an_algorithm``."""
    return f"ko/{path.stem}" if path.parent.name == "ko" else path.stem


def notebook(number: str):
    """The course's notebook ``number`` ("01"), by its name, not its place in the list."""
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(number + "_")]
    return path

EXPLORER = ROOT / "autograd_mini" / "viz"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _refresh():
    """notebooks/refresh.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("refresh", ROOT / "notebooks" / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


refresh = _refresh()


# -- a number the text quotes -----------------------------------------------------------
# The convention: a number in a markdown cell written as a code span of its own -- `12`,
# `-2`, `82,176`, `0.7071` -- is a number a run prints.  It must appear, to the precision
# quoted, in the text outputs of the code cells right before or right after that markdown
# cell (the runs of code cells up to the neighbouring markdown cells).

QUOTED = re.compile(r"`(-?\d[\d,]*(?:\.\d+)?)`")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def quoted_numbers(markdown: str) -> list[str]:
    return QUOTED.findall(markdown)


def printed_numbers(cells) -> list[float]:
    """Every number in the text the cells printed or returned (pictures left out)."""
    texts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(_text(output["text"]))
            elif "data" in output:
                texts.append(_text(output["data"].get("text/plain", "")))
    return [float(n) for n in NUMBER.findall("\n".join(texts).replace(",", ""))]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def agrees(quoted: str, printed: float) -> bool:
    """``printed`` shown with as many decimals as ``quoted`` has is ``quoted``."""
    quoted = quoted.replace(",", "")
    decimals = len(quoted.split(".")[1]) if "." in quoted else 0
    return f"{printed:.{decimals}f}" in (quoted, f"{float(quoted):.{decimals}f}")


def neighbours(cells, index: int) -> list:
    """The code cells right before and right after cell ``index``."""
    def run(step):
        found, k = [], index + step
        while 0 <= k < len(cells) and cells[k]["cell_type"] == "code":
            found.append(cells[k])
            k += step
        return found
    return run(-1) + run(1)


def disagreements(notebook) -> list[str]:
    """Each quoted number no neighbouring output shows, with where it is quoted."""
    cells = notebook["cells"]
    wrong = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        printed = printed_numbers(neighbours(cells, index))
        for quoted in quoted_numbers(_text(cell["source"])):
            if not any(agrees(quoted, n) for n in printed):
                wrong.append(f"cell {index} quotes `{quoted}`; the cells beside it print "
                             f"{sorted(set(printed))[:12]}")
    return wrong


def test_the_number_convention():
    assert quoted_numbers("grows by `12` a step, `82,176` in all; `x = 3` and `x1`") == [
        "12", "82,176"]
    assert agrees("6", 5.999999999950489) and agrees("0.7071", 0.7071067811865476)
    assert agrees("82,176", 82176.0) and agrees("-2", -2.0)
    assert not agrees("11", 12.0) and not agrees("0.7072", 0.7071067811865476)
    cells = [{"cell_type": "code", "outputs": [{"output_type": "stream", "text": "n = 12\n"}]},
             {"cell_type": "markdown", "source": "grows by `11`"}]
    assert len(disagreements({"cells": cells})) == 1
    cells[1]["source"] = "grows by `12`"
    assert disagreements({"cells": cells}) == []


# -- the committed notebooks, as a reader opens them --------------------------------------


def test_the_course_is_complete():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "07",
                                                "08", "09"]
    assert refresh.NOTEBOOKS == NOTEBOOKS + KOREAN  # refresh.py runs the Korean ones too
    assert {p.name for p in KOREAN} <= {p.name for p in NOTEBOOKS}  # no stray one


def _code_cells(path: Path) -> list[tuple]:
    """Each code cell of the notebook at ``path`` as a reader of the course meets it: its
    source, its tags and how JupyterLab folds it (a solution's ``jupyter`` metadata)."""
    return [("".join(c["source"]), c["metadata"].get("tags", []),
             c["metadata"].get("jupyter", {}))
            for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_each_notebook_has_a_korean_one_with_the_same_code(path):
    """A Korean notebook is the English one's code, byte for byte (solutions folded the
    same way), with Korean prose: a fix to a code cell is made in both."""
    korean = ROOT / "notebooks" / "ko" / path.name
    assert korean.exists(), f"no Korean notebook notebooks/ko/{path.name}"
    assert _code_cells(korean) == _code_cells(path)
    prose = [_text(c["source"]) for c in json.loads(korean.read_text())["cells"]
             if c["cell_type"] == "markdown"]
    assert prose and all(re.search("[가-힣]", text) for text in prose)
    assert prose[0].startswith(f"# {int(path.name[:2])}. ")  # the course's numbering kept


@pytest.mark.parametrize("path", KOREAN, ids=name)
def test_korean_links_stay_in_the_korean_course(path):
    """A link of a Korean notebook to another notebook leads to the Korean one (the file
    beside it), and every relative link leads to a file that exists."""
    prose = "".join(_text(c["source"]) for c in json.loads(path.read_text())["cells"]
                    if c["cell_type"] == "markdown")
    for target in re.findall(r"\]\(([^)#\s]+)", prose):
        if "://" in target:
            continue
        assert (path.parent / target).resolve().exists(), target
        if target.endswith(".ipynb"):
            assert (path.parent / target).resolve().parent == path.parent, target


def test_refresh_runs_the_korean_notebooks_in_korean(tmp_path):
    """The package's own messages (errors, trace tables) in a Korean notebook are in
    Korean, in an English one in English, whatever the locale of the machine."""
    english, korean = notebook("01"), ROOT / "notebooks" / "ko" / notebook("01").name
    assert refresh.language(english) == "en" and refresh.language(korean) == "ko"
    assert refresh.quiet_environment(tmp_path, "ko")["AUTOGRAD_MINI_LANG"] == "ko"
    assert refresh.chosen(["ko/01"]) == [korean]
    assert refresh.chosen(["ko"]) == KOREAN
    # and so the committed trace tables are: notebook 0's trace of the lecture's neuron
    tables = [printed_text(nbformat.read(path, as_version=4))
              for path in (notebook("00"), ROOT / "notebooks" / "ko" / notebook("00").name)]
    assert "Forward pass\n" in tables[0] and "순전파\n" not in tables[0]
    assert "순전파\n" in tables[1] and "역전파\n" in tables[1] and "Forward pass" not in tables[1]


def printed_text(book) -> str:
    """All the text the code cells of ``book`` printed."""
    return "".join(_text(o.get("text", "")) for c in book.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream")


@pytest.mark.parametrize("path", EVERY, ids=name)
def test_committed_text_agrees_with_committed_outputs(path):
    assert disagreements(json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", EVERY, ids=name)
def test_every_picture_has_a_png(path):
    """SVG is hidden in a notebook that is not trusted (opened before it is run): each
    SVG output has a PNG beside it, so the reader sees every graph and figure."""
    outputs = [o for c in json.loads(path.read_text())["cells"] for o in c.get("outputs", [])
               if "image/svg+xml" in o.get("data", {})]
    assert all(o["data"].get("image/png", "").startswith("iVBORw0KGgo") for o in outputs)
    if path.name[:2] in ("01", "02", "04", "05", "06"):
        assert outputs, "these notebooks draw pictures"


@pytest.mark.parametrize("path", EVERY, ids=name)
def test_saved_explorers_are_the_packages(path):
    """The widget state saved in a notebook carries the explorer's script and style:
    they must be the package's files of today (python notebooks/refresh.py renews them)."""
    notebook = json.loads(path.read_text())
    state = notebook["metadata"].get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    explorers = [m["state"] for m in state.values() if "_esm" in m["state"]]
    shows = any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                for c in notebook["cells"] for o in c.get("outputs", []))
    assert bool(explorers) == shows  # an explorer shown has its state saved, and only then
    script = with_viewer((EXPLORER / "explorer.js").read_text())  # the module anywidget loads
    style = (EXPLORER / "explorer.css").read_text()
    for explorer in explorers:
        assert explorer["_esm"] == script, "stale explorer.js: run python notebooks/refresh.py"
        assert explorer["_css"] == style, "stale explorer.css: run python notebooks/refresh.py"


@pytest.mark.parametrize("course", [NOTEBOOKS, KOREAN], ids=["en", "ko"])
def test_the_explorers_are_saved_where_they_are_shown(course):
    shown = [p.name[:2] for p in course if "widget-view+json" in p.read_text()]
    assert shown == [n for n in ["01", "02", "05"] if any(p.name[:2] == n for p in course)]


# -- a fresh run ---------------------------------------------------------------------------


# The notebooks that take more than a few seconds to run; the quick loop runs the others.
SLOW_TO_RUN = {"00", "04", "05", "06", "09"}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.slow)
                                  if p.name[:2] in SLOW_TO_RUN else p for p in EVERY],
                         ids=name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    notebook = nbformat.read(path, as_version=4)
    assert os.path.getsize(path) < 1_000_000  # outputs stay small
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = [cell for cell in code if cell.outputs]
    assert len(shown) >= len(code) // 2  # committed with its outputs, to read on a code host
    solutions = [c for c in notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2 and all(c.metadata["jupyter"]["source_hidden"]
                                       for c in solutions)
    fresh = refresh.run(path, timeout=120)  # raises NotebookFailed at the first failing cell
    errors = [o for c in fresh.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert disagreements(fresh) == []  # the text quotes what a run prints today


def test_ci_runs_the_notebooks_in_readmes_course_environment():
    """CI makes a second environment with exactly README's course command (JupyterLab
    is not started) and runs every notebook there: a package the course needs but its
    install lacks fails CI, though the test environment has it."""
    readme = (ROOT / "README.md").read_text()
    (command,) = re.findall(r"\n(pip install -e '\.\[notebooks\]') && jupyter lab notebooks/\n",
                            readme)
    ci = (ROOT / ".ci" / "run").read_text().split("# The course as README installs it.")[1]
    ci = ci.split("\n", 1)[1]  # the lines after the one that opens the block
    steps = [line.strip() for line in ci.splitlines() if line.strip()
             and not line.lstrip().startswith("#")]
    assert steps[:6] == ["rm -rf .venv-course", "python3 -m venv .venv-course",
                         ". .venv-course/bin/activate", command.replace("pip install",
                                                                        "pip install -q"),
                         "python notebooks/refresh.py --check", "deactivate"]
    assert "python notebooks/refresh.py" in readme


def test_refresh_names_a_notebook_it_cannot_find():
    with pytest.raises(SystemExit, match="no notebook '99'"):
        refresh.chosen(["99"])
    assert refresh.chosen(["02"]) == [notebook("02")]
    assert refresh.chosen([notebook("05").name]) == [notebook("05")]


def test_refresh_stops_at_a_failing_cell_and_writes_nothing(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('before')"),
        nbformat.v4.new_code_cell("1 / 0"),
    ])
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)
    before = path.read_bytes()
    with pytest.raises(refresh.NotebookFailed, match="broken.ipynb: .*ZeroDivisionError"):
        refresh.run(path, timeout=60)
    assert path.read_bytes() == before


def test_refresh_writes_outputs_without_timings(tmp_path):
    path = tmp_path / "small.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("6 * 7")]), path)
    refresh.write(refresh.run(path, timeout=60), path)
    (cell,) = nbformat.read(path, as_version=4).cells
    assert cell.outputs[0]["data"]["text/plain"] == "42"
    assert "execution" not in cell.metadata
    assert [p.name for p in tmp_path.iterdir()] == ["small.ipynb"]  # no temporary file left


def test_notebook_1_checks_its_gradients_again_on_a_second_run(tmp_path):
    """Run twice in a row, the cell that checks backward() against the hand-worked
    numbers still passes: it starts from zero, and says why (gradients accumulate)."""
    lesson = nbformat.read(notebook("01"), as_version=4)
    (at,) = [k for k, c in enumerate(lesson.cells) if "by_hand = {" in c.source]
    assert "accumulate" in lesson.cells[at].source
    lesson.cells.insert(at + 1, nbformat.v4.new_code_cell(lesson.cells[at].source))
    path = tmp_path / notebook("01").name
    nbformat.write(lesson, path)
    fresh = refresh.run(path, timeout=120)
    first, second = (_text(fresh.cells[k].outputs[0]["text"]) for k in (at, at + 1))
    assert first == second and "a: by hand   6.0   backward()   6.0" in first


def test_notebook_6_names_the_node_a_neuron_makes():
    import random

    from autograd_mini.nn import Neuron

    op = Neuron(2, "sigmoid", rng=random.Random(0))([1.0, 2.0]).parents[0].op
    table = json.loads(notebook("06").read_text())["cells"][0]["source"]
    assert f"one `{op}` node" in _text(table)


def test_refresh_check_fails_ci_when_a_notebook_fails(tmp_path, monkeypatch, capsys):
    """What CI runs in the course environment: exit status 1 naming the notebook."""
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), good)
    nbformat.write(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import no_such_module_here")]), bad)
    monkeypatch.setattr(refresh, "NOTEBOOKS", [good, bad])
    before = bad.read_bytes()
    assert refresh.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "FAILED 02_bad.ipynb: ModuleNotFoundError" in err and "1 notebook(s) failed" in err
    assert bad.read_bytes() == before


def _code_before(cells, heading: str) -> list[str]:
    """The sources of the code cells of ``cells`` from the top to the one right after the
    markdown cell that has ``heading``, that one included."""
    sources, seen = [], False
    for cell in cells:
        if cell["cell_type"] == "markdown" and heading in "".join(cell["source"]):
            seen = True
        elif cell["cell_type"] == "code":
            sources.append("".join(cell["source"]))
            if seen:
                return sources
    raise AssertionError(f"no code cell after {heading!r}")


def test_notebook_2_explores_the_expression_its_text_describes(monkeypatch, tmp_path):
    """"The same walk, live" tells the student to drag ``x`` and watch two contributions
    reach it: the explorer shows ``out = tanh(x*x + x)`` (x, y, z, out), not a gate of
    the loop above it that happened to reuse the name ``out`` (relu(q), two nodes)."""
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    cells = json.loads(notebook("02").read_text())["cells"]
    *before, live = _code_before(cells, "## The same walk, live")
    assert live.strip().endswith("explore(out)")
    namespace = {}
    for source in before:
        exec(compile(source, "notebook 02", "exec"), namespace)
    from autograd_mini import explore, topological_order
    explorer = explore(namespace["out"])
    assert [n.label for n in topological_order(namespace["out"])] == ["x", "y", "z", "out"]
    assert explorer.inputs == {"x": 1.5} and len(explorer.nodes) == 4
    # and the explorer saved in the committed notebook is that one
    saved = json.loads(notebook("02").read_text())["metadata"]["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]
    (state,) = [m["state"] for m in saved.values() if "_esm" in m["state"]]
    assert state["inputs"] == {"x": 1.5} and len(state["nodes"]) == 4


SOLUTION_HEAD = re.compile(r"# Solution( \d+)? \(click to show\)")


@pytest.mark.parametrize("path", EVERY, ids=name)
def test_no_answer_shows_before_it_is_asked_for(path):
    """A solution is folded in JupyterLab (source and outputs hidden; a folded cell shows
    its first line, which says only how to open it) and stored without outputs, so
    neither a code host nor a fresh view prints an answer under its question."""
    solutions = [c for c in json.loads(path.read_text())["cells"]
                 if "solution" in c["metadata"].get("tags", [])]
    assert len(solutions) >= 2
    for cell in solutions:
        first = "".join(cell["source"]).splitlines()[0]
        assert SOLUTION_HEAD.fullmatch(first), first
        assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
        assert cell["outputs"] == [] and cell["execution_count"] is None
        # Running a cell unfolds its outputs in JupyterLab: a solution checks its answer
        # with assert and prints nothing, so "Run all" shows no answer either.
        tree = ast.parse("".join(cell["source"]))
        assert not any(isinstance(node, ast.Call) and getattr(node.func, "id", "") in
                       ("print", "display") for node in ast.walk(tree)), first
        assert not isinstance(tree.body[-1], ast.Expr), first  # no value shown either


def test_refresh_stores_a_solution_folded_and_without_outputs(tmp_path):
    path = tmp_path / "solved.ipynb"
    book = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('a question')"),
        nbformat.v4.new_code_cell("# Solution (click to show)\nprint('the answer is 42')",
                                  metadata={"tags": ["solution"]})])
    nbformat.write(book, path)
    refresh.write(refresh.run(path, timeout=60), path)
    question, solution = nbformat.read(path, as_version=4).cells
    assert question.outputs[0]["text"] == "a question\n"
    assert solution.outputs == [] and solution.execution_count is None
    assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
