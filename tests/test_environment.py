"""One pinned environment: requirements-lock.txt, pyproject.toml and environment.yml agree; the
JupyterLab of the venv saves widget state (so saved explorers reopen with their figures)."""
import base64
import importlib.util
import json
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
tasks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tasks)

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIRECT = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]
          + PYPROJECT["project"]["optional-dependencies"]["test"]]


def _norm(name):
    return name.lower().replace("_", "-")


@pytest.mark.parametrize("req", DIRECT, ids=[r.name for r in DIRECT])
def test_every_direct_dependency_is_pinned_within_its_range(req):
    pins = tasks.lock_pins()
    assert _norm(req.name) in pins, f"{req.name} is not in requirements-lock.txt: run `python3 tasks.py lock`"
    assert req.specifier.contains(pins[_norm(req.name)], prereleases=True), \
        f"lock pins {req.name}=={pins[_norm(req.name)]}, outside pyproject's {req.specifier}"


def test_lock_pins_are_exact_and_cover_the_pythons_it_claims():
    lines = [l.split(";")[0].strip() for l in (ROOT / "requirements-lock.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert lines and all("==" in l for l in lines), [l for l in lines if "==" not in l]
    assert tasks.LOCK_PYTHON >= (3, 11)


def test_environment_yml_pins_what_the_lock_pins():
    pins = tasks.lock_pins()
    text = (ROOT / "environment.yml").read_text()
    listed = {}
    for line in text.splitlines():
        if line.strip().startswith("- ") and "==" in line:
            name, version = line.strip()[2:].split("==")
            listed[_norm(name)] = version
    assert {_norm(r.name) for r in DIRECT} <= set(listed), "environment.yml misses a direct dependency"
    assert {k: pins[k] for k in listed} == listed
    assert f"python>={'.'.join(map(str, tasks.LOCK_PYTHON))}" in text


def test_license_is_an_spdx_string():
    """A TOML table here made setuptools warn four times at every install."""
    assert PYPROJECT["project"]["license"] == "MIT"
    assert any(r.startswith("setuptools>=77") for r in PYPROJECT["build-system"]["requires"])


def test_jupyterlab_saves_widget_state():
    """Browser finding: a notebook saved in JupyterLab (autosave, every 120 s) and reopened with a new
    kernel showed "Error displaying widget: model not found" for every explorer, because the saved
    outputs referred to widget models that were not saved. With ``saveState`` the models are saved
    with the notebook and the explorers reopen with their last figure."""
    assert tasks.LAB_SETTINGS["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True
    overrides = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    if not overrides.exists():
        pytest.skip("not running inside the venv made by `python3 tasks.py setup`")
    assert json.loads(overrides.read_text())["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True


def test_saved_widget_state_carries_the_explorers_figure():
    """What ``saveState`` writes into the notebook restores the figure: the image model's state holds
    the PNG of the last drawn figure, and every model an explorer displays is in the saved state."""
    import ipywidgets as W
    from ipywidgets.embed import dependency_state
    from widgets.discover import explorer_classes

    name, cls = next((n, c) for n, c in explorer_classes() if c.kind == "analytic")
    e = cls()
    state = dependency_state(e.widget, drop_defaults=False)
    assert e.image.model_id in state and e.widget.model_id in state
    buffers = {tuple(b["path"]): b for b in state[e.image.model_id]["buffers"]}
    assert buffers[("value",)]["encoding"] == "base64"             # how JupyterLab stores binary state
    png = base64.b64decode(buffers[("value",)]["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == e.image.value
    assert all(w.model_id in state for w in e.control_widgets.values())
    assert isinstance(e.widget, W.VBox)
