"""The house rules, checked: the op table is the only home of an op, and a new op needs
no edit anywhere else; the engine stays a page a student can read."""

import ast
import math
from pathlib import Path

import pytest

from autograd_mini import PRIMITIVES, Value, apply, grad, jvp, trace
from autograd_mini.bridges.compile import compile_graph
from autograd_mini.core.ops import Primitive
from autograd_mini.explain.expression import parse
from autograd_mini.testing import gradcheck

PACKAGE = Path(__file__).resolve().parents[1] / "autograd_mini"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "ops.py")


def _op_name_tests(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a module tests an op's name or lists op names: a string naming an op in a
    comparison, a collection display, a dictionary key or a subscript, and any comparison
    of a node's ``.op``.  Calling an op by name (``apply("dot", ...)``, a default
    ``activation="relu"``) is using it, not testing it, and is fine."""
    names = set(PRIMITIVES)

    def named(node, word):  # a variable or attribute whose name holds ``word``
        name = getattr(node, "id", getattr(node, "attr", ""))
        return word in name.lower()

    # __all__ lists functions, some named after their op; "dot" is also graphviz's format.
    exports = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and any(named(t, "__all__") or named(t, "format") for t in node.targets)}

    def naming(node):
        return isinstance(node, ast.Constant) and node.value in names

    found = []
    for node in ast.walk(tree):
        if id(node) in exports:
            continue
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(naming(s) for s in sides) and not any(named(s, "format") for s in sides):
                found.append((node.lineno, "compares with an op's name"))
            if any(isinstance(s, ast.Attribute) and s.attr == "op" for s in sides):
                found.append((node.lineno, "compares a node's .op"))
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)) and any(map(naming, node.elts)):
            found.append((node.lineno, "lists op names"))
        elif isinstance(node, ast.Dict) and any(naming(k) for k in node.keys if k):
            found.append((node.lineno, "keys a dictionary by op names"))
        elif isinstance(node, ast.Subscript) and naming(node.slice):
            found.append((node.lineno, "looks an op up by a name written in"))
    return found


def test_the_lint_finds_what_it_is_meant_to_find():
    caught = _op_name_tests(ast.parse(
        'if node.op == "pow": pass\nFNS = ["exp", "log"]\nT = {"tanh": 1}\nP = PRIMITIVES["relu"]\n'
        'ok = apply("dot", a, b)\n__all__ = ["dot"]\nFORMATS = ("svg", "dot")\n'
        'if view.format == "dot": pass\n'))
    assert [line for line, _ in caught] == [1, 1, 2, 3, 4]


def test_no_module_outside_the_op_table_tests_an_op_name():
    offenders = [f"{path.relative_to(PACKAGE)}:{line}: {what}" for path in SOURCES
                 for line, what in _op_name_tests(ast.parse(path.read_text()))]
    assert offenders == []


def test_no_function_in_the_package_is_over_60_lines():
    long = [f"{path.relative_to(PACKAGE)}:{node.name} ({node.end_lineno - node.lineno + 1})"
            for path in sorted(PACKAGE.rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > 60]
    assert long == []


def test_the_engine_is_one_page_and_imports_only_the_core():
    source = (PACKAGE / "core" / "engine.py").read_text()
    assert len(source.splitlines()) <= 300
    ours = {node.module or alias.name for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    assert ours <= {"ops", "checks", "collector", "valuebase", "copying"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every module of ours that ``path`` imports, at its top or inside a function:
    ``from . import x`` names the module ``x`` where there is one, else the package."""
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0]
                module = f"{base}.{module}" if module else base
            for alias in node.names:
                inner = f"{module}.{alias.name}"
                found.add(inner if inner in modules else module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & modules


def _import_graph() -> dict[str, set[str]]:
    """{module: the modules of ours it imports}, read from the source (the AST).  A
    module's own packages are left out: Python imports them first, whatever it names."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path, set(paths)) if not name.startswith(m + ".")
                   and m != name} for name, path in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph, or [] if it has none (depth-first, with a stack of its own)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = state.get(start, 0) or 1
        if state[start] == 2:
            continue
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return path[path.index(child):] + [child]
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, iter(sorted(graph[child]))))
                    path.append(child)
                    break
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle_among_our_modules_not_even_inside_a_function():
    assert _cycle(_import_graph()) == []


def test_the_core_imports_nothing_of_ours_from_outside_it():
    graph = _import_graph()
    outside = {f"{module} -> {other}" for module, others in graph.items()
               if module.startswith("autograd_mini.core") for other in others
               if not other.startswith("autograd_mini.core")}
    assert outside == set()


def test_the_package_top_level_holds_at_most_15_modules_and_folders():
    entries = [p.name for p in PACKAGE.iterdir()
               if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())]
    assert len(entries) <= 15, sorted(entries)


# -- a new op, registered once, reaches every interpreter ---------------------------------


@pytest.fixture
def cube(register_op):
    """``cube(a) = a³``, with ``d/da = 3a²``, registered for one test only."""
    return register_op(Primitive(
        "cube", "³", lambda a: a ** 3, lambda out, a: (3.0 * a * a,),
        sympy=lambda sp, a: a ** 3, torch=lambda t, a: a ** 3))


def test_a_new_op_reaches_the_parser_the_trace_and_the_compiled_replay(cube):
    y = parse("cube(x) + x", {"x": 2.0})
    assert y.data == 10.0
    record = trace(y)
    assert "d/da cube(a) = 3 * a * a" in [s.formula for s in record.backward]
    x = next(n for n in record.names if record.names[n] == "x")
    assert record.grads[x] == 13.0  # 3x² + 1
    replay = compile_graph(y, [x])
    assert replay([3.0]) == (30.0, [28.0])


def test_a_new_op_reaches_forward_mode_gradcheck_and_higher_order(cube):
    assert jvp(lambda a: apply("cube", a), [2.0], [1.0]) == (8.0, 12.0)
    assert gradcheck(lambda a: apply("cube", a), [0.7])
    x = Value(2.0)
    (first,) = grad(apply("cube", x), [x], create_graph=True)
    assert grad(first, [x]) == [12.0]  # d²/dx² x³ = 6x


def test_a_new_op_reaches_the_pictures_and_the_sympy_export(cube):
    pytest.importorskip("graphviz")
    sympy = pytest.importorskip("sympy")
    from autograd_mini import draw_dot
    from autograd_mini.bridges import to_sympy

    y = apply("cube", Value(2.0, label="x"))
    assert "³" in draw_dot(y).source
    assert to_sympy(y) == sympy.Symbol("x", real=True) ** 3


def test_a_new_op_reaches_the_strategies_and_the_policy_page(cube):
    from hypothesis import given, settings

    from autograd_mini.testing import policy
    from autograd_mini.testing.strategies import expressions

    seen = []

    @settings(max_examples=10, database=None, derandomize=True)
    @given(expressions(ops=["cube"], max_ops=2))
    def draws(case):
        seen.append(repr(case[0]))

    draws()
    assert any("cube(" in text for text in seen)
    assert [label for label, _ in policy.cases("cube")][:2] == ["cube(0)", "cube(-0)"]
    values, derivatives = policy.ours("cube", (math.inf,))
    assert values == (math.inf,) and derivatives == (math.inf,)


def test_the_architecture_page_links_each_function_to_its_line():
    """docs/architecture.md walks one backward() with links to file and line: each link
    must still land on the ``def`` of the function it names."""
    import re

    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    links = re.findall(r"\[`([\w.]+)`\]\(\.\./(autograd_mini/[\w/]+\.py)#L(\d+)\)", page)
    assert len(links) >= 6
    for name, path, line in links:
        text = (PACKAGE.parent / path).read_text().splitlines()[int(line) - 1]
        assert f"def {name.rpartition('.')[2]}(" in text, (name, path, line, text)
