"""The ``autograd-mini`` command.

    autograd-mini demo                      the tour: tanh(x*w + b) explained, pictures written
    autograd-mini graph "tanh(x*w + b)" --at x=1 --at w=-3 --at b=6.88 -o graph.svg
    autograd-mini steps "x*x + 3*x" --at x=2 -o steps.html
    autograd-mini demo NAME                 one of the demos (see ``autograd-mini demo --list``)
    autograd-mini check-engine engine.py:Value   grade an engine with micrograd's API
    autograd-mini site build site/          the static site (playground, quiz, check your op)
    autograd-mini site serve site/          ... served on http://127.0.0.1:8000/

Every error is one line on stderr and exit status 2.  Output into a pipe whose reader has
gone (``| head -c 10``) stops quietly, with the status ``PIPE_CLOSED`` (141, as a tool
stopped by SIGPIPE).  Every command has a budget: a picture
has at most ``MAX_PICTURE_NODES`` nodes and ``MAX_PICTURE_EDGES`` edges (counted from the
graph, before anything is drawn), the viewer at most ``MAX_FRAMES`` frames, and graphviz's
``dot`` gets ``DOT_SECONDS`` in all; beyond them the command stops early and says which
budget it met.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import shlex
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import graphviz

from . import __version__
from .core.engine import Value
from .core.language import N_, _
from .demos import DEMOS, UnknownDemo, run_demo
from .demos.common import new_folder
from .explain.expression import ExpressionError, UnknownName, as_typed, parse
from .explain.trace import step_count, trace
from .viz.graph import FORMATS, GraphvizError, GraphvizNotFound, Scene, View, picture_size, save
from .viz.rendering import INSTALL_HINT
from .viz.steps import save_steps_html

__all__ = ["main", "worked_example", "MAX_PICTURE_NODES", "MAX_PICTURE_EDGES", "MAX_FRAMES",
           "DOT_SECONDS", "PIPE_CLOSED"]

MAX_PICTURE_NODES = 1000  # values and ops in a picture (each op is a node of its own)
MAX_PICTURE_EDGES = 1500  # links in a picture
MAX_FRAMES = 60           # pictures in the step viewer
DOT_SECONDS = 6.0         # graphviz's time for all the pictures of one command
PIPE_CLOSED = 141         # the status when stdout's reader has gone (`| head`): 128 + SIGPIPE
# Spellings for a terminal that cannot show the trace's symbols (PYTHONIOENCODING=ascii).
_ASCII = str.maketrans({"∂": "d", "·": "*", "Σ": "sum", "→": "->", "²": "^2", "√": "sqrt",
                        "σ": "sigmoid", "≈": "~", "×": "x", "−": "-", "…": "..."})


# argparse's own words a learner meets, as argparse looks them up (see _argparse_speaking).
ARGPARSE_WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("one of the arguments %s is required"), N_("not allowed with argument %s"),
    N_("expected one argument"), N_("expected at most one argument"),
    N_("expected at least one argument"), N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


@contextlib.contextmanager
def _argparse_speaking() -> Iterator[None]:
    """argparse says its words ("usage: ", "options", the errors) through the ``_`` it
    imported from gettext, which reads the program's global text domain.  The command is
    a program, so while it builds and reads its parsers those words come from the
    package's catalog, in the language the package speaks."""
    english = argparse._
    argparse._ = lambda message: _(message)
    try:
        yield
    finally:
        argparse._ = english


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def parse_known_args(self, args=None, namespace=None):  # kept for error's hint
        self.given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        hint = _leading_minus_hint(self, message)
        raise UsageError(hint or _("{message} (see {program} --help)", message=message,
                                   program=self.prog))


def _leading_minus_hint(parser: argparse.ArgumentParser, message: str) -> str | None:
    """An expression that starts with ``-`` ("-x*x") is read by argparse as an option,
    and the expression is then missing: say how to write it instead (after ``--``, or
    with a space first).  None when that is not what happened."""
    given = getattr(parser, "given", [])
    required = _("the following arguments are required: %s") % ""  # argparse's words
    missing = message[len(required):].split(", ") if message.startswith(required) else []
    if "expression" not in missing or "--" in given:
        return None
    known = set(parser._option_string_actions)
    dashed = [a for a in given if a.startswith("-") and a.split("=")[0] not in known
              and not any(option.startswith(a) for option in known)]  # nor an abbreviation
    if len(dashed) != 1:
        return None
    rest = [a for a in given if a != dashed[0]]
    return _("{expression} starts with -, so it reads as an option and the expression is "
             "missing: write it after the options and --, as in {fixed}, or with a space "
             "first: {spaced}", expression=dashed[0],
             fixed=shlex.join([*parser.prog.split(), *rest, "--", dashed[0]]),
             spaced=shlex.quote(" " + dashed[0]))


def worked_example() -> Value:
    """The classic neuron ``o = tanh(x*w + b)`` with the lecture's numbers."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def _assignment(text: str) -> tuple[str, float]:
    # read as the expression is: a Korean input method's full-width ＝ and ２ are = and 2
    match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*(\S*)\s*", as_typed(text))
    # Python reads names in NFKC form, so "ﬁ" in an expression is the name "fi".
    name = unicodedata.normalize("NFKC", match.group(1)) if match else ""
    if not name.isidentifier():
        raise UsageError(_("--at expects NAME=NUMBER, got {text}", text=repr(text)))
    number = match.group(2)
    if not number:  # never a silent 0
        raise UsageError(_("--at {name}= needs a number: --at {name}=2", name=name))
    try:
        value = float(number)
    except ValueError:
        if "−" in number or "–" in number:  # a typeset minus sign, or a dash
            raise UsageError(_("--at {name}: {number} is not a number: write the minus sign "
                               "as -, --at {name}={fixed}", name=name, number=repr(number),
                               fixed=number.replace("−", "-").replace("–", "-"))) from None
        raise UsageError(_("--at {name}: {number} is not a number", name=name,
                             number=repr(number))) from None
    if not math.isfinite(value):
        raise UsageError(_("--at {name}: the value must be finite, got {number}", name=name,
                           number=repr(number)))
    return name, value


def _expression(args: argparse.Namespace) -> Value:
    values: dict[str, float] = {}
    for text in args.at:
        name, value = _assignment(text)
        if name in values:
            raise UsageError(_("--at {name} is given twice", name=name))
        values[name] = value
    out = parse(args.expression, values)
    out.label = out.label or "out"
    return out


def _output_path(text: str, allowed: Sequence[str]) -> Path:
    path = Path(text)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise UsageError(_("cannot write {file}: the file name must end in {endings}",
                           file=repr(text), endings=", ".join("." + s for s in allowed)))
    if not path.parent.is_dir():
        raise UsageError(_("cannot write {file}: the folder {folder} does not exist",
                           file=repr(text), folder=repr(str(path.parent))))
    return path


def _check_size(nodes: int, edges: int) -> None:
    """Stop before ``dot`` lays out a picture beyond the budget of nodes and edges
    (values and op nodes, and every link: :func:`~autograd_mini.viz.graph.picture_size`)."""
    if nodes > MAX_PICTURE_NODES or edges > MAX_PICTURE_EDGES:
        raise UsageError(_("the picture has {nodes} nodes and {edges} edges, over the budget "
                           "of {max_nodes} nodes and {max_edges} edges for a picture; draw a "
                           "smaller expression", nodes=nodes, edges=edges,
                           max_nodes=MAX_PICTURE_NODES, max_edges=MAX_PICTURE_EDGES))


def _graph(args: argparse.Namespace) -> int:
    path = _output_path(args.output, FORMATS)
    out = _expression(args)
    view = View(rankdir=args.rankdir, gradient_flow=args.flow)
    scene = Scene.of(out, view)  # the graph walked once, for its names and its size
    _check_size(*scene.size)
    out.backward()
    save(scene.draw(view), path, timeout=DOT_SECONDS)
    _say(_("wrote {path}", path=path))
    return 0


def _something_to_differentiate(out: Value, args: argparse.Namespace) -> None:
    """Stop where the steps would be empty tables: numbers only, or a name alone.
    (Every name has a value from --at, and every value given is used: the names are
    the --at names.)"""
    if not args.at:
        raise UsageError(_("{expression} has no names, only numbers: there is nothing to "
                           "differentiate; write an expression of a name, e.g. \"3*x\" --at x=2",
                           expression=args.expression.strip()))
    if not out.parents:
        name = _assignment(args.at[0])[0]
        raise UsageError(_("{name} alone is an input: there is nothing to differentiate "
                           "(∂{name}/∂{name} = 1); write an expression of it, e.g. "
                           "\"{name}*{name} + 3*{name}\"", name=name))


def _steps(args: argparse.Namespace) -> int:
    path = _output_path(args.output, ["html"]) if args.output else None
    out = _expression(args)
    _something_to_differentiate(out, args)
    if path is None:
        _say(str(trace(out)))
        return 0
    record = trace(out)  # the one walk of the graph: names, order, steps
    _check_size(*picture_size(record.names))
    if step_count(record) > MAX_FRAMES:
        raise UsageError(_("stepping through this expression takes {frames} frames, over "
                           "the budget of {budget} for the viewer; leave out -o for the "
                           "table, or step through a smaller expression",
                           frames=step_count(record), budget=MAX_FRAMES))
    save_steps_html(record, path, title=_("{expression}, step by step",
                                          expression=args.expression), timeout=DOT_SECONDS)
    _say(_("wrote {path}", path=path))
    return 0


def _say(text: str, stream: TextIO | None = None) -> None:
    """Print ``text``; where the terminal's encoding lacks a symbol, spell it in ASCII
    (``∂`` as ``d``) or escape it (``é`` as ``\\xe9``) rather than fail."""
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.translate(_ASCII).encode(encoding, "backslashreplace").decode(encoding)
    print(text, file=stream)


def _demo(args: argparse.Namespace) -> int:
    if args.list:
        for name, (_module, description) in DEMOS.items():
            _say(f"{name:<14} {_(description)}")
        return 0
    if args.name:
        return run_demo(args.name, args.rest)
    folder = Path(args.out) if args.out else new_folder("autograd-mini-demo")
    if folder.exists() and not folder.is_dir():
        raise UsageError(_("--out {folder} exists and is not a folder", folder=repr(str(folder))))
    o = worked_example()
    record = trace(o)
    _say(_("A neuron: o = tanh(x*w + b), with {given}", given=record.given) + "\n")
    _say(str(record))
    folder.mkdir(parents=True, exist_ok=True)
    graph = save(Scene.of_trace(record).draw(View()), folder / "graph.svg", timeout=DOT_SECONDS)
    steps = save_steps_html(record, folder / "steps.html",
                            title=_("{expression}, step by step", expression="o = tanh(x*w + b)"),
                            timeout=DOT_SECONDS)
    _say("\n" + _("The graph with its gradients: {path}", path=graph))
    _say(_("Walk through it step by step:  {path}  (open it in a web browser)", path=steps))
    return 0


def _check_engine(args: argparse.Namespace) -> int:
    """Grade an engine with micrograd's API: 0 when every check passes, 1 when some fail.
    The engine's code runs in a child process with a time and a memory limit; this
    process never imports it."""
    from .testing.isolation import check_engine_file, memory_size  # hypothesis: only here
    from .testing.loading import EngineLoadError

    try:
        memory = memory_size(args.memory_limit)
        report = check_engine_file(args.target, time_budget=args.budget,
                                   max_examples=args.max_examples, seed=args.seed,
                                   total_budget=args.total_budget,
                                   time_limit=args.time_limit, memory_limit=memory)
    except EngineLoadError as error:
        raise UsageError(str(error)) from None
    from .testing.report_formats import formatted

    text = formatted(report, "json" if args.json else args.format, max_score=args.max_score)
    if report.stopped and (args.format == "text" and not args.json):
        text = _("check-engine: FAILED: {why}", why=report.stopped) + f"\n\n{text}"
    if args.output:
        from .bridges.files import write_atomically

        write_atomically(args.output, text + "\n")  # whole or not at all
    else:
        _say(text)
    return 0 if report.passed else 1


def _add_check_engine(commands) -> None:
    command = commands.add_parser(
        "check-engine", help=_("property-test an engine with micrograd's API"),
        description=_("Check a Value class (yours, a student's) op by op against finite "
                      "differences and this engine: exit 0 when all pass, 1 when some fail. "
                      "The engine's code runs in a child process with a time and a memory "
                      "limit: an exit, a crash or a hang of it is a failure."))
    command.add_argument("target", help=_("FILE.py:CLASS or MODULE:CLASS, e.g. engine.py:Value"))
    command.add_argument("--json", action="store_true",
                         help=_("the report as JSON, with points per category"))
    command.add_argument("--budget", type=float, default=5.0, metavar="SECONDS",
                         help=_("the time each check may take (default 5)"))
    _add_check_engine_options(command)
    command.add_argument("--time-limit", type=float, default=120.0, metavar="SECONDS",
                         help=_("the time the whole check may take, the engine's import "
                                "included; then its process is killed (default 120)"))
    command.add_argument("--memory-limit", default="2G", metavar="SIZE",
                         help=_("the memory the engine's process may use: 2G, 512M, or "
                                "none (default 2G)"))
    command.set_defaults(run=_check_engine)


def _add_check_engine_options(command) -> None:
    """The options of the random expressions, the whole run's budget and the formats."""
    command.add_argument("--max-examples", type=int, default=150, metavar="N",
                         help=_("how many random expressions to try (default 150)"))
    command.add_argument("--seed", type=int, default=None, metavar="N",
                         help=_("draw the random expressions from this seed (default: the "
                                "same fixed draw every run)"))
    command.add_argument("--total-budget", type=float, default=60.0, metavar="SECONDS",
                         help=_("the time the whole run may take; checks left when it is "
                                "spent fail as not run (default 60)"))
    command.add_argument("--format", choices=["text", "json", "gradescope"], default="text",
                         help=_("text (default), json (as --json), or gradescope (its "
                                "results.json)"))
    command.add_argument("--max-score", type=float, default=None, metavar="POINTS",
                         help=_("with --format gradescope: the points the checks share "
                                "(default: one a check)"))
    command.add_argument("-o", "--output", metavar="FILE",
                         help=_("write the report here (e.g. /autograder/results/results.json)"
                                " instead of printing it"))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="autograd-mini",
        description=_("Learn, see and check backpropagation with a scalar autodiff engine."),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help=_("show the version and exit"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def expression_command(name: str, help: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help)
        command.add_argument("expression", help=_("e.g. {example}", example='"tanh(x*w + b)"'))
        command.add_argument("--at", action="append", default=[], metavar="NAME=NUMBER",
                             help=_("the value of a name in the expression (repeat for each)"))
        return command

    graph = expression_command("graph", _("draw an expression's graph after a backward pass"))
    graph.add_argument("-o", "--output", required=True,
                       help=_("the picture to write: .svg, .png, .pdf or .dot"))
    graph.add_argument("--rankdir", choices=["LR", "TB"], default="LR",
                       help=_("layout direction"))
    graph.add_argument("--flow", action="store_true", help=_("colour nodes by |grad|"))
    graph.set_defaults(run=_graph)

    steps = expression_command("steps", _("the backward pass step by step (table or HTML)"))
    steps.add_argument("-o", "--output", help=_("write the HTML viewer here instead of printing"))
    steps.set_defaults(run=_steps)

    demo = commands.add_parser("demo", help=_("the tour, or a named demo"),
                               description=_("Without NAME: the worked example tanh(x*w + b). "
                                             "With NAME: that demo (pass its options after it)."))
    demo.add_argument("name", nargs="?", help=_("a demo's name"))
    demo.add_argument("--out", help=_("folder for the tour's files (default: a new folder here)"))
    demo.add_argument("--list", action="store_true", help=_("list the demos"))
    demo.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    demo.set_defaults(run=_demo)
    _add_check_engine(commands)
    _add_site_command(commands)
    return parser


def _add_site_command(commands) -> None:
    """``site build OUT`` and ``site serve OUT [--port]``: the course as a static site."""
    site = commands.add_parser("site", help=_("the static site: the engine in a browser"),
                               description=_("Build the static site (the playground, the quiz, "
                                             "check your op), or serve it on 127.0.0.1."))
    actions = site.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser,
                                  required=True)
    build = actions.add_parser("build", help=_("make the site in a new folder"))
    build.add_argument("out", help=_("the folder to make (new or empty)"))
    build.add_argument("--cache", help=_("where downloaded packages are kept "
                                         "(default: ~/.cache/autograd_mini/site)"))
    serve = actions.add_parser("serve", help=_("serve a built site on http://127.0.0.1"))
    serve.add_argument("out", help=_("the folder made by `site build`"))
    serve.add_argument("--port", type=int, default=8000, help=_("the port (default 8000)"))
    site.set_defaults(run=_site)


def _site(args: argparse.Namespace) -> int:
    from .site import BuildError, build, serve  # subprocess and http.server, only here

    if args.action == "serve":
        serve(args.out, args.port, say=lambda text: _say(text))
        return 0
    try:
        folder = build(args.out, cache=args.cache)
    except BuildError as error:
        raise UsageError(str(error)) from None
    _say(_("wrote the site to {folder}; serve it with: autograd-mini site serve {folder}",
           folder=folder))
    return 0


def _reader_gone() -> int:
    """The reader of stdout has gone (``autograd-mini ... | head``): stop quietly, with
    the status of a tool the system stopped for it (SIGPIPE: 128 + 13), as ``cat`` and
    ``grep`` do.  stdout now points at the null device, so that Python's own flush at
    exit does not fail again ("Exception ignored ... BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's stream)
        pass
    return PIPE_CLOSED


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (2 for bad input)."""
    with _argparse_speaking():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            status = 0
        else:
            status = args.run(args)
        sys.stdout.flush()  # a reader gone (`| head`) is found here, not at exit
        return status
    except BrokenPipeError:
        return _reader_gone()
    except GraphvizNotFound:  # what a shell user is told: install it, or write DOT text
        message = _("{hint} -- then run this again (or write the DOT text itself with "
                    "-o graph.dot)", hint=_(INSTALL_HINT))
    except (UsageError, ExpressionError, UnknownDemo, GraphvizError, OSError,
            ValueError, ZeroDivisionError, OverflowError) as error:  # bad input: one line
        message = str(error)
        if isinstance(error, UnknownName):  # the command line's way to give a value
            message += error.at_hint
    except graphviz.CalledProcessError as error:
        message = _("graphviz `dot` failed (exit status {status})", status=error.returncode)
    except (MemoryError, RecursionError) as error:
        message = _("the input is too large to handle ({kind}); try a smaller one",
                    kind=type(error).__name__)
    _say(_("autograd-mini: error: {message}", message=" ".join(message.split())), sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
