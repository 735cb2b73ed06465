"""The ``autograd-mini`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .engine import Value
from .trace import trace

__all__ = ["main"]


def worked_example() -> Value:
    """The classic neuron ``o = tanh(x*w + b)`` with the lecture's numbers."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def _demo(args: argparse.Namespace) -> int:
    o = worked_example()
    print("A neuron: o = tanh(x*w + b)\n")
    print(trace(o))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-mini",
        description="Learn, see and check backpropagation with a scalar autodiff engine.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="walk through a forward and backward pass")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["demo"])
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
