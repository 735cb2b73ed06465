"""The autograd-mini command, run as a user would: files written, errors in one line."""

import html
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.cli import main
from autograd_mini.explain.expression import ExpressionError, parse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograd_mini", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _one_line_exit_2(result, *needles):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograd-mini: error: "), result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def _terms(n):
    return "+".join(["x"] * n)


def _grouped(n, size=30):
    """``n`` terms as ``(x+...+x)+(x+...+x)+...``: the graph of ``_terms(n)``, within the
    parser's nesting limit."""
    return "+".join("(" + "+".join(["x"] * size) + ")" for _ in range(n // size))


def _doubled(times=8):
    text = "x"
    for _ in range(times):
        text = f"({text}*{text})"
    return text


# -- the commands at work: graph, steps and demo write what they say -----------------------


def test_graph_writes_each_format(tmp_path):
    for name in ["graph.svg", "graph.png", "graph.pdf", "graph.dot"]:
        result = run("graph", "tanh(x*w + b)", "--at", "x=1", "--at", "w=-3", "--at", "b=6.88",
                     "-o", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).stat().st_size > 100
    svg = html.unescape((tmp_path / "graph.svg").read_text())
    assert "data -3" in svg and "tanh" in svg and "grad 1" in svg
    assert (tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "graph.pdf").read_bytes()[:4] == b"%PDF"


def test_steps_prints_table_or_writes_html(tmp_path):
    result = run("steps", "x*x + 3*x", "--at", "x=2", cwd=tmp_path)
    assert result.returncode == 0
    assert "∂n1/∂x = x = 2" in result.stdout and "out = n1 + n2 = 10" in result.stdout
    result = run("steps", "x*x + 3*x", "--at", "x=2", "-o", "steps.html", cwd=tmp_path)
    assert result.returncode == 0
    page = (tmp_path / "steps.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "\\u003csvg" in page  # "<" escaped in data
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched


def test_formulas_read_as_a_student_writes_them(tmp_path):
    result = run("steps", "tanh(x)**2 + 2**x", "--at", "x=2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "∂n2/∂n1 = 2 * n1 = 1.928" in result.stdout  # not 2 * n1**1
    assert "∂n3/∂x = 2**x * log(2) = 2.773" in result.stdout  # not (2**x) * 0.6931471805599453
    assert "**1 " not in result.stdout and "0.6931" not in result.stdout


def test_the_doubled_expression_still_draws_and_tabulates(tmp_path):
    result = run("graph", _doubled(), "--at", "x=1", "-o", "g.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "g.svg").stat().st_size > 1000
    table = run("steps", _doubled(), "--at", "x=1", cwd=tmp_path)
    assert table.returncode == 0 and "out = " in table.stdout


def test_demo_tour_writes_graph_and_viewer(tmp_path):
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "autograd-mini-demo"
    assert {p.name for p in folder.iterdir()} == {"graph.svg", "steps.html"}
    assert "∂o/∂n = 1 - tanh(n)**2 = 0.5" in result.stdout
    assert "steps.html" in result.stdout
    again = run("demo", cwd=tmp_path)  # a second run gets a new folder
    assert again.returncode == 0 and (tmp_path / "autograd-mini-demo-2").is_dir()
    chosen = run("demo", "--out", "here", cwd=tmp_path)
    assert chosen.returncode == 0 and (tmp_path / "here" / "steps.html").exists()


def test_demo_list(tmp_path):
    result = run("demo", "--list", cwd=tmp_path)
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"xor", "symmetry", "family-trees", "bptt", "moons", "newton", "modes"} <= set(names)


def test_version(tmp_path):
    import autograd_mini

    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"autograd-mini {autograd_mini.__version__}"


def test_tour_and_figures_get_opens_mode(tmp_path, umask_022):
    import stat

    from autograd_mini.demos.common import pyplot, save_figure

    result = subprocess.run([sys.executable, "-m", "autograd_mini", "demo", "--out", "t"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # the command runs with the test's umask
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "t").iterdir()}
    assert modes == {"graph.svg": 0o644, "steps.html": 0o644}
    fig, ax = pyplot().subplots()
    ax.plot([0, 1], [1, 0])
    path = save_figure(fig, tmp_path, "figure.png")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644 and path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png", "t"]


# -- names given with --at, and an ASCII terminal ------------------------------------------


@pytest.mark.parametrize("name, expression", [("é", "é*2"), ("ﬁ", "fi*2"), ("x_1", "x_1*2"),
                                              ("π", "π*2")])
def test_at_accepts_every_name_an_expression_accepts(tmp_path, name, expression):
    result = run("steps", expression, "--at", f"{name}=1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "= 2" in result.stdout


@pytest.mark.parametrize("text", ["1x=1", "x-y=1", "=1", "x", "é=", "x y=1"])
def test_at_refuses_what_is_not_a_name(tmp_path, text):
    result = run("steps", "x", "--at", text, cwd=tmp_path)
    _one_line_exit_2(result)


@pytest.mark.parametrize("text", ["x=", "x= ", " x = "])
def test_at_with_no_number_is_refused_never_read_as_0(tmp_path, text):
    result = run("steps", "x*x", "--at", text, cwd=tmp_path)
    _one_line_exit_2(result, "--at x= needs a number: --at x=2")
    assert result.stdout == ""


def test_output_into_a_pipe_closed_early_stops_quietly(tmp_path):
    """`autograd-mini steps ... | head -c 10`: no "Broken pipe" error, no traceback, the
    status of a tool stopped by SIGPIPE (141), as cat and grep give."""
    from autograd_mini.cli import PIPE_CLOSED

    # 280 terms in groups of 20 (a flat sum of 280 nests past the parser's depth limit):
    # some 80 kB of steps, more than a pipe holds
    long = "+".join("(" + "+".join(["exp(x)"] * 20) + ")" for _ in range(14))
    process = subprocess.Popen([sys.executable, "-m", "autograd_mini", "steps", long,
                                "--at", "x=0.5"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.read(10) == b"Forward pa"
    process.stdout.close()  # the reader goes, as head does
    status = process.wait(timeout=120)
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert status == PIPE_CLOSED == 141 and errors == ""


def test_a_constant_name_with_a_value_is_a_name_like_any_other(tmp_path):
    result = run("steps", "e**x + pi", "--at", "x=2", "--at", "e=3", "--at", "pi=1",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "n1 = e**x = 9" in result.stdout


def test_an_ascii_terminal_gets_ascii_spellings(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "steps", "x*x + 3*x",
                             "--at", "x=2"], cwd=tmp_path, env=env, capture_output=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("ascii")
    assert "dout/dn1 = 1" in out and "dn1/dx = x = 2" in out
    accented = subprocess.run([sys.executable, "-m", "autograd_mini", "steps", "é*2",
                               "--at", "é=1"], cwd=tmp_path, env=env, capture_output=True,
                              timeout=120)
    assert accented.returncode == 0 and "dout/d\\xe9 = 2" in accented.stdout.decode("ascii")


# -- hostile and malformed input: exit status 2, one line, nothing written or run ----------


HOSTILE = [
    ["graph", "__import__('os').system('touch pwned')", "-o", "g.svg"],
    ["graph", "x.__class__", "--at", "x=1", "-o", "g.svg"],
    ["graph", "x[0]", "--at", "x=1", "-o", "g.svg"],
    ["graph", "(lambda: 1)()", "-o", "g.svg"],
    ["graph", "open('pwned', 'w')", "-o", "g.svg"],
    ["graph", "y + 1", "-o", "g.svg"],
    ["graph", "1/x", "--at", "x=0", "-o", "g.svg"],
    ["graph", "log(x)", "--at", "x=-1", "-o", "g.svg"],
    ["graph", "x +", "--at", "x=1", "-o", "g.svg"],
    ["graph", "x", "--at", "x=abc", "-o", "g.svg"],
    ["graph", "x", "--at", "x=nan", "-o", "g.svg"],
    ["graph", "x", "--at", "x", "-o", "g.svg"],
    ["graph", "x", "--at", "x=1", "--at", "y=2", "-o", "g.svg"],
    ["graph", "x", "--at", "x=1", "-o", "g.gif"],
    ["graph", "x", "--at", "x=1", "-o", "missing/g.svg"],
    ["graph", "x", "--at", "x=1"],
    ["graph", "'text'", "-o", "g.svg"],
    ["graph", "(" * 500 + "1" + ")" * 500, "-o", "g.svg"],
    ["graph", "1" * 5000, "-o", "g.svg"],
    ["graph", "9" * 400, "-o", "g.svg"],
    ["graph", "sqrt(x)", "--at", "x=0", "-o", "g.svg"],
    ["steps", "x ** 0.5", "--at", "x=0"],
    ["graph", "1e999 * x", "--at", "x=1", "-o", "g.svg"],
    ["graph", "tanh(x, x)", "--at", "x=1", "-o", "g.svg"],
    ["graph", "x if x else x", "--at", "x=1", "-o", "g.svg"],
    ["steps", "f'{x}'", "--at", "x=1"],
    ["steps", "\x01"],
    ["demo", "no-such-demo"],
    ["no-such-command"],
]


@pytest.mark.parametrize("args", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_and_malformed_input_exits_2_in_one_line(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograd-mini: error: ")
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing executed


def test_if_without_else_gives_the_error_without_a_syntax_warning(tmp_path):
    result = run("steps", "1if x", "--at", "x=1", cwd=tmp_path)
    _one_line_exit_2(result, "not a valid expression")


@given(st.text(max_size=40))
def test_any_text_is_parsed_or_rejected_with_expression_error(text):
    # Any other exception escaping parse() fails this test.
    try:
        out = parse(text, {})
    except ExpressionError as error:
        assert str(error)
    else:
        assert isinstance(out, Value)


@given(st.text(alphabet="xy+-*/()., 0123456789eal_[]'\"=", max_size=30)
       | st.integers(min_value=10**300).map(str))
def test_cli_never_tracebacks_on_generated_text(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("cli")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = main(["steps", text, "--at", "x=0.5", "--at", "y=2"])
    finally:
        os.chdir(cwd)
    assert code in (0, 2)
    assert list(folder.iterdir()) == []

# Whole command lines, put together from what a careless or hostile user types, run in process.
CANARY = "canary"


PIECES = ["x", "y", "é", "1", "0", "2.5", "1e308", "9" * 30, "+", "-", "*", "/", "**", "(", ")",
          "tanh(", "log(", "sqrt(", "exp(", " ", "if", "else", "lambda:", ",", "[0]", "'",
          "x.__class__", f"__import__('os').system('touch {CANARY}')", f"open('{CANARY}','w')",
          "\x00", "∂", "{{DATA}}", "<script>", "\n"]


AT = ["x=0.5", "y=2", "é=1", "x=0", "x=nan", "x=1e309", "x", "=1", "x=1=2", "y=-1", "ﬁ=3"]


OUTPUT = [[], ["-o", "g.svg"], ["-o", "g.png"], ["-o", "g.dot"], ["-o", "s.html"],
          ["-o", "g.gif"], ["-o", "missing/g.svg"], ["-o", "."], ["-o", ""],
          ["-o", f"{CANARY}.svg"], ["--flow"], ["--rankdir", "XY"]]


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["graph", "steps", "demo", "nope"]))
    if command == "demo":
        return ["demo", *draw(st.sampled_from([["--list"], ["no-such-demo"], ["--out"],
                                               ["--bogus"]]))]
    expression = draw(st.lists(st.sampled_from(PIECES), max_size=10).map("".join)
                      | st.text(max_size=15))
    ats = draw(st.lists(st.sampled_from(AT), max_size=3))
    return [command, expression, *(a for at in ats for a in ("--at", at)),
            *draw(st.sampled_from(OUTPUT))]


@given(command_lines())
def test_fuzzed_command_lines_end_in_status_0_or_2(tmp_path_factory, argv):
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("fuzz")
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(cwd)
    assert code in (0, 2), (argv, err.getvalue())
    lines = err.getvalue().splitlines()
    assert len(lines) <= 2 and "Traceback" not in err.getvalue(), (argv, lines)
    written = [p.name for p in folder.iterdir()]
    assert not any(CANARY == name.split(".")[0] and name != f"{CANARY}.svg" for name in written)
    if code == 2:
        assert written == [] and len(lines) == 1, (argv, written, lines)
    else:
        assert len(written) <= 1 and lines == []


# -- the usual slips of other notations, each told its fix; columns counted from 1 ---------


SLIPS = [
    ("x^2", "^ (column 2) is not a power: use ** for powers: x**2"),
    ("(x + 1) ^ 2", "^ (column 9) is not a power: use ** for powers: (x + 1)**2"),
    ("2x", "2x (column 1) is not a product: write 2*x"),
    ("tanh(0.5x)", "0.5x (column 6) is not a product: write 0.5*x"),
    ("x.exp()", "exp is a function, not a method (column 1): write exp(x)"),
    ("  x.tanh()", "tanh is a function, not a method (column 3): write tanh(x)"),
    ("", "the expression is empty (column 1)"),
    ("x +", "invalid syntax (column 4, at the end)"),
    ("  x[0]", "indexing (column 3) is not allowed"),
    # values belong to --at, not to the expression
    ("x = 2", "x = 2 is an assignment, not an expression: give values with --at x=2"),
    ("x=2, w=-3", "give values with --at x=2 --at w=-3"),
    ("y = x*x", "y = ... names the result, which is not needed: write the expression "
                "alone, x*x"),
    # functions as in mathematics
    ("exp x", "exp x (column 1): a function takes its argument in brackets: write exp(x)"),
    ("1 + tanh x", "tanh x (column 5): a function takes its argument in brackets: "
                   "write tanh(x)"),
    # typeset signs
    ("x²", "² (column 2) is not Python's power (**): write x**2"),
    ("3*x³ + x", "³ (column 4) is not Python's power (**): write 3*x**3 + x"),
    ("2×x", "× (column 2) is not Python's multiplication sign (*): write 2*x"),
    ("x−1", "− (column 2) is not Python's minus sign (-): write x-1"),
    ("2·x − 1", "· (column 2) is not Python's multiplication sign (*): write 2*x - 1"),
    # a keyword is no name: the right column and the reason
    ("lambda*x", "lambda (column 1) is a Python keyword, so it cannot name a value: "
                 "call it lambda_ instead"),
    ("x + lambda", "lambda (column 5) is a Python keyword"),
    # no built-in constants, said the same way for each
    ("pi*x", "pi (column 1) has no value: there are no built-in constants; give it with "
             "--at pi=3.141592653589793"),
    ("e**x", "e (column 1) has no value: there are no built-in constants; for e**x write "
             "exp(x), or give e with --at e=2.718281828459045"),
    ("x*e**(2*x)", "for e**(2*x) write exp(2*x)"),
]


@pytest.mark.parametrize("text, message", SLIPS, ids=[s for s, _ in SLIPS])
def test_a_slip_gets_its_fix(tmp_path, text, message):
    result = run("steps", text, "--at", "x=2", cwd=tmp_path)
    _one_line_exit_2(result, message)


@pytest.mark.parametrize("text, at, message", [
    ("3", [], "3 has no names, only numbers: there is nothing to differentiate; write an "
              'expression of a name, e.g. "3*x" --at x=2'),
    ("3*4", [], "3*4 has no names, only numbers: there is nothing to differentiate"),
    ("x", ["--at", "x=2"], "x alone is an input: there is nothing to differentiate "
                           "(∂x/∂x = 1); write an expression of it"),
])
def test_steps_says_when_there_is_nothing_to_differentiate(tmp_path, text, at, message):
    result = run("steps", text, *at, cwd=tmp_path)
    _one_line_exit_2(result, message)
    result = run("steps", text, *at, "-o", "steps.html", cwd=tmp_path)
    _one_line_exit_2(result, message)
    assert list(tmp_path.iterdir()) == []  # no viewer of nothing


def test_columns_count_from_1(tmp_path):
    for text in ["", " ", "x +", "+", ")", "x x", "x[0]"]:
        with pytest.raises(ExpressionError) as error:
            parse(text, {"x": 1.0})
        columns = [int(n) for n in re.findall(r"column (\d+)", str(error.value))]
        assert columns and min(columns) >= 1, (text, str(error.value))


def test_cli_columns_count_characters_not_bytes():
    run = subprocess.run([sys.executable, "-m", "autograd_mini.cli", "steps", "éééé^2",
                          "--at", "éééé=1"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip() == ("autograd-mini: error: ^ (column 5) is not a power: "
                                  "use ** for powers: éééé**2")


# -- large graphs and slow layouts: stopped within a budget, in one line -------------------


@pytest.mark.parametrize("args, needles", [
    (["graph", _grouped(600), "--at", "x=1", "-o", "g.svg"],
     ["1199 nodes and 1797 edges", "budget of 1000 nodes and 1500 edges"]),
    (["steps", _terms(40), "--at", "x=1", "-o", "s.html"], ["80 frames", "budget of 60"]),
    (["steps", _doubled(), "--at", "x=1", "-o", "s.html"], ["frames", "budget of 60"]),
], ids=["graph-600-terms", "steps-40-terms", "steps-doubled"])
def test_big_graphs_stop_early_naming_the_budget(tmp_path, args, needles):
    assert len(args[1]) in (1239, 79, 1021)
    result = run(*args, cwd=tmp_path)
    _one_line_exit_2(result, *needles)
    assert list(tmp_path.iterdir()) == []


def test_the_picture_budget_is_counted_without_drawing(tmp_path, monkeypatch, capsys):
    from autograd_mini.viz import graph

    monkeypatch.setattr(graph.Scene, "draw", lambda self, view: pytest.fail("drew the graph"))
    monkeypatch.chdir(tmp_path)
    assert main(["graph", _grouped(600), "--at", "x=1", "-o", "g.svg"]) == 2
    assert "1199 nodes and 1797 edges" in capsys.readouterr().err  # x + x: an arrow per slot


@pytest.mark.parametrize("terms", [80, 100])
def test_a_slow_layout_is_stopped_by_the_dot_timeout(tmp_path, monkeypatch, capsys, terms):
    import autograd_mini.cli as cli

    monkeypatch.setattr(cli, "DOT_SECONDS", 1.0)  # the command's own budget is 6 s
    monkeypatch.chdir(tmp_path)
    code = main(["graph", _terms(terms), "--at", "x=1", "-o", "g.svg"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"did not finish within 1 s drawing {2 * terms - 1} nodes" in err
    assert list(tmp_path.iterdir()) == []


def test_memory_error_is_one_line(tmp_path, monkeypatch, capsys):
    import autograd_mini.cli as cli

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(cli, "trace", out_of_memory)
    monkeypatch.chdir(tmp_path)
    assert main(["steps", "x*x", "--at", "x=2"]) == 2
    err = capsys.readouterr().err
    assert err == "autograd-mini: error: the input is too large to handle (MemoryError); " \
                  "try a smaller one\n"


# -- graphviz missing or failing: one line, and the one install hint -----------------------


def test_without_dot_a_shell_user_is_told_how_to_install_graphviz(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}  # no `dot` anywhere
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "graph", "x*x", "--at",
                             "x=1", "-o", "g.svg"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    _one_line_exit_2(result, "graphviz is not installed", "sudo apt-get install graphviz",
                     "brew install graphviz")
    assert ".source" not in result.stderr
    assert not (tmp_path / "g.svg").exists()


def test_the_command_and_the_library_give_the_one_install_hint(tmp_path, monkeypatch, capsys):
    from autograd_mini.viz import GraphvizNotFound, draw_dot
    from autograd_mini.viz.rendering import INSTALL_HINT

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotFound) as error:
        draw_dot(Value(1.0)).pipe(format="svg")
    assert str(error.value) == INSTALL_HINT
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x*x", "--at", "x=1", "-o", "g.svg"]) == 2
    assert INSTALL_HINT in capsys.readouterr().err


def test_a_crashing_dot_is_one_line_and_exit_2(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dot").write_text("#!/bin/sh\necho 'std::bad_alloc' >&2\nkill -SEGV $$\n")
    (bin_dir / "dot").chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for args in [["graph", "x*x", "--at", "x=1", "-o", "g.svg"],
                 ["steps", "x*x", "--at", "x=1", "-o", "s.html"]]:
        result = subprocess.run([sys.executable, "-m", "autograd_mini", *args], cwd=work,
                                env=env, capture_output=True, text=True, timeout=120)
        _one_line_exit_2(result, "graphviz `dot` failed", "signal 11", "std::bad_alloc")
    assert list(work.iterdir()) == []


def test_a_graphviz_called_process_error_is_one_line(tmp_path, monkeypatch, capsys):
    import graphviz

    import autograd_mini.cli as cli

    def crash(*args, **kwargs):
        raise graphviz.CalledProcessError(-9, ["dot"], b"", b"killed")

    monkeypatch.setattr(cli, "save", crash)
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "x", "--at", "x=1", "-o", "g.svg"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# -- the test suite's own setting: a hypothesis profile by name ----------------------------


def test_a_mistyped_profile_lists_the_valid_names(tmp_path):
    tests = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "AUTOGRAD_MINI_PROFILE": "thorugh"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--collect-only", "-p",
                             "no:cacheprovider", os.path.join(tests, "test_datasets.py")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 4  # pytest's "usage error"
    text = result.stdout + result.stderr
    assert "AUTOGRAD_MINI_PROFILE='thorugh' is not a profile; choose one of ci, dev, thorough" \
        in text
    assert "Traceback" not in text and "InvalidArgument" not in text


def korean(*args, cwd):
    env = {**os.environ, "AUTOGRAD_MINI_LANG": "ko"}
    return subprocess.run([sys.executable, "-m", "autograd_mini", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_help_in_korean_has_no_english_but_names_and_options(tmp_path):
    """argparse's own words ("usage:", "options", "show this help ...") come from the
    catalog too: what is left in Latin letters is the program's names and its flags."""
    for args in (["--help"], ["steps", "--help"], ["site", "build", "--help"]):
        result = korean(*args, cwd=tmp_path)
        assert result.returncode == 0 and result.stdout.startswith("사용법: autograd-mini")
        assert "위치 인수:" in result.stdout and "옵션:" in result.stdout
        prose = re.sub(r"--?[\w-]+|\b[A-Z_=]+\b|autograd-mini|\"[^\"]*\"|`[^`]*`|\([^)]*\)",
                       "", result.stdout)
        names = {"COMMAND", "graph", "steps", "demo", "check", "engine", "site", "micrograd",
                 "build", "serve", "expression", "out", "cache", "tanh"}
        assert set(re.findall(r"[A-Za-z]{4,}", prose)) <= names, result.stdout


@pytest.mark.parametrize("args, korean_line", [
    (["steps"], "다음 인수가 필요합니다: expression (autograd-mini steps --help 참고)"),
    (["steps", "x", "--bogus"], "알 수 없는 인수: --bogus"),
    (["graph", "x", "--rankdir", "QQ", "-o", "a.svg"],
     "인수 --rankdir: 잘못된 선택: 'QQ' ('LR', 'TB' 중에서 고르세요)"),
    (["site", "serve", "x", "--port", "abc"], "인수 --port: 잘못된 int 값: 'abc'"),
])
def test_argparse_errors_in_korean_are_one_line(tmp_path, args, korean_line):
    result = korean(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("autograd-mini: 오류: ") and korean_line in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_commands_korean_words_do_not_stay_in_argparse(capsys):
    """The catalog is argparse's only while the command runs: a program's own parser,
    made afterwards in the same process, still speaks argparse's English."""
    import argparse

    from autograd_mini.core.language import speaking
    with speaking("ko"):
        assert main(["steps"]) == 2
    assert "다음 인수가 필요합니다" in capsys.readouterr().err
    with speaking("ko"):
        assert argparse.ArgumentParser(prog="p").format_help().startswith("usage: p")


@pytest.mark.parametrize("given, value", [("x＝２", 2.0), ("ｘ＝３", 3.0), ("x ＝ 1.5", 1.5)])
def test_a_full_width_assignment_from_a_korean_input_method_is_read(tmp_path, given, value):
    """--at is read as the expression is: full-width ＝ and digits are = and digits."""
    result = run("steps", "x*x", "--at", given, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"x = {value:g}" in result.stdout


@pytest.mark.parametrize("given, fixed", [("x=−1", "x=-1"), ("x=–2.5", "x=-2.5")])
def test_a_typeset_minus_in_an_assignment_gets_its_fix(tmp_path, given, fixed):
    result = run("steps", "x*x", "--at", given, cwd=tmp_path)
    _one_line_exit_2(result, "is not a number: write the minus sign as -", f"--at {fixed}")
    assert run("steps", "x*x", "--at", fixed, cwd=tmp_path).returncode == 0
