"""``autograd-mini site build OUT``: the static site, made from pinned packages.

The browser's Python (Pyodide) and graphviz (compiled to WebAssembly) come from npm at
build time, each at the exact version of :data:`NPM_PACKAGES`; the graphviz package's pure
wheel comes from pip at :data:`WHEELS`; autograd_mini goes in as the wheel of this checkout.
The course page (``course.html``) runs the checkout's notebooks, copied in without their
outputs, and loads the pure wheels of :data:`COURSE_WHEELS` too (what they import).
They are cached (``--cache``), so a second build needs no network.  The folder made is
plain files: any static server serves it, and a page fetches nothing from elsewhere.

So that a page shows something before its engine is ready, the build draws the
playground's first graph with graphviz's ``dot`` (into ``index.html``) and writes each
notebook's cells as JSON (``course/NN_*.cells.json``).  The pages speak the reader's
language: the build writes ``words/<language>.json``, the translations of every
``say("...")`` of the pages' scripts from the package's catalogs (``page_words``), and
check your op's first report in each language.  The course's formulas are typeset by
KaTeX (npm, pinned here like Pyodide) as MathML.  It also writes ``_headers``, the
headers a static host that reads one (Netlify, Cloudflare Pages) sends: with them Stop
keeps Python's state (see :mod:`.policy`).
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.language import LANGUAGES, _, page_words, speaking
from ..viz.steps import VIEWER
from .notebook import notebook_cells, title, without_outputs
from .policy import headers_file, meta_tag

__all__ = ["build", "BuildError", "NPM_PACKAGES", "WHEELS", "COURSE_WHEELS", "default_cache",
           "PAGES"]

# The one place the versions are pinned: the browser assets and the pure wheels.
NPM_PACKAGES = {"pyodide": "314.0.7", "@hpcc-js/wasm-graphviz": "1.29.2", "katex": "0.19.1"}
WHEELS = {"graphviz": "0.21"}
# Only the course page loads these (the notebooks import them): hypothesis (notebook 03)
# with its one dependency, sympy (notebook 04) with its one, traitlets (the explorer's
# Python side, notebooks 01, 02, 05).  Pure wheels, about 7 MB together.  hypothesis
# stays at 6.155.7, its last pure wheel: later ones carry a compiled part for each CPU.
COURSE_WHEELS = {"hypothesis": "6.155.7", "sortedcontainers": "2.4.0", "sympy": "1.14.0",
                 "mpmath": "1.3.0", "traitlets": "5.16.1"}


@dataclass(frozen=True)
class Vendored:
    """Which files of an npm package the site needs, and the folder they go to."""

    folder: str
    files: tuple[str, ...]


# Only what a page loads, plus package.json (name, version, licence) and any LICENSE: the
# npm tarballs also carry source maps and type declarations a page never asks for.
VENDORED = {
    "pyodide": Vendored("vendor/pyodide", (
        "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
        "pyodide-lock.json", "package.json")),
    "@hpcc-js/wasm-graphviz": Vendored("vendor/graphviz", (
        "dist/index.js", "package.json", "LICENSE")),
    # The course's formulas, typeset as MathML (pages/mathematics.js): the module alone,
    # no stylesheet or fonts.
    "katex": Vendored("vendor/katex", ("dist/katex.mjs", "package.json", "LICENSE")),
}
PAGES = Path(__file__).with_name("pages")
# The playground's expression and numbers when it opens (playground.js): drawn at build
# time, shown until the engine draws it again.
FIRST_GRAPH = ("tanh(x*w + b)", {"x": 2, "w": -3, "b": 6.8814})
GRAPH_BOX = '<div id="graph" aria-label="the graph"></div>'
NPM_SECONDS = 300  # one download may take this long on a slow line
PIP_SECONDS = 300


class BuildError(RuntimeError):
    """The site could not be built; the message says what is missing and how to fix it."""


def default_cache() -> Path:
    """Where downloaded packages are kept between builds: ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "autograd_mini" / "site"


def build(out: str | os.PathLike, *, cache: str | os.PathLike | None = None) -> Path:
    """Make the site in the folder ``out`` (created; it must be empty or absent).

    Raises:
        BuildError: ``out`` is not empty, npm or pip is missing, a download failed, or
            this is not a checkout of autograd_mini (the wheel is built from one).
    """
    out, cache = Path(out), Path(cache) if cache else default_cache()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BuildError(_("{path} exists and is not an empty folder; give a new folder (the "
                           "build writes nothing over your files)", path=repr(str(out))))
    if not out.parent.is_dir():
        raise BuildError(_("the folder {folder} does not exist", folder=repr(str(out.parent))))
    cache.mkdir(parents=True, exist_ok=True)
    tarballs = {name: npm_tarball(name, version, cache) for name, version in NPM_PACKAGES.items()}
    wheels = [pure_wheel(name, version, cache) for name, version in WHEELS.items()]
    course_wheels = [pure_wheel(name, version, cache) for name, version in COURSE_WHEELS.items()]
    with tempfile.TemporaryDirectory() as scratch:
        wheels.append(checkout_wheel(Path(scratch)))
        staging = Path(tempfile.mkdtemp(prefix=".site-", dir=out.parent))
        try:
            _assemble(staging, tarballs, wheels, course_wheels)
            _course(staging, checkout() / "notebooks")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    if out.exists():
        out.rmdir()
    shutil.move(str(staging), str(out))  # the site appears whole, or not at all
    return out


def _assemble(site: Path, tarballs: dict[str, Path], wheels: list[Path],
              course_wheels: list[Path]) -> None:
    picture = first_picture()
    for language in LANGUAGES:  # English as check-first.json, the others by their name
        name = "check-first.json" if language == "en" else f"check-first.{language}.json"
        (site / name).write_text(first_check(language), encoding="utf-8")
    _words(site)
    for page in [*PAGES.iterdir(), VIEWER]:  # the pages import the step viewer's module
        if page.suffix == ".html":
            text = with_policy(page.read_text(encoding="utf-8"))
            text = text.replace(GRAPH_BOX, GRAPH_BOX.replace("></", f">{picture}</"))
            (site / page.name).write_text(text, encoding="utf-8")
        elif page.is_file():
            (site / page.name).write_text(with_own_words(page.read_text(encoding="utf-8")),
                                          encoding="utf-8")
    for name, tarball in tarballs.items():
        _extract(tarball, VENDORED[name], site)
    (site / "wheels").mkdir()
    for wheel in wheels + course_wheels:
        shutil.copyfile(wheel, site / "wheels" / wheel.name)
    config = {"wheels": [f"wheels/{w.name}" for w in wheels],
              "course_wheels": [f"wheels/{w.name}" for w in course_wheels],
              "versions": NPM_PACKAGES}
    (site / "site.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    (site / "_headers").write_text(headers_file(), encoding="utf-8")
    site.chmod(0o755)


def first_picture() -> str:
    """The playground's first graph (:data:`FIRST_GRAPH`, its last step), drawn now by
    graphviz's ``dot``, as the page's SVG: shown before the page's engine is ready."""
    from .page_api import Playground

    playground = Playground()
    expression, values = FIRST_GRAPH
    loaded = json.loads(playground.load(expression, json.dumps(values)))
    frame = loaded if "error" in loaded else json.loads(
        playground.frame(len(loaded["titles"]) - 1))
    if "error" in frame:
        raise BuildError(_("the playground's first graph could not be drawn: {error}",
                           error=frame["error"]))
    return inline_svg(frame["svg"])


def _words(site: Path) -> None:
    """``words/<language>.json``: the translation of every ``say("...")`` of every page
    script (and the step viewer's), from the catalogs Python reads (``page_words``)."""
    scripts = [page.read_text(encoding="utf-8") for page in [*PAGES.glob("*.js"), VIEWER]]
    (site / "words").mkdir()
    for language in LANGUAGES:
        words = page_words(*scripts, language=language)
        (site / "words" / f"{language}.json").write_text(
            json.dumps(words, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
            encoding="utf-8")


OWN_WORDS = "const WORDS = {};"


def with_own_words(script: str) -> str:
    """A script that cannot fetch its words (a classic one, run from a file opened from
    disk) says where they go, ``const WORDS = {};``: they are written in, by language."""
    words = {language: page_words(script, language=language) for language in LANGUAGES
             if language != "en"}
    return script.replace(OWN_WORDS, f"const WORDS = {json.dumps(words, ensure_ascii=False)};")


def first_check(language: str = "en") -> str:
    """Check your op's first report, JSON, in ``language``: its page's own code, checked
    now (the op table is put back after), shown before the page's engine is ready."""
    from ..core.ops import PRIMITIVES
    from .page_api import check_op

    page = (PAGES / "check.html").read_text(encoding="utf-8")
    code = html.unescape(re.search(r'<textarea id="code"[^>]*>(.*?)</textarea>', page,
                                   re.DOTALL).group(1))
    table = dict(PRIMITIVES)
    try:
        with speaking(language):
            result = json.loads(check_op(code))
    finally:
        PRIMITIVES.clear()
        PRIMITIVES.update(table)
    for op in result.get("ops", []):
        op["svg"] = inline_svg(op.get("svg") or "")
    return json.dumps(result, ensure_ascii=False)


def inline_svg(svg: str) -> str:
    """graphviz's SVG as a page holds it: no XML prolog, no namespaces (HTML gives an
    <svg> its own)."""
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg[svg.find("<svg"):]) if svg else ""


def with_policy(page: str) -> str:
    """A page with the site's Content-Security-Policy as its head's first ``<meta>`` after
    the charset (the policy a static host applies, the same as the server's header)."""
    charset = '<meta charset="utf-8">'
    if charset not in page:
        raise BuildError("a page of the site has no <meta charset=\"utf-8\">")
    return page.replace(charset, f"{charset}\n{meta_tag()}", 1)


def _course(site: Path, notebooks: Path) -> None:
    """The notebooks of every language (English in ``notebooks/``, the others in
    ``notebooks/<language>/``), without their outputs (the page runs every cell itself), in
    ``course/`` and ``course/<language>/``; and ``course/index.json``: each one's number,
    language, file and title."""
    index = []
    for language in LANGUAGES:
        where = "" if language == "en" else f"{language}/"
        for path in sorted((notebooks / where).glob("[0-9][0-9]_*.ipynb")):
            index.append({"id": path.name[:2], "language": language, "file": where + path.name,
                          "cells": where + f"{path.stem}.cells.json",
                          "title": _copy_notebook(path, site / "course" / where)})
    if not any(entry["language"] == "en" for entry in index):
        raise BuildError(_("no notebooks in {folder}: the course page needs them",
                           folder=str(notebooks)))
    (site / "course" / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1)
                                                + "\n", encoding="utf-8")


def _copy_notebook(path: Path, folder: Path) -> str:
    """``path`` copied into ``folder`` without its outputs, beside its cells as the page
    shows them before its engine is ready (``NN_name.cells.json``); returns its title."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = without_outputs(json.loads(path.read_text(encoding="utf-8")))
    (folder / path.name).write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    (folder / f"{path.stem}.cells.json").write_text(
        json.dumps(notebook_cells(notebook), ensure_ascii=False) + "\n", encoding="utf-8")
    return title(notebook)


def _extract(tarball: Path, wanted: Vendored, site: Path) -> None:
    """Copy ``wanted.files`` out of an npm tarball (its files sit under ``package/``)."""
    target = site / wanted.folder
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        for name in wanted.files:
            try:
                member = archive.extractfile(f"package/{name}")
            except KeyError:
                member = None
            if member is None:
                raise BuildError(f"{tarball.name} has no file {name}; is the pinned "
                                 "version right?")
            (target / Path(name).name).write_bytes(member.read())


def npm_tarball(name: str, version: str, cache: Path) -> Path:
    """The npm package ``name@version`` as its tarball in ``cache`` (``npm pack``)."""
    expected = cache / (name.lstrip("@").replace("/", "-") + f"-{version}.tgz")
    if expected.is_file():
        return expected
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(_("npm is needed once to download {package} for the site (then it "
                           "is cached); install Node.js with npm (`sudo apt-get install nodejs "
                           "npm` on Debian/Ubuntu)", package=f"{name}@{version}"))
    result = _run([npm, "pack", f"{name}@{version}", "--silent"], cache, NPM_SECONDS,
                  _("npm could not download {package}", package=f"{name}@{version}"))
    if not expected.is_file():
        raise BuildError(_("npm pack {package} did not write {file} ({said})",
                           package=f"{name}@{version}", file=expected.name,
                           said=result.stdout.strip()[:200]))
    return expected


def pure_wheel(name: str, version: str, cache: Path) -> Path:
    """The pure-Python wheel of ``name==version`` in ``cache`` (``pip download``)."""
    folder = cache / "wheels"
    folder.mkdir(exist_ok=True)
    found = _wheel_in(folder, name, version)
    if found is None:
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
              "--only-binary=:all:", "--dest", str(folder), f"{name}=={version}"],
             folder, PIP_SECONDS, _("pip could not download the wheel of {package}",
                                    package=f"{name}=={version}"))
        found = _wheel_in(folder, name, version)
    if found is None:
        raise BuildError(_("pip found no pure-Python wheel of {package}",
                           package=f"{name}=={version}"))
    return found


def _wheel_in(folder: Path, name: str, version: str) -> Path | None:
    matches = sorted(folder.glob(f"{name}-{version}-*-none-any.whl"))
    return matches[0] if matches else None


def checkout() -> Path:
    """The checkout this package runs from (the folder with its ``pyproject.toml``)."""
    root = Path(__file__).resolve().parents[2]
    project = root / "pyproject.toml"
    if not project.is_file() or 'name = "autograd_mini"' not in project.read_text("utf-8"):
        raise BuildError("the site is built from a checkout of autograd_mini (its wheel goes "
                         f"into the site), but {root} is not one; clone the repository and "
                         "run `autograd-mini site build OUT` from the clone's environment")
    return root


def checkout_wheel(folder: Path) -> Path:
    """The wheel of the checkout, built into ``folder`` (``pip wheel . --no-deps``).

    Where this Python has the build backend (hatchling), pip uses it as it is, so that a
    rebuild needs no network at all; otherwise pip fetches it for an isolated build."""
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *isolation,
          "--wheel-dir", str(folder), str(checkout())], folder, PIP_SECONDS,
         _("pip could not build the wheel of this checkout"))
    wheels = sorted(folder.glob("autograd_mini-*-py3-none-any.whl"))
    if not wheels:
        raise BuildError("pip wheel wrote no autograd_mini wheel")
    return wheels[0]


def _run(command: list[str], where: Path, seconds: float,
         failure: str) -> subprocess.CompletedProcess:
    """Run a download or build step; its failure becomes one line that says why."""
    try:
        result = subprocess.run(command, cwd=where, capture_output=True, text=True,
                                timeout=seconds)
    except subprocess.TimeoutExpired:
        raise BuildError(_("{failure}: no answer within {seconds} s (is the network "
                           "reachable?)", failure=failure, seconds=f"{seconds:g}")) from None
    except OSError as error:
        raise BuildError(f"{failure}: {error}") from None
    if result.returncode != 0:
        raise BuildError(_("{failure} (is the network reachable?): {said}", failure=failure,
                           said=_first_line(result)))
    return result


def _first_line(result: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines()
             if line.strip()]
    errors = [line for line in lines if "ERR" in line or "rror" in line]
    return ((errors or lines or ["no message"])[0])[:300]


def size_of(folder: str | os.PathLike) -> int:
    """The bytes of every file under ``folder``."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())

