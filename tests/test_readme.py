"""The README's examples run and print what it says they print."""

import contextlib
import io
import math
import re
import textwrap
from pathlib import Path

import pytest

from autograd_mini import PRIMITIVES
from autograd_mini.testing import GradcheckError

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", README, re.S)]


def _run(source: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "README.md", "exec"), {})  # the README's own example code
    return out.getvalue()


def test_first_example_prints_the_neuron():
    lines = _run(BLOCKS[0]).splitlines()
    assert float(lines[0]) == pytest.approx(0.7071067811865476)
    gx, gw = map(float, lines[1].split())
    assert gx == pytest.approx(-1.5) and gw == pytest.approx(1.0)


def test_broken_op_example_gives_the_report_shown(register_op):
    block = next(b for b in BLOCKS if "swish" in b)  # it registers swish: register_op removes it
    with pytest.raises(GradcheckError) as caught:
        _run(block)
    shown = [line.lstrip("# ") for line in block.splitlines() if line.startswith("# x1")]
    assert shown and shown[0].split() == str(caught.value).splitlines()[-1].split()


def test_higher_order_examples():
    block = next(b for b in BLOCKS if "hessian" in b)
    _run(block)  # its asserts are the check


def test_bridges_example():
    pytest.importorskip("torch")
    pytest.importorskip("sympy")
    block = next(b for b in BLOCKS if "to_sympy" in b)
    lines = _run(block).splitlines()  # its asserts check the torch round trip
    shown = [line.split("# ")[1] for line in block.splitlines()
             if line.startswith("print(") and "# " in line]
    assert lines[:2] == shown[:2]  # the formula and its derivative, as printed in README
    assert lines[2].split() == [shown[2].removesuffix(" twice")] * 2  # the same float, twice
    symbolic, automatic = map(float, lines[2].split())
    assert automatic == pytest.approx(2.0 * math.cos(1.0) + math.exp(0.5))  # b cos(ab) + e^a


def test_the_op_list_is_the_tables():
    """README names the one-input ops Values have as methods: exactly the table's."""
    listed = re.search(r"unary `-`, `([a-z ]+)`", README).group(1).split()
    methods = [name for name, p in PRIMITIVES.items()
               if p.arity == 1 and any(not m.startswith("__") for m in p.methods)]
    assert listed == methods
