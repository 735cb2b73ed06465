"""Reporting: the measured times as Markdown tables, and the machine they ran on."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

from workloads import Failed, am, mg_engine, torch


def table(title: str, results: dict, baseline: str = "micrograd",
          versus: str | None = None) -> list[str]:
    """A Markdown table of ``results`` (from ``measure``): median, minimum, µs per node,
    nodes, and the ratio to ``baseline``'s median (its column named ``vs versus``)."""
    rows = [f"### {title}", "",
            f"| library | median | min | µs per node | nodes | vs {versus or baseline} (median) |",
            "|---|---:|---:|---:|---:|---:|"]
    base = results.get(baseline)
    base_median = statistics.median(base[0]) if base and not isinstance(base, Failed) else None
    for name, result in results.items():
        if isinstance(result, Failed):
            rows.append(f"| {name} | fails: {result} | | | | |")
            continue
        times, nodes = result
        median = statistics.median(times)
        per_node = f"{1e6 * median / nodes:.2f}" if nodes else "–"
        rows.append(f"| {name} | {_ms(median)} | {_ms(min(times))} | {per_node} | "
                    f"{nodes:,} | {_ratio(median, base_median, name == baseline)} |")
    return rows + [""]


def _ratio(median: float, base_median: float | None, is_baseline: bool) -> str:
    if is_baseline:
        return "1×"
    if not base_median:
        return "–"
    return (f"{base_median / median:.1f}× faster" if median <= base_median
            else f"{median / base_median:.2f}× the time")


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def machine() -> list[str]:
    """Two lines: the CPU and system, and the versions measured."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = [f"Python {platform.python_version()}", f"autograd_mini {am.__version__}"]
    if mg_engine:
        versions.append("micrograd 0.1.0")
    if torch:
        versions.append(f"torch {torch.__version__}")
    return [f"- machine: {cpu}, {os.cpu_count()} cores, {platform.system()} "
            f"{platform.release()}", f"- versions: {', '.join(versions)}"]
