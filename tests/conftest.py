"""Shared test settings: hypothesis profiles and optional peers."""

import math
import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# "ci": fixed examples, no deadlines (CI machines stall); "dev": the default locally;
# "thorough": many more examples.  Pick one with AUTOGRAD_MINI_PROFILE=thorough.
PROFILES = {
    "ci": dict(derandomize=True, max_examples=40, deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow]),
    "dev": dict(max_examples=100, deadline=None),
    "thorough": dict(max_examples=2000, deadline=None),
}
for _name, _options in PROFILES.items():
    settings.register_profile(_name, **_options)

# The tests read the English messages: a machine whose locale is Korean runs them in
# English too (tests/test_language.py asks for Korean where it checks it, and so do the
# programs it starts).
os.environ["AUTOGRAD_MINI_LANG"] = "en"


def pytest_configure(config):
    default = "ci" if os.environ.get("CI") else "dev"
    profile = os.environ.get("AUTOGRAD_MINI_PROFILE", default)
    if profile not in PROFILES:
        raise pytest.UsageError(f"AUTOGRAD_MINI_PROFILE={profile!r} is not a profile; "
                                f"choose one of {', '.join(PROFILES)}")
    settings.load_profile(profile)


# Debian's chromium, driven by Playwright (never `playwright install`: nothing is downloaded).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    """Every test that asks for the ``browser`` fixture is marked ``browser``, so that
    ``-m "not browser"`` leaves out all of them: a test that forgets the mark is refused."""
    unmarked = [item.nodeid for item in items if "browser" in getattr(item, "fixturenames", ())
                and item.get_closest_marker("browser") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the browser fixture without "
                                "@pytest.mark.browser: " + ", ".join(unmarked))


@pytest.fixture
def umask_022():
    """The usual umask for one test: a file open() makes gets mode 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(scope="session")
def playwright():
    """Playwright, started once: a second sync_playwright() in the same session would find
    the first one's event loop running and refuse."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    with playwright_api.sync_playwright() as p:
        yield p


def launch_chromium(playwright, *extra_args: str):
    """Debian's Chromium, headless, with our arguments (and any extra ones)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="session")
def browser(playwright):
    """A headless Chromium for the tests that open our pages."""
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


# An op whose symbol and written expression try to become markup, attributes and template.
HOSTILE_OP_SYMBOL = '<x> URL="javascript:alert(1)" label=<y>'


@pytest.fixture
def register_op():
    """``register_op(Primitive(...))`` (or ``register_op(primitive, replace=True)``) adds an
    op to the table for one test, as ``autograd_mini.core.ops.register`` does, and returns it.
    After the test the table is exactly as it was before: every op the test registered is
    gone and every built-in it replaced is back, in the same order, however the test ended.

    A test that registers ops some other way (README or notebook code it runs) asks for
    this fixture too, and needs not call it: the table is put back all the same."""
    from autograd_mini import PRIMITIVES
    from autograd_mini.core.ops import register

    before = dict(PRIMITIVES)
    yield register
    PRIMITIVES.clear()
    PRIMITIVES.update(before)


@pytest.fixture
def hostile_primitive(register_op):
    """The op ``hostile`` registered for one test: its symbol is HOSTILE_OP_SYMBOL, and
    its formula (the rule written out) carries markup and a template placeholder."""
    from autograd_mini.core.ops import Primitive

    return register_op(Primitive(
        "hostile", HOSTILE_OP_SYMBOL, value=lambda a: a,
        derivative=lambda out, a: (1.0 + 0.0 * out,),
        write=lambda a: f"<b>hostile</b>({a}) {{{{DATA}}}}"))


# -- graphs several test files share ------------------------------------------------------


def lecture():
    """The micrograd lecture's first graph (notebook 1): L = (a*b + c) * f, its inner nodes
    labelled e, d and L.  Returns L and (a, b, c, f, d, e)."""
    from autograd_mini import Value

    a, b, c, f = (Value(v, label=n) for v, n in [(2.0, "a"), (-3.0, "b"), (10.0, "c"),
                                                  (-2.0, "f")])
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, (a, b, c, f, d, e)


def lecture_tanh(rule=lambda t: 1 - t**2):
    """The lecture's tanh, written by hand as a micrograd method (``_backward`` closure
    and all) on ``autograd_mini.micrograd.Value``, with the derivative ``rule(t)``."""
    from autograd_mini.micrograd import Value

    def tanh(self):
        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += rule(t) * out.grad

        out._backward = _backward
        return out

    return tanh


def graph_of_every_op():
    """One graph per op of the table (the variadic ones too), at points of its samples:
    ``(name, output)`` pairs."""
    from autograd_mini import PRIMITIVES, Value, apply

    for name, primitive in PRIMITIVES.items():
        arity = primitive.arity or primitive.layout.count(2)
        intervals = [primitive.samples[min(i, len(primitive.samples) - 1)][0]
                     for i in range(arity)]
        leaves = [Value(lo + (hi - lo) * (0.3 + 0.1 * i), label=f"x{i + 1}")
                  for i, (lo, hi) in enumerate(intervals)]
        yield name, apply(name, *leaves) * 1.5
