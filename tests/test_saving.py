"""Model files (bridges/saving.py, bridges/files.py): a model saved and loaded back, and
under hostile conditions: odd paths and names, file modes, killed and failed saves,
malformed and oversized files, diverged models."""

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

from autograd_mini.bridges.files import NotARegularFileError, write_atomically
from autograd_mini.bridges.saving import ModelFileError, load, save
from autograd_mini.nn import MLP, Neuron


def _model(seed=0):
    return MLP(2, [3, 1], rng=random.Random(seed))


# -- a model saved and loaded back ---------------------------------------------------------


def test_save_load_round_trip(tmp_path):
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", rng=random.Random(5))
    path = save(model, tmp_path / "m.json")
    loaded = load(path)
    assert loaded.state_dict() == model.state_dict() and loaded.config() == model.config()
    assert [v.data for v in loaded([1, 2, 3])] == [v.data for v in model([1, 2, 3])]
    other = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid",
                rng=random.Random(9))
    assert load(path, into=other) is other and other.state_dict() == model.state_dict()


def test_declared_shape_matches_real_models(tmp_path):
    for model in [Neuron(3), MLP(3, [4, 2]), MLP(1, [1]), MLP(2, [5, 3, 1])]:
        assert load(save(model, tmp_path / "m.json")).state_dict() == model.state_dict()
    layer_document = json.loads(_document(type="Layer", config={
        "nin": 2, "nout": 2, "activation": "tanh"}))
    layer_document["parameters"] = {f"neurons.{i}.{p}": 0.1 for i in range(2)
                                    for p in ("w.0", "w.1", "b")}
    (tmp_path / "layer.json").write_text(json.dumps(layer_document))
    assert load(tmp_path / "layer.json").config() == {"nin": 2, "nout": 2, "activation": "tanh"}


def test_mismatched_or_tampered_file_leaves_model_untouched(tmp_path):
    def refused_and_untouched(model, message):
        before = model.state_dict()
        with pytest.raises(ModelFileError, match=message):
            load(path, into=model)
        assert model.state_dict() == before

    path = save(MLP(2, [3, 1], rng=random.Random(0)), tmp_path / "m.json")
    refused_and_untouched(MLP(2, [4, 1], rng=random.Random(1)), "does not fit")
    doc = json.loads(path.read_text())
    doc["parameters"]["layers.0.neurons.0.w.0"] = "NaN"
    path.write_text(json.dumps(doc))
    refused_and_untouched(MLP(2, [3, 1], rng=random.Random(2)), "finite number")


# -- save() never replaces what is not a regular file --------------------------------------


def test_save_refuses_a_fifo_and_leaves_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match="not a regular file"):
        save(_model(), fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_save_refuses_devices_and_folders(tmp_path):
    before = os.stat(os.devnull)
    with pytest.raises(ModelFileError, match="not a regular file"):
        save(_model(), os.devnull)
    with pytest.raises(ModelFileError, match="not a regular file"):
        save(_model(), "/dev/full")
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    with pytest.raises(ModelFileError, match="not a regular file"):
        save(_model(), tmp_path)


def test_save_through_a_symlink_replaces_its_target(tmp_path):
    target = save(_model(0), tmp_path / "real.json")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    save(_model(1), link)
    assert link.is_symlink() and load(target).state_dict() == _model(1).state_dict()


def test_write_atomically_refuses_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotARegularFileError):
        write_atomically(tmp_path / "pipe", b"x")


# -- files get the mode open() would give them ---------------------------------------------


def test_new_model_files_get_opens_mode(tmp_path, umask_022):
    path = save(_model(), tmp_path / "m.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with open(tmp_path / "reference", "w"):
        pass
    reference = (tmp_path / "reference").stat().st_mode
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(reference)


def test_new_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = save(_model(), tmp_path / "m.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_resaved_model_keeps_its_mode(tmp_path, umask_022):
    path = save(_model(0), tmp_path / "m.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    save(_model(1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o664)
    save(_model(2), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
    assert load(path).state_dict() == _model(2).state_dict()


# -- a killed or failed save: the old file kept, no temporary file left --------------------


_KILLED_SAVE = textwrap.dedent("""
    import os, random, signal, sys
    from autograd_mini.nn import MLP
    from autograd_mini.bridges.saving import save
    real_fsync = os.fsync
    def fsync_then_die(fd):  # the signal arrives while the temporary file is written
        os.kill(os.getpid(), getattr(signal, sys.argv[2]))
        real_fsync(fd)
    os.fsync = fsync_then_die
    save(MLP(2, [3, 1], rng=random.Random(1)), sys.argv[1])
""")


def _killed_save(path, signal_name):
    return subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(path), signal_name],
                          capture_output=True, text=True, timeout=60)


def test_sigterm_during_save_leaves_the_old_file_and_the_next_save_cleans_up(tmp_path):
    """The library installs no signal handler (a process-wide side effect): SIGTERM ends
    the process as its sender asked, and the temporary file it leaves is removed by the
    next save of the same path."""
    path = save(_model(0), tmp_path / "m.json")
    before = path.read_text()
    result = _killed_save(path, "SIGTERM")
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert path.read_text() == before
    leftovers = [name for name in os.listdir(tmp_path) if name != "m.json"]
    assert len(leftovers) <= 1
    assert all(name.startswith(".autograd_mini-write.") for name in leftovers)
    save(_model(1), path)
    assert os.listdir(tmp_path) == ["m.json"]
    assert load(path).state_dict() == _model(1).state_dict()


def test_save_installs_no_signal_handler(tmp_path, monkeypatch):
    handlers = []
    real_fsync = os.fsync

    def fsync_and_look(fd):
        handlers.append(signal.getsignal(signal.SIGTERM))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_and_look)
    monkeypatch.setattr(signal, "signal", lambda *a: pytest.fail(f"signal.signal{a}"))
    save(_model(0), tmp_path / "m.json")
    assert handlers == [signal.SIG_DFL]


def test_a_save_in_progress_in_another_process_is_left_alone(tmp_path):
    """A writer holds a lock on its temporary file: another save of the same path leaves
    it, whatever process id it names; once nobody holds it, it is removed."""
    import fcntl

    path = save(_model(0), tmp_path / "m.json")
    other = tmp_path / ".autograd_mini-write.999999999-89abcdef.tmp"  # no such process
    other.write_text("being written")
    with open(other, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        save(_model(1), path)
        assert sorted(os.listdir(tmp_path)) == [other.name, "m.json"]
    save(_model(2), path)
    assert os.listdir(tmp_path) == ["m.json"]


def test_a_later_save_removes_temporaries_left_by_a_killed_one(tmp_path):
    path = save(_model(0), tmp_path / "m.json")
    before = path.read_text()
    result = _killed_save(path, "SIGKILL")
    assert result.returncode == -signal.SIGKILL
    leftovers = [name for name in os.listdir(tmp_path) if name != "m.json"]
    assert len(leftovers) == 1  # SIGKILL can't be caught
    assert leftovers[0].startswith(".autograd_mini-write.")
    assert path.read_text() == before  # still atomic
    (tmp_path / ".m.json.notes.tmp").write_text("someone else's")  # not of our naming
    ours = f".autograd_mini-write.{os.getpid()}-0123abcd.tmp"
    (tmp_path / ours).write_text("a save in progress")
    save(_model(2), path)
    assert sorted(os.listdir(tmp_path)) == sorted([".m.json.notes.tmp", ours, "m.json"])
    assert load(path).state_dict() == _model(2).state_dict()


def test_a_save_failing_while_it_writes_leaves_the_old_file(tmp_path, monkeypatch):
    path = save(_model(0), tmp_path / "m.json")
    before = path.read_text()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ModelFileError, match="m.json.*No space left on device; nothing was"):
        save(_model(1), path)
    assert path.read_text() == before and os.listdir(tmp_path) == ["m.json"]


def test_a_save_failing_before_it_writes_leaves_the_old_file(tmp_path, monkeypatch):
    model = MLP(2, [2, 1], rng=random.Random(0))
    path = save(model, tmp_path / "m.json")
    before = path.read_text()

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dumps", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save(MLP(2, [2, 1], rng=random.Random(1)), path)
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["m.json"]  # no temporary file left behind


# -- a diverged model never replaces a good checkpoint -------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_save_refuses_non_finite_weights_and_keeps_the_old_file(tmp_path, bad):
    model = _model()
    path = save(model, tmp_path / "m.json")
    before = path.read_text()
    model.parameters()[3].data = bad
    with pytest.raises(ModelFileError, match="has diverged"):
        save(model, path)
    assert path.read_text() == before and os.listdir(tmp_path) == ["m.json"]
    assert load(path).state_dict() == _model().state_dict()


# -- paths and names: missing folders, long names, unreadable paths ------------------------


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    from autograd_mini import save

    with pytest.raises(FileNotFoundError, match="the folder .* does not exist"):
        save(MLP(2, [1]), tmp_path / "missing" / "model.json")


@pytest.mark.parametrize("make, reason", [
    (lambda d: (d / "loop").symlink_to(d / "loop") or d / "loop", "symbolic links"),
    (lambda d: d / ("m" * 300 + ".json"), "too long"),
    (lambda d: str(d / "m\0.json"), "null"),
], ids=["link-loop", "name-too-long", "nul"])
def test_a_path_that_cannot_be_written_is_a_model_file_error_naming_it(tmp_path, make,
                                                                      reason):
    path = make(tmp_path)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ModelFileError, match=f"cannot save .*{reason}.*nothing was written"):
        save(_model(), path)
    assert sorted(os.listdir(tmp_path)) == before  # nothing written, no temporary file
    with pytest.raises(ModelFileError):  # load says the same family of error
        load(path)


@pytest.mark.parametrize("length", [236, 250, 255])
def test_every_name_the_file_system_accepts_can_be_saved(tmp_path, length):
    path = tmp_path / ("m" * (length - 5) + ".json")
    save(_model(0), path)
    assert load(path).state_dict() == _model(0).state_dict()
    assert os.listdir(tmp_path) == [path.name]


def test_the_cli_writes_a_picture_under_a_long_name(tmp_path):
    out = tmp_path / ("g" * 251 + ".dot")
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "graph", "x*x", "--at",
                             "x=2", "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "digraph" in out.read_text()


def test_unreadable_paths_are_model_file_errors_naming_path_and_reason(tmp_path):
    loop = tmp_path / "loop.json"
    os.symlink(loop, loop)
    regular = save(_model(0), tmp_path / "m.json")
    for path, reason in [(loop, "symbolic links"), (regular / "inside.json", "Not a directory"),
                         (str(tmp_path / "a\0b.json"), "null")]:
        with pytest.raises(ModelFileError) as caught:
            load(path)
        assert repr(str(path))[1:-1][:20] in str(caught.value) and reason in str(caught.value)


# -- every malformed file is a ModelFileError that says what is wrong ----------------------


def _document(**changes):
    document = {"format": "autograd_mini.model", "version": 1, "type": "Neuron",
                "config": {"nin": 1, "activation": "relu"},
                "parameters": {"w.0": 0.5, "b": 0.0}}
    document.update(changes)
    return json.dumps(document)


MALFORMED = {
    "401-digit integer": _document(parameters={"w.0": 0, "b": 0}).replace(
        '"w.0": 0', '"w.0": ' + "9" * 401),
    "4301-digit integer": _document().replace('"nin": 1', '"nin": ' + "9" * 4301),
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "type is a list": _document(type=[]),
    "version true": _document(version=True),
    "version 1.0": _document(version=1.0),
    "config not a dict": _document(config=[1]),
    "config with extra keys": _document(config={"nin": 1, "activation": "relu", "rng": 3}),
    "nin a string": _document(config={"nin": "1", "activation": "relu"}),
    "nin true": _document(config={"nin": True, "activation": "relu"}),
    "unknown activation": _document(config={"nin": 1, "activation": "swish"}),
    "parameter a string": _document(parameters={"w.0": "0.5", "b": 0.0}),
    "parameter NaN": _document(parameters={"w.0": float("nan"), "b": 0.0}),
    "wrong names": _document(parameters={"w.9": 0.5, "b": 0.0}),
    "not UTF-8": b"\xff\xfe{}",
    "NUL bytes": b"\x00" * 10,
    "empty": "",
    "not an object": "[]",
    "MLP nouts not a list": _document(type="MLP", config={"nin": 1, "nouts": 2,
                                                          "activation": ["relu"]}),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_files_raise_model_file_error(tmp_path, name):
    path = tmp_path / "bad.json"
    content = MALFORMED[name]
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ModelFileError):
        load(path)


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a model file"),
    ('{"format": "other"}', "not an autograd_mini model file"),
    ('{"format": "autograd_mini.model", "version": 9}', "version 9"),
    ('{"format": "autograd_mini.model", "version": 1, "type": "Robot", "config": {}, '
     '"parameters": {}}', "unknown model type"),
])
def test_corrupt_files_raise_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ModelFileError, match=message):
        load(path)


def test_a_folder_or_fifo_is_not_a_model_file(tmp_path):
    with pytest.raises(ModelFileError, match="not a regular file"):
        load(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ModelFileError, match="not a regular file"):  # and does not block
        load(tmp_path / "pipe")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.json")


def test_long_values_are_cut_in_the_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(_document(type="x" * 100_000))
    with pytest.raises(ModelFileError) as caught:
        load(path)
    assert len(str(caught.value)) < 400


def test_a_400_digit_weight_is_named(tmp_path):
    path = save(_model(0), tmp_path / "m.json")
    document = json.loads(path.read_text())
    name = sorted(document["parameters"])[0]
    text = path.read_text().replace(json.dumps(document["parameters"][name]), "9" * 400, 1)
    path.write_text(text)
    with pytest.raises(ModelFileError, match=f"parameter '{name}'"):
        load(path)


# -- oversized files: the declared shape checked before anything is built; memory in proportion ---


def test_a_tiny_file_declaring_a_huge_model_is_rejected_before_building(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text('{"format":"autograd_mini.model","version":1,"type":"Neuron",'
                    '"config":{"nin":1000000,"activation":"relu"},"parameters":{}}')
    assert path.stat().st_size <= 122
    built = []
    monkeypatch.setattr(Neuron, "__init__", lambda self, *a, **k: built.append(a))
    with pytest.raises(ModelFileError, match="declares 1000001 parameters but the file holds 0"):
        load(path)
    for declared in ['"nin":10000000', '"nin":' + "9" * 401]:
        path.write_text(path.read_text().replace('"nin":1000000', declared))
        with pytest.raises(ModelFileError, match="declares"):
            load(path)
    assert built == []


def test_loading_takes_memory_in_proportion_to_the_file(tmp_path):
    """The parsed numbers and the model itself, and little more: no second table of
    names, no copy of the text (the model alone is ~3 times the file's size)."""
    import gc
    import tracemalloc

    path = save(MLP(50, [200, 200, 10], rng=random.Random(0)), tmp_path / "big.json")
    gc.collect()
    tracemalloc.start()
    try:
        load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 6 * path.stat().st_size, peak / path.stat().st_size
