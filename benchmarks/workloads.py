"""The workloads: the same jobs written for autograd_mini, micrograd and PyTorch.

Each workload maker returns a function that runs the job once and returns how many
graph nodes it built (each library counted in its own nodes); the memory workloads
return bytes per node.  The peers are used when importable (``pip install
micrograd==0.1.0 torch==2.13.0``); ``mg_engine`` and ``torch`` are None otherwise.
"""

from __future__ import annotations

import gc
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's autograd_mini, whatever is installed

import autograd_mini as am  # noqa: E402
from autograd_mini.bridges.compile import compile_graph  # noqa: E402
from autograd_mini.datasets import two_moons  # noqa: E402
from autograd_mini.nn import MLP  # noqa: E402

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # pragma: no cover
    mg_engine = mg_nn = None
try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

ALPHA = 1e-4


class Failed(Exception):
    """A peer could not run a workload (e.g. micrograd's recursion limit)."""


def count_nodes(root, children) -> int:
    """Nodes of a graph, by an iterative walk (micrograd's own is recursive)."""
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        for child in children(node):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def counted_once(count):
    """``count(root)`` for the first graph only: counting nodes is not part of a step (the
    graph has the same shape every step), so it is done in the first run and remembered."""
    known: list[int] = []

    def nodes(root) -> int:
        if not known:
            known.append(count(root))
        return known[0]
    return nodes


# -- workload 1: one training step of MLP(2, [16, 16, 1]) on 100 two-moons points ------

def moons_data():
    return two_moons(100, noise=0.1, seed=0)


def step_ours():
    points, labels = moons_data()
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    nodes = counted_once(lambda root: len(am.topological_order(root)))

    def run():
        scores = [model(p) for p in points]
        data_loss = am.sum([(1 - y * s).relu() for s, y in zip(scores, labels)]) / len(labels)
        loss = data_loss + ALPHA * am.sum([p * p for p in model.parameters()])
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        return nodes(loss)
    return run


def step_ours_micrograd_shape():
    """The same step with this engine's Values on micrograd's graph shape: binary ``*``
    and ``+`` nodes (Python's ``sum`` of products), no one-node neurons."""
    points, labels = moons_data()
    rng = random.Random(1337)
    sizes = [2, 16, 16, 1]
    layers = [[([am.Value(rng.uniform(-1, 1)) for _ in range(sizes[k])], am.Value(0.0))
               for _ in range(sizes[k + 1])] for k in range(3)]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    nodes = counted_once(lambda root: len(am.topological_order(root)))

    def run():
        scores = []
        for p in points:
            x = list(map(am.Value, p))
            for k, layer in enumerate(layers):
                x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
                if k < 2:
                    x = [v.relu() for v in x]
            scores.append(x[0])
        losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.01 * p.grad
        return nodes(loss)
    return run


def step_small(watched: bool):
    """The live page's network, MLP(2, [8, 8, 1]), one full-batch step on 100 points;
    ``watched``: with a training record reading four probe points at every step."""
    points, labels = moons_data()
    model = MLP(2, [8, 8, 1], rng=random.Random(1337))
    run = am.watch(model, probes=points[:4]) if watched else None
    nodes = counted_once(lambda root: len(am.topological_order(root)))

    def step():
        loss = am.sum([(1 - y * model(p)).relu() for p, y in zip(points, labels)]) / 100
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        if run is not None:
            run.record(loss)
        return nodes(loss)
    return step


def trainer_sweep(pictures: bool):
    """The same network as a training session (``Trainer``, the live page's engine): one
    full-batch sweep of the two moons with the paper's sigmoid output and error, recorded;
    ``pictures``: and the page's pictures of the run after it."""
    from autograd_mini.viz.session import Trainer

    trainer = Trainer(dataset="moons", hidden=[8, 8], activation="relu", lr=0.01)
    nodes = len(am.topological_order(am.sum([trainer.error(k) for k in range(100)])))

    def sweep():
        trainer.step()
        if pictures:
            trainer.pictures()
        return nodes
    return sweep


def step_ours_gc_paused():
    run = step_ours()

    def paused():
        with am.gc_paused():
            return run()
    return paused


def step_ours_anomaly():
    run = step_ours()

    def checked():
        with am.gc_paused(), am.detect_anomaly():
            return run()
    return checked


def step_ours_compiled():
    """The compiled replay path: one sample's hinge term traced once, replayed 100 times."""
    points, labels = moons_data()
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    params = model.parameters()
    x1, x2, y = am.Value(0.0, "x1"), am.Value(0.0, "x2"), am.Value(1.0, "y")
    term = (1 - y * model([x1, x2])).relu() / len(labels)
    replay = compile_graph(term, [x1, x2, y, *params])
    n_nodes = len(am.topological_order(term))

    def run():
        values = [p.data for p in params]
        grads = [2 * ALPHA * v for v in values]  # the L2 term's gradient, 2αw
        loss = ALPHA * sum(v * v for v in values)
        for (a, b), label in zip(points, labels):
            value, g = replay([a, b, label, *values])
            loss += value
            for i, gi in enumerate(g[3:]):
                grads[i] += gi
        for p, gi in zip(params, grads):
            p.data -= 0.01 * gi
        return n_nodes * len(labels)
    return run


def step_floats():
    """The floor: the same step by hand in plain floats, no graph at all."""
    points, labels = moons_data()
    rng = random.Random(1337)
    sizes = [2, 16, 16, 1]
    W = [[[rng.uniform(-1, 1) for _ in range(sizes[k])] for _ in range(sizes[k + 1])]
         for k in range(3)]
    B = [[0.0] * sizes[k + 1] for k in range(3)]

    def run():
        gW = [[[0.0] * len(row) for row in layer] for layer in W]
        gB = [[0.0] * len(layer) for layer in B]
        for (a, b), label in zip(points, labels):
            acts, pres = [[a, b]], []
            for k in range(3):
                pre = [sum(w * x for w, x in zip(row, acts[-1])) + bias
                       for row, bias in zip(W[k], B[k])]
                pres.append(pre)
                acts.append([max(v, 0.0) for v in pre] if k < 2 else pre)
            score = acts[-1][0]
            if 1 - label * score <= 0:
                continue
            delta = [-label / len(labels)]
            for k in (2, 1, 0):
                for j, d in enumerate(delta):
                    gB[k][j] += d
                    for i, x in enumerate(acts[k]):
                        gW[k][j][i] += d * x
                if k:
                    back = [sum(delta[j] * W[k][j][i] for j in range(len(delta)))
                            for i in range(len(acts[k]))]
                    delta = [d if pres[k - 1][i] > 0 else 0.0 for i, d in enumerate(back)]
        for k in range(3):
            for j, row in enumerate(W[k]):
                for i in range(len(row)):
                    row[i] -= 0.01 * (gW[k][j][i] + 2 * ALPHA * row[i])
                B[k][j] -= 0.01 * (gB[k][j] + 2 * ALPHA * B[k][j])
        return 0
    return run


def step_micrograd():
    points, labels = moons_data()
    random.seed(1337)
    model = mg_nn.MLP(2, [16, 16, 1])
    V = mg_engine.Value
    nodes = counted_once(lambda root: count_nodes(root, lambda n: n._prev))

    def run():
        inputs = [list(map(V, p)) for p in points]
        scores = list(map(model, inputs))
        losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        loss = data_loss + reg_loss
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        return nodes(loss)
    return run


def step_torch():
    points, labels = moons_data()
    rng = random.Random(1337)
    t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
    sizes = [2, 16, 16, 1]
    layers = [[([t(rng.uniform(-1, 1)) for _ in range(sizes[k])], t(0.0))
               for _ in range(sizes[k + 1])] for k in range(3)]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    nodes = counted_once(lambda root: count_nodes(
        root.grad_fn, lambda n: [f for f, _ in n.next_functions if f is not None]))

    def run():
        scores = []
        for p in points:
            x = [torch.tensor(v, dtype=torch.float64) for v in p]
            for k, layer in enumerate(layers):
                x = [sum((w * xi for w, xi in zip(ws, x)), b) for ws, b in layer]
                if k < 2:
                    x = [v.relu() for v in x]
            scores.append(x[0])
        losses = [(1 - y * s).relu() for y, s in zip(labels, scores)]
        loss = sum(losses) / len(losses) + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad
        return nodes(loss)
    return run


# -- workload 2: a deep chain x -> x*0.999 + 0.001 -----------------------------------

def chain(library: str, steps: int):
    def run():
        if library == "ours":
            x = am.Value(1.0)
        elif library == "micrograd":
            x = mg_engine.Value(1.0)
        else:
            x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(steps):
            y = y * 0.999 + 0.001
        try:
            y.backward()
        except RecursionError:
            raise Failed("RecursionError") from None
        return 2 * steps + 1
    return run


# -- workload 3: a wide sum of 10^5 products -------------------------------------------

def wide_sum(library: str, n: int = 100_000):
    rng = random.Random(0)
    xs = [rng.uniform(-1, 1) for _ in range(n)]
    ws = [rng.uniform(-1, 1) for _ in range(n)]

    def run():
        if library == "ours":
            W = [am.Value(w) for w in ws]
            total = am.sum([w * x for w, x in zip(W, xs)])
            total.backward()
            return 2 * n + 1 + n  # leaves, products, constants, the sum
        if library == "micrograd":
            W = [mg_engine.Value(w) for w in ws]
            total = sum(w * x for w, x in zip(W, xs))
            try:
                total.backward()
            except RecursionError:
                raise Failed("RecursionError") from None
            return 4 * n
        W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in ws]
        total = sum(w * x for w, x in zip(W, xs))
        total.backward()
        return 3 * n
    return run


# -- workload 4: memory per node ----------------------------------------------------------

def bytes_per_node(library: str, steps: int = 50_000) -> float:
    """tracemalloc bytes held by a chain graph of about 10^5 op nodes, per node."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    V = am.Value if library == "ours" else mg_engine.Value
    x = V(1.0)
    y = x
    for _ in range(steps):
        y = y * 0.999 + 0.001
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = count_nodes(y, (lambda n: n.parents) if library == "ours" else (lambda n: n._prev))
    return held / nodes


TORCH_MEMORY = """
import gc, torch
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
y = x * 0.999 + 0.001  # warm up the allocator
gc.collect()
before = rss()
y = x
for _ in range({steps}):
    y = y * 0.999 + 0.001
print((rss() - before) / (4 * {steps}))  # mul, add, and a constant each
"""


def torch_rss_per_node(steps: int = 50_000) -> float:
    """PyTorch allocates in C++, out of tracemalloc's sight: resident memory instead,
    measured in a fresh process so that memory freed earlier is not reused."""
    result = subprocess.run([sys.executable, "-c", TORCH_MEMORY.format(steps=steps)],
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


# -- workload 5: the family-trees sweep ------------------------------------------------------

def family_sweep(compiled: bool, fold: bool = True):
    """One sweep over the 100 training queries: the graph built and ``backward()``
    called, or (``compiled``) one query's compiled graph replayed 100 times, the codes
    given as inputs; ``fold`` picks the folded replay or the one computing every product."""
    model, trees, cases, optimizer = _family_setup()
    if not compiled:
        return _family_engine(model, cases, optimizer)
    return _family_replay(model, cases, optimizer, fold)


def family_demo_sweep(fold: bool):
    """The same sweep as the demo runs it: all 104 queries compiled as one graph, the
    one-hot codes traced as constants (the 4 held out seeded 0)."""
    model, trees, cases, optimizer = _family_setup()
    return _family_demo_sweep(model, trees, optimizer, fold)


def _family_setup():
    from autograd_mini.datasets import family_trees
    from autograd_mini.demos.family_trees import FamilyNet, encode
    from autograd_mini.optim import SGD

    trees = family_trees()
    model = FamilyNet(rng=random.Random(0))
    optimizer = SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=0.0005)
    return model, trees, encode(trees, trees.queries[:100]), optimizer


def _family_nodes(model) -> int:
    """The nodes of one query's graph."""
    person = [am.Value(0.0, f"p{i}") for i in range(24)]
    relation = [am.Value(0.0, f"r{i}") for i in range(12)]
    return len(am.topological_order(*model(person, relation)))


def _family_engine(model, cases, optimizer):
    from autograd_mini.losses import sum_squared_error

    def run():
        with am.gc_paused():
            outputs = [model(p, r) for p, r, _ in cases]
            error = sum_squared_error(outputs, [t for *_, t in cases], 0.2)
            optimizer.zero_grad()
            error.backward()
            optimizer.step()
            return len(am.topological_order(error))
    return run


def _family_replay(model, cases, optimizer, fold):
    from autograd_mini.losses import sum_squared_error

    params = model.parameters()
    person = [am.Value(0.0, f"p{i}") for i in range(24)]
    relation = [am.Value(0.0, f"r{i}") for i in range(12)]
    replay = compile_graph(model(person, relation), [*person, *relation, *params], fold=fold)
    nodes = _family_nodes(model)

    def run():
        values = [p.data for p in params]
        grads = [0.0] * len(params)
        for p, r, targets in cases:
            def seeds(ys, targets=targets):  # ∂E/∂y of the library's own loss, between passes
                outputs = [am.Value(y) for y in ys]
                return am.grad(sum_squared_error(outputs, targets, 0.2), outputs)
            _, g = replay([*(v.data for v in p), *(v.data for v in r), *values], seeds)
            for i, gi in enumerate(g[36:]):
                grads[i] += gi
        for p, gi in zip(params, grads):
            p.grad = gi
        optimizer.step()
        return nodes * len(cases)
    return run


def _family_demo_sweep(model, trees, optimizer, fold):
    from autograd_mini.demos.family_trees import compiled_sweep, targets
    from autograd_mini.losses import sum_squared_error_grad

    params, nodes = model.parameters(), _family_nodes(model)
    replay = compiled_sweep() if fold else compiled_sweep().unfolded
    wanted = [d for p, r in trees.queries for d in targets(trees, p, r)]
    trained = [float(k < 100) for k in range(len(trees.queries)) for _ in trees.people]

    def seeds(ys):
        return [g * t for g, t in zip(sum_squared_error_grad(ys, wanted, 0.2), trained)]

    def run():
        _, grads = replay([p.data for p in params], seeds)
        for p, g in zip(params, grads):
            p.grad = g
        optimizer.step()
        return nodes * len(trees.queries)
    return run
