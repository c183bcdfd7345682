"""The notebook pipeline: every book/*.py has its paired .ipynb with identical inputs; dlcore stays light."""
import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
SOURCES = sorted(BOOK.glob("[0-9][0-9]_*.py"))


def test_there_is_a_book():
    assert any(p.name.startswith("00_") for p in SOURCES) and any(p.name.startswith("01_") for p in SOURCES)


def _inputs(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_pairs_have_identical_inputs(src):
    ipynb = src.with_suffix(".ipynb")
    assert ipynb.exists(), f"{src.name} has no paired {ipynb.name}: run `python3 tasks.py book {src.relative_to(BOOK.parent)}`"
    a = _inputs(jupytext.read(src))
    b = _inputs(jupytext.read(ipynb))
    assert len(a) == len(b), f"{src.name}: {len(a)} cells, {ipynb.name}: {len(b)} cells"
    for i, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"cell {i} differs between {src.name} and {ipynb.name}; re-run `python3 tasks.py book`"


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebooks_are_committed_executed(src):
    nb = json.loads(src.with_suffix(".ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code), f"{src.stem}: not every code cell was executed"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{src.stem}: committed outputs contain an error: {errors[0].get('ename')}"


def test_dlcore_import_is_numpy_only():
    code = ("import sys, pkgutil, importlib, dlcore;"
            "[importlib.import_module(m.name) for m in pkgutil.walk_packages(dlcore.__path__, 'dlcore.')];"
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'scipy') if m in sys.modules];"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing dlcore pulled in: {out}"


def test_sources_compile_without_warnings():
    """Catches invalid escape sequences in LaTeX docstrings (a warning now, an error in future Pythons)."""
    import warnings
    root = BOOK.parent
    for path in sorted([*root.glob("dlcore/**/*.py"), *root.glob("widgets/**/*.py"), *BOOK.glob("*.py")]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_saving_the_notebook_rewrites_its_source_unchanged(src):
    """What JupyterLab's autosave writes to the .py (jupytext, with the project's config) is the
    committed .py: a reader who runs a chapter does not end up with a modified source."""
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file
    cfg = load_jupytext_configuration_file(find_jupytext_configuration_file(str(BOOK)))
    text = jupytext.writes(jupytext.read(src.with_suffix(".ipynb")), fmt="py:percent", config=cfg)
    assert text == src.read_text(encoding="utf-8")
