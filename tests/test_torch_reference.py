"""Random expressions against PyTorch in float64 (skipped when torch is missing)."""

import pytest
from hypothesis import given

from autograd_mini import Value, grad
from autograd_mini.testing.strategies import expressions

torch = pytest.importorskip("torch")

TORCH = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda a, n: a**n,
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softplus": torch.nn.functional.softplus,
    "sin": torch.sin,
    "cos": torch.cos,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "sum": lambda *xs: torch.stack(xs).sum(),
    "dot": lambda *wx: torch.dot(torch.stack(wx[: len(wx) // 2]), torch.stack(wx[len(wx) // 2 :])),
}


def _torch_eval(expression, inputs):
    return expression.interpret(inputs.__getitem__, lambda node, args: TORCH[node.op](*args))


@given(expressions(ops=sorted(TORCH), max_ops=10))
def test_random_expressions_match_pytorch(case):
    f, point = case
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    ours = grad(out, leaves)
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    t_out = _torch_eval(f, ts)
    theirs = torch.autograd.grad(t_out, ts, allow_unused=True)
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12)
    for g, t in zip(ours, theirs):
        assert g == pytest.approx(0.0 if t is None else t.item(), rel=1e-9, abs=1e-12)
