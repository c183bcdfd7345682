"""Headless tests of widgets.base: controls, updates, errors, progress, state, blitting.

The small explorers below exist only for these tests (and for exercising
scripts/bench.py via ``--module tests.test_widget_base``).
"""
import matplotlib

matplotlib.use("Agg")

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import widgets.base as base
from widgets.base import Checkbox, Dropdown, Explorer, FloatSlider, IntSlider, LogSlider

X = np.linspace(-np.pi, np.pi, 200)


class SineExplorer(Explorer):
    """y = a * wave(f x), left panel; its derivative, right panel."""

    controls = {
        "a": FloatSlider(0.0, 3.0, 0.1, 1.0, "amplitude"),
        "f": IntSlider(1, 5, 1, 1, "frequency"),
        "wave": Dropdown([("sine", "sin"), ("cosine", "cos")], "sin"),
        "lr": LogSlider(-4, 0, 1e-2),
        "grid": Checkbox(False),
    }

    def build(self, fig):
        self.ax, self.ax2 = fig.subplots(1, 2)
        (self.line,) = self.ax.plot(X, np.zeros_like(X))
        (self.dline,) = self.ax2.plot(X, np.zeros_like(X), color="C1")
        self.animate(self.line, self.dline)
        self.ax.set_ylim(-3.2, 3.2)
        self.ax2.set_ylim(-16, 16)

    def compute(self, a, f, wave, lr, grid):
        fn, dfn = (np.sin, np.cos) if wave == "sin" else (np.cos, lambda z: -np.sin(z))
        return {"y": a * fn(f * X), "dy": a * f * dfn(f * X)}

    def draw(self, data):
        self.line.set_ydata(data["y"])
        self.dline.set_ydata(data["dy"])


class FailingExplorer(SineExplorer):
    """Raises in compute while ``fail`` is checked."""

    controls = {**SineExplorer.controls, "fail": Checkbox(False)}
    bench_settings = [{"a": 1.0, "fail": False}, {"a": 2.0, "fail": True}]

    def compute(self, fail, **settings):
        if fail:
            raise RuntimeError("injected <failure> & co")
        return super().compute(**settings)


class SlowExplorer(SineExplorer):
    """A 'training' explorer: reports progress while the (fake) clock advances."""

    slow = True
    kind = "training"
    controls = {"a": FloatSlider(0.0, 3.0, 0.1, 1.0)}
    seconds_per_step = 0.0  # tests set this and patch the clock
    seen = []

    def compute(self, a):
        for i in range(4):
            _FakeClock.now += self.seconds_per_step
            self.progress((i + 1) / 4, "training")
            SlowExplorer.seen.append((self.progress_bar.layout.visibility, self.progress_bar.value))
        return super().compute(a=a, f=1, wave="sin", lr=0.1, grid=False)


class CappedExplorer(SineExplorer):
    """A cosine's amplitude is capped at 2 (a ``constrain`` rule, as FunctionExplorer's Leaky ReLU slope)."""

    def constrain(self, a, wave, **_):
        return {"a": (2.0, "a cosine's amplitude is at most 2")} if wave == "cos" and a > 2 else {}


class _FakeClock:
    now = 0.0

    def __call__(self):
        return _FakeClock.now


@pytest.fixture
def sine():
    return SineExplorer()


def pixels(png):
    from io import BytesIO

    from PIL import Image
    return np.asarray(Image.open(BytesIO(png)).convert("RGB"), dtype=int)


def test_defaults_and_first_update(sine):
    assert sine.settings == {"a": 1.0, "f": 1, "wave": "sin", "lr": 1e-2, "grid": False}
    assert sine.n_updates == 1 and sine.last_error is None
    assert np.max(sine.line.get_ydata()) == pytest.approx(1.0, abs=1e-3)
    assert sine.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(pixels(sine.image.value), pixels(sine.render_png()))   # (the first one: compact)
    assert "updated in" in sine.status.value


def test_constructor_overrides_are_validated():
    e = SineExplorer(a=2.5, wave="cos")
    assert e.settings["a"] == 2.5 and e.control_widgets["wave"].value == "cos"
    assert np.max(e.line.get_ydata()) == pytest.approx(2.5, abs=1e-3)
    with pytest.raises(ValueError, match="'a'"):
        SineExplorer(a=9)


def test_set_updates_data_widget_and_image_once(sine):
    png, n = sine.image.value, sine.n_updates
    assert sine.set(a=2) is sine
    assert np.max(sine.line.get_ydata()) == pytest.approx(2.0, abs=1e-3)
    assert sine.control_widgets["a"].value == 2.0
    assert sine.n_updates == n + 1
    assert sine.image.value != png
    sine.set(f=3, wave="cos")  # several controls at once: still one update
    assert sine.n_updates == n + 2
    assert np.max(sine.dline.get_ydata()) == pytest.approx(2 * 3, rel=1e-3)


def test_driving_the_widget_like_the_ui_updates_exactly_once(sine):
    n = sine.n_updates
    sine.control_widgets["a"].value = 0.5  # no asyncio loop running -> synchronous
    assert sine.n_updates == n + 1
    assert sine.settings["a"] == 0.5
    assert np.max(sine.line.get_ydata()) == pytest.approx(0.5, abs=1e-3)
    sine.control_widgets["wave"].value = "cos"
    assert sine.n_updates == n + 2 and sine.line.get_ydata()[100] == pytest.approx(0.5, abs=1e-3)


def test_debounce_coalesces_changes_inside_a_running_loop(sine):
    import asyncio

    async def drag():
        n = sine.n_updates
        for a in (0.5, 1.5, 2.5):
            sine.control_widgets["a"].value = a
        assert sine.n_updates == n  # nothing yet: debounced
        await asyncio.sleep(sine.debounce_ms / 1000 + 0.1)
        return sine.n_updates - n

    assert asyncio.run(drag()) == 1
    assert np.max(sine.line.get_ydata()) == pytest.approx(2.5, abs=1e-3)


def test_validation_errors_raise_and_name_the_problem(sine):
    with pytest.raises(ValueError, match=r"unknown control.*'amp'.*valid names.*'a'"):
        sine.set(amp=1)
    with pytest.raises(ValueError, match=r"'a'.*5.*\[0, 3\]"):
        sine.set(a=5)
    with pytest.raises(ValueError, match=r"'f'.*2\.5.*integer"):
        sine.set(f=2.5)
    with pytest.raises(ValueError, match=r"'wave'.*tan.*'sin', 'cos'"):
        sine.set(wave="tan")
    with pytest.raises(ValueError, match=r"'lr'.*0\.0001, 1"):
        sine.set(lr=10.0)
    with pytest.raises(ValueError, match=r"'grid'.*True or False"):
        sine.set(grid=1)
    with pytest.raises(ValueError, match="'a'"):
        sine.set(a=float("nan"))
    assert sine.n_updates == 1 and sine.settings["a"] == 1.0  # nothing applied


def test_constrained_settings_are_applied_everywhere_and_shown():
    e = CappedExplorer(wave="cos", a=3.0)                     # the constructor too
    assert e.settings["a"] == 2.0 and e.notes == ["a 3 → 2: a cosine's amplitude is at most 2"]
    e.set(a=2.5)
    assert e.settings["a"] == 2.0 and e.control_widgets["a"].value == 2.0
    assert np.max(e.line.get_ydata()) == pytest.approx(2.0, abs=1e-3)   # drawn as the state says
    assert json.loads(e.to_json())["settings"]["a"] == 2.0
    assert "a 2.5 → 2: a cosine" in e.status_line.note.value and e.status_line.note.layout.display == ""
    e.set(f=2)                                                  # nothing changed by this request: no note
    assert e.notes == [] and e.status_line.note.layout.display == "none"
    e.set(wave="sin", a=3.0)
    e.control_widgets["wave"].value = "cos"                     # from the UI: a moves back, the note says so
    assert e.settings["a"] == 2.0 and e.control_widgets["a"].value == 2.0 and e.notes
    e.set(wave="sin", a=3.0)
    assert e.notes == [] and CappedExplorer().from_json(e.to_json()).settings == e.settings


def test_error_types_and_messages():
    from dlcore.errors import InvalidArgument, InvalidType
    from widgets.base import SettingError, SettingTypeError
    e = SineExplorer()
    err = pytest.raises(SettingTypeError, e.set, a="1").value
    assert isinstance(err, InvalidType) and isinstance(err, ValueError)
    assert str(err) == "control 'a' (amplitude): got '1', expected a number in [0, 3]"
    err = pytest.raises(SettingError, e.set, a=-0.5).value
    assert isinstance(err, InvalidArgument) and str(err) == "control 'a' (amplitude): got -0.5, expected a number in [0, 3]"
    assert str(pytest.raises(SettingTypeError, e.set, f=2.5).value) == \
        "control 'f' (frequency): got 2.5, expected an integer in [1, 5]"
    assert "did you mean 'wave'" in str(pytest.raises(SettingError, e.set, wav="sin").value)
    assert "'sine' is the menu label of 'sin'" in str(pytest.raises(SettingError, e.set, wave="sine").value)
    with pytest.raises(SettingTypeError, match=r"got array\(\[1, 2\]\) \(ndarray\)"):
        e.set(wave=np.array([1, 2]))                          # no "truth value of an array is ambiguous"


def test_coercion():
    c = SineExplorer.controls
    assert c["f"].validate(np.int64(3)) == 3 and type(c["f"].validate(3.0)) is int
    assert type(c["a"].validate(np.float32(1.5))) is float
    assert c["grid"].validate(np.bool_(True)) is True
    assert c["a"].name == "a" and c["a"].validate(3.0 + 1e-12) == 3.0


def test_errors_are_captured_shown_and_cleared():
    e = FailingExplorer()
    png, n = e.image.value, e.n_updates
    e.set(fail=True, a=2)  # does not raise
    assert e.n_updates == n + 1
    assert e.last_error == "RuntimeError: injected <failure> & co"
    assert "injected &lt;failure&gt; &amp; co" in e.error_box.value
    assert "RuntimeError" in e.error_box.value and "compute" in e.error_box.value  # traceback tail
    assert e.image.value == png and "failed" in e.status.value
    e.set(fail=False)
    assert e.last_error is None and e.error_box.value == ""
    assert np.max(e.line.get_ydata()) == pytest.approx(2.0, abs=1e-3)
    assert e.image.value != png


def test_raise_errors_opt_in():
    e = FailingExplorer()
    e.raise_errors = True
    with pytest.raises(RuntimeError, match="injected"):
        e.set(fail=True)
    assert e.last_error.startswith("RuntimeError")


def test_json_round_trip(sine):
    sine.set(a=2.2, f=4, wave="cos", lr=1e-3, grid=True)
    s = sine.to_json()
    assert json.loads(s) == {"explorer": "SineExplorer", "settings": sine.settings}
    other = SineExplorer()
    n = other.n_updates
    assert other.from_json(s).settings == sine.settings
    assert other.n_updates == n + 1
    np.testing.assert_allclose(other.line.get_ydata(), sine.line.get_ydata())
    with pytest.raises(ValueError, match="FailingExplorer"):
        other.from_json(FailingExplorer().to_json())
    with pytest.raises(ValueError, match="unknown control"):
        other.from_json('{"explorer": "SineExplorer", "settings": {"b": 1}}')


def test_progress_bar_shows_after_half_a_second(monkeypatch):
    assert Explorer.progress_after_s == 0.5
    monkeypatch.setattr(base, "_clock", _FakeClock())
    monkeypatch.setattr(SlowExplorer, "seconds_per_step", 0.1)  # 0.4 s in all: never shown
    monkeypatch.setattr(SlowExplorer, "seen", [])
    e = SlowExplorer()
    assert all(vis == "hidden" for vis, _ in SlowExplorer.seen)
    assert e.control_widgets["a"].continuous_update is False
    monkeypatch.setattr(SlowExplorer, "seconds_per_step", 0.3)  # shown from 0.6 s on
    monkeypatch.setattr(SlowExplorer, "seen", [])
    e.set(a=2)
    assert SlowExplorer.seen == [("hidden", 0.0), ("visible", 0.5), ("visible", 0.75), ("visible", 1.0)]
    assert e.progress_bar.layout.visibility == "hidden"  # hidden again at the end
    assert e.last_update_seconds == pytest.approx(1.2)
    assert e.status.value == "updated in 1.2 s"
    e.set(a=1)                                          # the next update starts from an empty bar
    assert SlowExplorer.seen[4] == ("hidden", 0.0)


def test_progress_never_goes_back_and_moves_in_steps_of_one_percent(monkeypatch):
    monkeypatch.setattr(SlowExplorer, "progress_after_s", 0.0)
    e = SlowExplorer()
    e._t0 = base._clock() - 1.0                         # as inside an update
    e.status_line.start()
    shown = []
    e.progress_bar.observe(lambda ch: shown.append(ch["new"]), names="value")
    for f in (0.2, 0.1, 0.205, 0.25, 2.0, 0.5):
        e.progress(f, "training")
    assert shown == [0.2, 0.25, 1.0] and e.status.value == "training 100%"
    e._t0 = None
    e.progress(0.3)                                     # outside an update: ignored
    assert shown == [0.2, 0.25, 1.0]


class FitExplorer(Explorer):
    """A 'training' explorer whose compute runs ``runs`` real fits and reports nothing itself."""

    slow, kind = True, "training"
    controls = {"runs": IntSlider(1, 3, 1, 2), "steps": IntSlider(10, 400, 10, 200)}

    def build(self, fig):
        self.ax = fig.subplots()
        (self.line,) = self.ax.plot([0], [0])

    def expected_runs(self, runs, **_):
        return runs

    def compute(self, runs, steps):
        import dlcore
        from dlcore.data import moons
        ds = moons(n=64, rng=0, dtype=np.float64)
        return [dlcore.fit(dlcore.mlp([2, 4, 2], rng=r), ds.X_train, ds.y_train, steps=steps, rng=r).loss[-1]
                for r in range(runs)]

    def draw(self, losses):
        self.line.set_data(np.arange(len(losses)), losses)


def test_every_fit_inside_a_training_update_moves_the_bar(monkeypatch):
    monkeypatch.setattr(FitExplorer, "progress_after_s", 0.0)
    e = FitExplorer()
    shown = []
    e.progress_bar.observe(lambda ch: shown.append(ch["new"]), names="value")
    e.set(runs=2, steps=200)
    values = [v for v in shown if v > 0]
    assert len(values) >= 50 and all(b > a for a, b in zip(values, values[1:]))
    first_run = [v for v in values if v <= 0.5]                 # run 0 fills the first half of the bar
    assert len(first_run) >= 20 and max(values) >= 0.95
    assert e.progress_bar.layout.visibility == "hidden" and e.progress_bar.value == max(values)
    shown.clear()
    e.set(runs=3, steps=400)
    assert max(shown) >= 0.95 and min(v for v in shown if v > 0) < 0.05   # thirds of the bar this time


def test_reporting_numbers_the_fits_inside_the_block_only():
    import dlcore
    from dlcore.data import moons
    from dlcore.train import reporting
    ds = moons(n=64, rng=0, dtype=np.float64)
    seen = []
    with reporting(lambda run, f: seen.append((run, f))):
        for r in range(2):
            dlcore.fit(dlcore.mlp([2, 4, 2], rng=r), ds.X_train, ds.y_train, steps=100, rng=r)
    assert seen[0] == (0, 0.0) and (0, 1.0) in seen and (1, 0.0) in seen and seen[-1] == (1, 1.0)
    assert [f for run, f in seen if run == 0] == sorted(f for run, f in seen if run == 0)
    assert 20 <= len(seen) <= 110                           # about 50 reports per fit
    n = len(seen)
    dlcore.fit(dlcore.mlp([2, 4, 2], rng=0), ds.X_train, ds.y_train, steps=100, rng=0)
    assert len(seen) == n                                   # outside the block: nothing reported


def test_slow_explorer_updates_synchronously_even_inside_a_loop(monkeypatch):
    import asyncio

    monkeypatch.setattr(base, "_clock", _FakeClock())
    e = SlowExplorer()

    async def release():
        n = e.n_updates
        e.control_widgets["a"].value = 2.5
        return e.n_updates - n

    assert asyncio.run(release()) == 1


def test_blitting_matches_a_full_redraw_and_follows_limit_changes(sine):
    sine.set(a=2.5, f=2)
    blitted, full = pixels(sine.render_png()), pixels(sine.render_png(full=True))
    assert blitted.shape == (512, 1280, 3)  # 8 x 3.2 in at 80 dpi, twice the pixel density
    # identical up to stacking order where the curve crosses spines/ticks
    assert np.mean(np.any(blitted != full, axis=-1)) < 0.002
    r = sine.renderer
    key = r.bg_key
    sine.ax.set_ylim(-1, 1)  # a limit change must redraw the background
    after = pixels(sine.render_png())
    assert r.bg_key != key
    assert np.mean(np.any(after != pixels(sine.render_png(full=True)), axis=-1)) < 0.002
    assert np.mean(np.any(after != blitted, axis=-1)) > 0.01  # new tick labels were drawn
    # back to the earlier limits: the background drawn for them is reused (no redraw), and is right
    sine.ax.set_ylim(-3.2, 3.2)
    draws = []
    sine.fig.canvas.mpl_connect("draw_event", lambda ev: draws.append(ev))
    again = pixels(sine.render_png())
    assert draws == [] and r.bg_key == key
    assert np.array_equal(again, blitted)
    assert len(r.backgrounds) <= sine.backgrounds_kept


def test_a_limit_change_in_one_axes_redraws_only_that_axes(sine):
    draws, partial = [], []
    sine.fig.canvas.mpl_connect("draw_event", lambda ev: draws.append(ev))
    real = sine.renderer._redraw_changed_axes
    sine.renderer._redraw_changed_axes = lambda key: partial.append(real(key)) or partial[-1]
    sine.ax2.set_ylim(-30, 30)                           # the derivative panel only
    png = sine.render_png()
    assert partial == [True] and draws == []             # no full redraw
    assert np.array_equal(pixels(png), pixels(sine.render_png(full=True)))   # and the same picture
    sine.ax.set_ylim(-5, 5)
    sine.ax2.set_ylim(-20, 20)                           # every axes changed: one full redraw is as cheap
    sine.render_png()
    assert partial[-1] is False and len(draws) == 2
    sine.invalidate()                                    # a new generation: full redraw
    sine.ax2.set_ylim(-16, 16)
    sine.render_png()
    assert partial[-1] is False and len(draws) == 3


def test_fit_limits_with_stops_depends_only_on_the_data():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    stops = [-20, -5, -2, 2, 5, 20]
    assert Explorer.fit_limits(ax, -1, 1.5, margin=0.0, stops=stops)
    assert ax.get_ylim() == (-2, 2)
    assert not Explorer.fit_limits(ax, -0.1, 0.1, margin=0.0, stops=stops)   # no zooming in past a stop
    assert Explorer.fit_limits(ax, -1, 4, margin=0.0, stops=stops) and ax.get_ylim() == (-2, 5)
    assert Explorer.fit_limits(ax, -1, 30, margin=0.0, stops=stops)          # beyond the last stop: the data
    assert ax.get_ylim() == (-2, 30)
    ax.set_yscale("log")
    assert Explorer.fit_limits(ax, 1e-7, 0.2, margin=0.05, stops=[1e-10, 1e-5, 1e-3, 1, 10])
    assert ax.get_ylim() == pytest.approx((1e-10, 1))


def test_fit_limits_changes_limits_only_when_needed():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ax.set_ylim(-1, 1)
    assert not Explorer.fit_limits(ax, -0.9, 0.5)  # inside, and fills more than 1/4
    assert Explorer.fit_limits(ax, -2, 2)  # data left the range: +-10 % margins, rounded out to a step of 1
    assert ax.get_ylim() == pytest.approx((-3, 3))
    assert not Explorer.fit_limits(ax, -1, 1)
    assert Explorer.fit_limits(ax, -0.1, 0.1)  # fills less than 1/4: zoom in (-0.12..0.12, step 0.05)
    assert ax.get_ylim() == pytest.approx((-0.15, 0.15))
    assert not Explorer.fit_limits(ax, float("nan"), 1.0) and ax.get_ylim() == pytest.approx((-0.15, 0.15))
    assert Explorer.fit_limits(ax, 0.3, 7.1)    # -0.38 .. 7.78: a step of 2
    assert ax.get_ylim() == pytest.approx((-2, 8))
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1)
    assert Explorer.fit_limits(ax, 1e-5, 1e-1)  # margins in decades on a log axis, whole decades
    assert np.log10(ax.get_ylim()) == pytest.approx((-6, 0))
    ax.set_xlim(0, 10)
    assert not Explorer.fit_limits(ax, 1, 9, axis="x")


def test_fit_limits_home_and_min_span():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ax.set_ylim(-2.5, 6)
    home = (-2.5, 6)
    assert not Explorer.fit_limits(ax, 0, 1, home=home)       # inside home: stays, however small the data
    assert Explorer.fit_limits(ax, -3, 6, home=home)          # leaves home: widened
    assert ax.get_ylim()[0] < -3 and ax.get_ylim()[1] > 6
    assert Explorer.fit_limits(ax, -1, 1, home=home)          # back inside: home again
    assert ax.get_ylim() == pytest.approx(home)
    ax.set_yscale("log")
    ax.set_ylim(1e-8, 10)
    assert Explorer.fit_limits(ax, 1.0, 1.0 + 1e-12, min_span=1.0)   # constant data: one decade, centred
    assert np.log10(ax.get_ylim()) == pytest.approx((-0.6, 0.6))           # (< 2 decades: 0.2-decade steps)


def test_data_range():
    nan, inf = float("nan"), float("inf")
    assert Explorer.data_range([3.0, nan, -inf], [1.0, 2.0]) == (1.0, 3.0)
    assert Explorer.data_range([3.0, 0.0, -1.0], positive=True) == (3.0, 3.0)
    assert Explorer.data_range([3.0, 4.0], include=0) == (0.0, 4.0)
    assert all(np.isnan(Explorer.data_range([nan, 0.0], positive=True)))


def test_reentrant_widget_change_during_update_runs_once_more(sine):
    calls = []
    original = sine.compute

    def compute(**s):
        calls.append(s["a"])
        if len(calls) == 1:
            sine.control_widgets["a"].value = 0.7  # a UI event arriving mid-update
        return original(**s)

    sine.compute = compute
    n = sine.n_updates
    sine.set(a=2.0)
    assert calls == [2.0, 0.7]
    assert sine.n_updates == n + 2 and sine.settings["a"] == 0.7
    assert np.max(sine.line.get_ydata()) == pytest.approx(0.7, abs=1e-3)


def test_widget_tree_and_display(sine):
    kinds = [type(w).__name__ for w in sine.widget.children]
    assert kinds == ["Box", "Image", "HTML", "HBox", "HTML"]      # controls, figure, info, status + bar, errors
    assert sine.widget.children[2] is sine.info_line and sine.info_line.layout.display == "none"
    assert [type(w).__name__ for w in sine.widget.children[0].children] == [
        "FloatSlider", "IntSlider", "Dropdown", "FloatLogSlider", "Checkbox"]
    assert "application/vnd.jupyter.widget-view+json" in sine._repr_mimebundle_()[0]


def test_abstract_explorer_cannot_be_built():
    with pytest.raises(TypeError):
        Explorer()


def test_bench_script_reports_test_explorers(tmp_path, capsys):
    path = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "bench.json"
    rc = bench.main(["--module", "tests.test_widget_base", "--only", "tests.test_widget_base", "--no-notebooks",
                     "--no-steps", "--repeat", "2", "--json", str(out)])
    assert rc == 0
    report = json.loads(out.read_text())
    items = {r["name"]: r for r in report["items"]}
    assert {"tests.test_widget_base.SineExplorer", "tests.test_widget_base.FailingExplorer",
            "tests.test_widget_base.SlowExplorer"} <= set(items)
    sine = items["tests.test_widget_base.SineExplorer"]
    assert sine["budget_ms"] == 16.0 and sine["median_ms"] > 0 and sine["p90_ms"] >= sine["median_ms"]
    assert sine["budgets_ms"] == {"median": 16.0, "p90": 33.0}
    # every time is also given in calibration units: the same ratio of ms and units for median and p90
    assert sine["unit_ms"] > 0 and sine["units_from"] == "cpu"
    assert sine["median_units"] == pytest.approx(sine["cpu_median_ms"] / sine["unit_ms"], rel=0.02)
    assert sine["p90_units"] >= sine["median_units"]
    assert sine["status"] == ("OVER" if sine["over"] else "PASS")
    assert items["tests.test_widget_base.SlowExplorer"]["budget_ms"] == 1000.0
    assert report["calibration"]["runs"] >= 2 and report["calibration"]["median_ms"] > 0
    assert items["tests.test_widget_base.FailingExplorer"]["status"] == "ERROR"
    assert report["machine"]["nproc"] >= 1 and "numpy" in report["versions"]
    assert "within budget" in capsys.readouterr().out


def test_mimebundle_falls_back_to_the_figure_and_a_hint():
    import base64
    e = SineExplorer()
    bundle, metadata = e._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == e.image.value
    # the fallback PNG is drawn at 2x: shown at the live explorer's size, not twice as large (review of item 15)
    assert metadata["image/png"]["width"] == round(e.figsize[0] * e.dpi)
    png = e.image.value
    assert int.from_bytes(png[16:20], "big") == 2 * metadata["image/png"]["width"]
    assert "run the notebook" in bundle["text/plain"] and "SineExplorer" in bundle["text/plain"]
    assert e.image.layout.width == f"{e.figsize[0] * e.dpi:.0f}px"


def test_inactive_controls_are_greyed_out():
    class Gated(SineExplorer):
        def inactive(self, **s):
            return {"f"} if s["a"] == 0 else set()
    e = Gated()
    assert not e.control_widgets["f"].disabled
    e.set(a=0.0)
    assert e.control_widgets["f"].disabled
    e.set(a=1.0)
    assert not e.control_widgets["f"].disabled


# ------------------------------------------------------------------ the split, rendering, info line, panels
def test_public_names_stay_importable_from_widgets_base_and_modules_stay_small():
    import widgets.controls
    import widgets.limits
    import widgets.plots
    import widgets.render
    import widgets.status
    from widgets.base import (Control, Renderer, StatusLine, data_range, encode_png,  # noqa: F401
                              fit_limits)
    assert Renderer is widgets.render.Renderer and encode_png is widgets.render.encode_png
    assert fit_limits is widgets.limits.fit_limits and Explorer.fit_limits is fit_limits
    assert Explorer.data_range is data_range and StatusLine is widgets.status.StatusLine
    assert Control is widgets.controls.Control and widgets.plots.fit_limits is fit_limits
    for m in ("base", "render", "limits", "status", "plots", "controls", "ch04_plots", "ch04_crossentropy"):
        n = len((Path(base.__file__).parent / f"{m}.py").read_text().splitlines())
        assert n <= 305, f"widgets/{m}.py has {n} lines (a module of about 300 lines at most)"


def test_encode_png_is_lossless_and_compact_is_smaller(sine):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    noise[..., 3] = 255
    assert np.array_equal(pixels(base.encode_png(noise)), noise[..., :3])
    assert np.array_equal(pixels(base.encode_png(noise, compact=True)), noise[..., :3])
    rgba = np.asarray(sine.renderer.render()).copy()
    fast, compact = base.encode_png(rgba), base.encode_png(rgba, compact=True)
    assert np.array_equal(pixels(fast), rgba[..., :3]) and np.array_equal(pixels(compact), rgba[..., :3])
    assert len(compact) < 0.9 * len(fast)


def test_fast_png_uses_zlib_ng_and_the_stdlib_fallback_is_lossless_too(sine, monkeypatch):
    import zlib

    import widgets.render as render
    from zlib_ng import zlib_ng
    assert render._deflate is zlib_ng.compress and render.FAST_LEVEL == 2   # the dependency is used
    rgba = np.asarray(sine.renderer.render()).copy()
    ng = render.encode_png(rgba)
    monkeypatch.setattr(render, "_deflate", zlib.compress)                   # without zlib-ng
    monkeypatch.setattr(render, "FAST_LEVEL", 1)
    std = render.encode_png(rgba)
    assert np.array_equal(pixels(ng), rgba[..., :3]) and np.array_equal(pixels(std), rgba[..., :3])
    assert len(ng) < 1.5 * len(std)


def test_figures_are_rendered_at_twice_the_pixel_density_and_shown_at_the_same_size(sine):
    assert sine.fig.dpi == 160 and sine.pixel_ratio == 2
    assert pixels(sine.image.value).shape == (512, 1280, 3)
    assert sine.image.layout.width == "640px"                # 8 in at 80 CSS px per inch, as before

    class Plain(SineExplorer):
        pixel_ratio = 1.0
    assert pixels(Plain().image.value).shape == (256, 640, 3)


def test_set_info_writes_the_line_under_the_figure(sine):
    assert sine.info_line.layout.display == "none" and sine.info_line.value == ""
    sine.set_info("<b>a</b> = 2")
    assert sine.info_line.value == "<b>a</b> = 2" and sine.info_line.layout.display != "none"
    assert sine.widget.children.index(sine.info_line) == sine.widget.children.index(sine.image) + 1
    sine.set_info("")
    assert sine.info_line.layout.display == "none"


def _wave_panel():
    from widgets.plots import Panel, data_range, fit_limits

    class Wave(Panel):
        figsize = (4, 3)

        def __init__(self, ax, color="C0"):
            super().__init__(ax)
            self.line = self.changes(ax.plot([], [], color=color)[0])
            self.peak = self.changes(ax.text(0, 0, ""))
            ax.set(xlim=(-np.pi, np.pi), ylim=(-1.1, 1.1))

        def update(self, r):
            self.line.set_data(X, r["y"])
            self.peak.set_text(f"peak {np.max(r['y']):.2f}")
            fit_limits(self.ax, *data_range(r["y"]), home=(-1.1, 1.1))
            return self
    return Wave


def test_a_panel_draws_the_same_in_a_notebook_figure_and_in_an_explorer():
    import matplotlib.pyplot as plt

    from tests.test_explorers_all import drawn, same_drawing
    Wave = _wave_panel()

    class WaveExplorer(SineExplorer):
        def build(self, fig):
            self.panel = self.add_panel(Wave(fig.subplots(), color="C1"))

        def draw(self, data):
            self.panel.update(data)

    e = WaveExplorer(a=2.5)
    assert e.panel.line.get_animated() and e.panel.peak.get_animated()     # blitted
    assert e.panel.line in e.renderer.dynamic
    ax = Wave.plot(e.data, color="C1")                                     # plot_x(result): new axes
    assert ax.figure.get_size_inches().tolist() == [4, 3]
    assert same_drawing(drawn(ax.figure), drawn(e.fig)) and ax.get_ylim() == e.panel.ax.get_ylim() != (-1.1, 1.1)
    e.set(a=0.5)
    assert not same_drawing(drawn(ax.figure), drawn(e.fig))
    _, given = plt.subplots()
    assert Wave.plot(e.data, given, color="C1") is given and same_drawing(drawn(given.figure), drawn(e.fig))
    plt.close("all")


def test_the_axes_helper():
    import matplotlib.pyplot as plt

    from widgets.plots import axes
    one = axes(None, figsize=(3, 2))
    assert type(one).__name__ == "Axes" and one.figure.get_size_inches().tolist() == [3, 2]
    assert axes(one) is one
    a, b = axes(None, 2)
    assert a.figure is b.figure and a is not b
    fig, grid = plt.subplots(2, 2)
    assert len(axes(grid, 2, 2)) == 4 and axes(list(grid[0]), 2)[1] is grid[0][1]
    a, b = axes(None, 2, figsize=(6, 2), layout=None, sharey=True)          # as ch03's plot_dead wants
    assert a.figure.get_layout_engine() is None and a.get_shared_y_axes().joined(a, b)
    plt.close("all")
