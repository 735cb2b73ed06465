"""Demos run as a user runs them (subprocess, tiny settings) and write their figures."""

import hashlib
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
    """Each demo is one file in demos/, and the module the command runs is that file."""
    import importlib

    from autograd_mini.demos import DEMOS

    for module, _ in DEMOS.values():
        script = ROOT / "demos" / f"{module.rsplit('.', 1)[1]}.py"
        assert script.exists(), script
        assert Path(importlib.import_module(module).__file__).resolve() == script
        assert "def main(" in script.read_text()
    assert sorted(p.name for p in (ROOT / "autograd_mini" / "demos").glob("*.py")) == [
        "__init__.py", "common.py"]  # no second copy for a reader to open


def _committed_files() -> dict[str, str]:
    """Every file git tracks in the checkout, with its SHA-256 (missing files: None)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return {name: hashlib.sha256((ROOT / name).read_bytes()).hexdigest()
            if (ROOT / name).is_file() else None for name in listed if name}


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_a_demo_writes_only_its_new_folder(tmp_path):
    """Run from anywhere, a demo writes a new folder in the working directory -- never
    into the checkout's committed figures (they are remade by demos/make_figures.py)."""
    before = _committed_files()
    (tmp_path / "family-trees-figures").mkdir()  # taken: the demo picks the next name
    result = run_demo(["-m", "autograd_mini", "demo", "family-trees", "--quick",
                       "--no-progress", "--seeds", "2", "--jobs", "1"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert _committed_files() == before
    folder = tmp_path / "family-trees-figures-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "family-trees-figures", "family-trees-figures-2", "mpl"]
    assert sorted(p.name for p in folder.iterdir()) == ["family_trees.png",
                                                        "family_trees_activity.png"]
    for png in folder.iterdir():
        _png(png)
    assert list((tmp_path / "family-trees-figures").iterdir()) == []
    # the table: one row a seed, and a summary over them
    rows = [line.split() for line in result.stdout.splitlines()]
    assert [row[0] for row in rows if row and row[0] in ("0", "1")] == ["0", "1"]
    assert any(line.startswith("over 2 seeds: final E median") for line in
               result.stdout.splitlines())


def test_family_trees_options_are_checked(tmp_path):
    result = run_demo(["-m", "autograd_mini", "demo", "family-trees", "--held-out",
                       "Colin:cousin"], tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'Colin:cousin' is not a query" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "taken").write_text("a file")
    result = run_demo(["-m", "autograd_mini", "demo", "symmetry", "--out", "taken"], tmp_path)
    assert result.returncode == 2 and "exists and is not a folder" in result.stderr
    assert (tmp_path / "taken").read_text() == "a file"


def test_symmetry_many_seeds_and_its_distribution(tmp_path):
    result = run_demo(["-m", "autograd_mini", "demo", "symmetry", "--seeds", "3",
                       "--max-sweeps", "400", "--seed", "7", "--no-progress",
                       "--out", "figs"], tmp_path)
    assert result.returncode == 0, result.stderr
    # seed 8 solves after 376 sweeps (tests/test_training.py); 7 and 9 not within 400
    assert "solved 1 of 3 seeds within 400 sweeps; sweeps to solve: median 376" in result.stdout
    _png(tmp_path / "figs" / "symmetry.png")
    _png(tmp_path / "figs" / "symmetry_sweeps.png")


def test_make_figures_names_its_demos(tmp_path):
    result = run_demo([str(ROOT / "demos" / "make_figures.py"), "nope"], tmp_path)
    assert result.returncode == 2 and "no demo named 'nope'" in result.stderr
    assert "family-trees" in result.stderr
