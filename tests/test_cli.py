"""The autograd-mini command, run as a user would: files written, errors in one line."""

import html
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.cli import main
from autograd_mini.expression import ExpressionError, parse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograd_mini", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


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
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched


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


def test_demo_list(tmp_path):
    result = run("demo", "--list", cwd=tmp_path)
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"xor", "symmetry", "family-trees", "bptt", "moons", "newton", "modes"} <= set(names)
