"""Short seeded training runs that must reach zero errors."""

from autograd_mini.datasets import symmetry, xor
from autograd_mini.demos import symmetry as symmetry_demo
from autograd_mini.demos import xor as xor_demo


def test_xor_learns_all_four_patterns():
    model, losses, sweeps = xor_demo.train(seed=0, max_sweeps=2000)
    assert sweeps is not None and losses[-1] < losses[0]
    inputs, targets = xor()
    assert [model(x).data > 0.5 for x in inputs] == [t == 1.0 for t in targets]
    roles = {name for _, name in xor_demo.hidden_roles(model)}
    assert roles == {"OR", "AND"}


def test_symmetry_learns_every_pattern_and_the_papers_weights():
    run = symmetry_demo.train(seed=8, max_sweeps=1000)
    assert run.sweeps == 376
    patterns, targets = symmetry(6)
    assert all((run.model(p).data > 0.5) == (t == 1.0) for p, t in zip(patterns, targets))
    for unit in symmetry_demo.mirror_structure(run.model):
        assert unit["opposite"] and unit["doubling"]  # mirrored, opposite signs, 1:2:4
