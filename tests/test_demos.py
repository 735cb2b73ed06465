"""Demos run as a user runs them (subprocess, tiny settings) and write their figures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_demo(args, tmp_path):
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"))
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)


def _png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


def test_newton_demo(tmp_path):
    result = run_demo([str(ROOT / "demos" / "newton.py"), "--quick", "--out", "figs"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Newton 5 steps, gradient descent (lr 0.1) 63 steps" in result.stdout
    assert "Newton ends at [1.0, 1.0]" in result.stdout
    _png(tmp_path / "figs" / "newton.png")


def test_modes_demo_via_cli(tmp_path):
    result = run_demo(["-m", "autograd_mini", "demo", "modes", "--quick", "--no-progress",
                       "--out", "figs"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.split()[:1] == ["100"])
    n, forward_visits, reverse_visits = row.split()[:3]
    assert int(forward_visits.replace(",", "")) == 100 * int(reverse_visits.replace(",", ""))
    _png(tmp_path / "figs" / "forward_vs_reverse.png")


@pytest.mark.parametrize("bad", [["--seed", "x"], ["--nope"]])
def test_demo_bad_options_exit_2(tmp_path, bad):
    result = run_demo(["-m", "autograd_mini", "demo", "newton", *bad], tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name, expected, figure", [
    ("xor", "hidden unit 1 computes", "xor.png"),
    ("symmetry", "sweeps to solve", "symmetry.png"),
    ("family-trees", "held out", "family_trees.png"),
    ("bptt", "delayed bits right", "bptt.png"),
    ("moons", "accuracy", "moons.png"),
])
def test_paper_and_classic_demos_run_quick(tmp_path, name, expected, figure):
    result = run_demo(["-m", "autograd_mini", "demo", name, "--quick", "--no-progress",
                       "--out", "figs"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    _png(tmp_path / "figs" / figure)


def test_demo_scripts_exist_for_every_demo():
    from autograd_mini.demos import DEMOS

    for module, _ in DEMOS.values():
        script = ROOT / "demos" / f"{module.rsplit('.', 1)[1]}.py"
        assert script.exists(), script
        assert module in script.read_text()
