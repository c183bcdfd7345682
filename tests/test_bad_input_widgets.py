"""Bad input to the explorers and to ``widgets.notebook.setup`` gets a clear error, never a wrong picture
(issue 20, items 3 and 4).

Explicit cases first (the ones the issue found), then hypothesis property tests over every explorer
class of ``widgets/`` (discovered, so later chapters are covered without editing this file):

* bad values through ``set(...)`` (out of range, NaN/inf, huge ints, wrong types, unknown names) raise
  ``SettingError`` / ``SettingTypeError`` (``ValueError``s) naming the control and what is allowed,
  and change nothing;
* values inside the ranges are drawn: no error, nothing infinite on the figure, the widgets, the
  settings and ``to_json`` agree, every setting the explorer changed is named on the status line,
  and a later valid ``set`` still updates the figure;
* ``from_json`` on arbitrary text, JSON values, dicts and damaged states: a clear error that
  changes nothing, or a valid state applied exactly.

Examples per run (``N_*`` below; derandomized, so the same every run; ``pytest -s`` prints the counts).
Measured with the 25 explorers of chapters 01-06: bad values and names through ``set`` 378 (15 per
explorer), in-range settings 39 on analytic and 12 on training explorers (each followed by a return to
the defaults), damaged states through ``from_json`` 375 (324 refused, 51 valid and applied), arbitrary
input to ``from_json`` 40. The file took 30 s of CPU (84 s wall at load 7 on 2 cores); most of it
builds each explorer once and runs the training of the in-range examples.
"""
import collections
import json
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D

from dlcore.errors import InvalidArgument, InvalidType
from widgets.controls import Checkbox, Dropdown, FloatSlider, IntSlider, LogSlider, SettingError, SettingTypeError
from widgets.discover import explorer_classes

EXPLORERS = explorer_classes()
IDS = [n.split(".")[-1] for n, _ in EXPLORERS]
_BUILT: dict = {}
#: hypothesis examples per explorer (derandomized: the same ones every run)
N_BAD, N_ANALYTIC, N_TRAINING, N_JSON, N_TEXT = 15, 3, 1, 15, 40
RUN = collections.Counter()   # examples run, by kind (printed at the end with ``pytest -s``)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nhypothesis examples run:", dict(sorted(RUN.items())))


def built(cls):
    """One explorer per class for the whole file (hypothesis reuses it), with what it drew at its defaults."""
    if cls not in _BUILT:
        e = _BUILT[cls] = cls()
        e.drawn_at_defaults = drawing(e.fig)
    return _BUILT[cls]


def drawing(fig) -> list:
    """The data the figure draws (lines, points, images, texts), comparable with :func:`same`."""
    out = []
    for ax in fig.axes:
        out += [np.asarray(a.get_xydata(), dtype=float) for a in ax.lines]
        out += [np.asarray(a.get_offsets(), dtype=float) for a in ax.collections if isinstance(a, PathCollection)]
        out += [np.ma.filled(np.ma.asarray(a.get_array(), dtype=float), np.nan) for a in ax.images]
        out += [t.get_text() for t in ax.texts]
    return out


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x == y if isinstance(x, str) or isinstance(y, str) else
                                    (np.shape(x) == np.shape(y) and np.array_equal(x, y, equal_nan=True))
                                    for x, y in zip(a, b))


def fast(n):
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ------------------------------------------------------------------ explicit cases
def test_gradcheck_h_zero_is_refused_not_clamped():
    from widgets.ch01_backprop import GradCheckExplorer
    e = built(GradCheckExplorer)
    before, n = e.settings, e.n_updates
    with pytest.raises(SettingError) as info:
        e.set(h=0)
    assert str(info.value) == "control 'h' (step h): got 0, expected a number in [1e-12, 0.1]"
    assert isinstance(info.value, InvalidArgument) and isinstance(info.value, ValueError)
    assert e.settings == before and e.n_updates == n
    e.set(h=1e-12 * (1 - 1e-12))        # the end of the slider up to rounding: taken as the end
    assert e.settings["h"] == 1e-12


def test_leaky_relu_slope_is_moved_below_one_and_said_so():
    from widgets.ch03_activations import FunctionExplorer
    e = built(FunctionExplorer)
    e.set(fn="leaky_relu", param=3.0)
    assert e.settings["param"] == 0.99 and e.control_widgets["param"].value == 0.99
    assert json.loads(e.to_json())["settings"]["param"] == 0.99
    assert e.data["slope_left"] == pytest.approx(0.99, abs=1e-6)          # what is drawn
    assert e.notes == ["param 3 → 0.99: Leaky ReLU needs a slope below 1 (slope 1 is the identity)"]
    assert "param 3 → 0.99" in e.status_line.note.value and e.status_line.note.layout.display == ""
    e.set(fn="softplus", param=0.0)
    assert e.settings["param"] == 0.05 and e.notes == ["param 0 → 0.05: softplus needs beta > 0 (it divides by beta)"]
    e.set(fn="elu", param=1.0)                                              # nothing changed: the note goes
    assert e.notes == [] and e.status_line.note.layout.display == "none"
    e.control_widgets["fn"].value = "leaky_relu"                            # from the UI: the same
    assert e.settings["param"] == 0.99 and e.control_widgets["param"].value == 0.99 and e.notes


def test_unknown_names_and_wrong_types_name_the_setting_and_what_is_allowed():
    from widgets.ch01_backprop import GradCheckExplorer
    e = built(GradCheckExplorer)
    with pytest.raises(SettingError, match=r"GradCheckExplorer: unknown control 'hh' \(did you mean 'h'\?\); "
                                           r"valid names: 'bug' \(one of .*'h' \(a number in \[1e-12, 0\.1\]\)"):
        e.set(hh=1e-6)
    with pytest.raises(SettingTypeError, match=r"^control 'h' \(step h\): got '1e-6', expected a number"):
        e.set(h="1e-6")
    with pytest.raises(SettingTypeError, match=r"control 'dtype' \(precision\): got 32, expected one of "
                                               r"\['float64', 'float32'\]"):
        e.set(dtype=32)
    with pytest.raises(SettingTypeError, match=r"set takes the settings as keywords"):
        e.set({"h": 1e-6})
    err = pytest.raises(SettingTypeError, e.set, h=True).value
    assert isinstance(err, InvalidType) and isinstance(err, TypeError) and isinstance(err, ValueError)
    with pytest.raises(SettingError, match=r"got nan, expected a number in \[1e-12, 0\.1\]"):
        e.set(h=float("nan"))
    with pytest.raises(SettingError, match=r"control 'h'"):
        e.set(h=10 ** 400)                                                  # no OverflowError
    from widgets.ch02_gradients import SignalExplorer
    with pytest.raises(SettingError, match=r"'He' is the menu label of 'he'"):
        built(SignalExplorer).set(init="He")


def test_from_json_checks_the_whole_state():
    from widgets.ch01_backprop import GradCheckExplorer
    e = built(GradCheckExplorer)
    good = e.to_json()
    n = e.n_updates

    def with_setting(k, v):
        state = json.loads(good)
        state["settings"][k] = v
        return json.dumps(state)

    cases = {
        '{"explorer": "GradCheckExplorer"}': r"missing key\(s\) \['settings'\]",
        'not json': r"not valid JSON \(JSONDecodeError",
        "[1, 2]": r"the JSON is \[1, 2\] \(list\), expected an object",
        '{"explorer": "FunctionExplorer", "settings": {"fn": "elu", "param": 1.0}}':
            r"the state is for explorer 'FunctionExplorer', not 'GradCheckExplorer'",
        '{"explorer": "GradCheckExplorer", "settings": {"h": 1e-6}}': r"'settings' has no value for \['bug', 'dtype'\]",
        good[:-1] + ', "extra": 1}': r"unknown key\(s\) \['extra'\]",
        with_setting("h", math.nan): r"control 'h' \(step h\): got nan",
        with_setting("step", 1): r"unknown control 'step'",
        '{"explorer": "GradCheckExplorer", "settings": 3}': r"'settings' is 3, expected an object",
        "[" * 100000: r"not valid JSON \(RecursionError",
    }
    for text, message in cases.items():
        with pytest.raises(SettingError, match=message):
            e.from_json(text)
    with pytest.raises(SettingTypeError, match=r"got 3, expected the text of to_json\(\)"):
        e.from_json(3)
    assert e.n_updates == n
    assert e.from_json(json.loads(good)).settings == json.loads(good)["settings"]   # the parsed dict is fine too


def test_setup_validates_and_says_what_it_changes():
    import matplotlib as mpl

    from widgets import notebook
    before = np.get_printoptions()
    try:
        with mpl.rc_context():
            rc = dict(mpl.rcParams)
            for bad, cls in ((-1, InvalidArgument), (18, InvalidArgument), (2.5, InvalidType), ("3", InvalidType),
                             (True, InvalidType), (None, InvalidType)):
                with pytest.raises(cls, match=r"setup\(precision=.*\): precision must be an integer from 0 to 17"):
                    notebook.setup(precision=bad)
            assert np.get_printoptions() == before                        # nothing changed by a bad call
            notebook.setup(precision=4)
            assert str(np.array([1e-9, 2e-9])) == "[1.e-09 2.e-09]"      # small numbers stay visible
            assert np.get_printoptions()["precision"] == 4 and not np.get_printoptions()["suppress"]
            changed = {k for k, v in mpl.rcParams.items() if not _same(rc.get(k), v)}
            assert changed <= set(notebook.RC_PARAMS), changed - set(notebook.RC_PARAMS)
            text = notebook.summary(4)
            for k, v in notebook.RC_PARAMS.items():                   # listed in the summary and the docstring
                assert f"{k}={v}" in text and f"``{k}``" in notebook.setup.__doc__, k
            assert "precision=4, suppress=False" in text and "1 thread" in text
    finally:
        np.set_printoptions(**before)
    preface = open("book/00_preface.py", encoding="utf-8").read()
    assert "setup(show=True)" in preface


def _same(a, b):
    try:
        return bool(np.all(a == b))
    except Exception:
        return a is b


# ------------------------------------------------------------------ strategies
def _range(c):
    if isinstance(c, LogSlider):
        return c.base ** c.min_exp, c.base ** c.max_exp
    return c.min, c.max


WRONG_TYPES = st.one_of(
    st.text(max_size=8), st.none(), st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=10),
    st.lists(st.integers(0, 3), max_size=3), st.builds(np.array, st.lists(st.floats(0, 1), min_size=1, max_size=3)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(object()), st.binary(max_size=4))


def bad_values(c):
    """Values the control ``c`` must refuse."""
    if isinstance(c, (FloatSlider, LogSlider, IntSlider)):
        lo, hi = _range(c)
        span = hi - lo
        out = st.one_of(st.floats(max_value=lo - 1e-6 * max(span, abs(lo)) - (lo * 1e-3 if lo > 0 else 0),
                                  allow_nan=False, allow_infinity=False),
                        st.floats(min_value=hi + 1e-6 * max(span, abs(hi)), allow_nan=False, allow_infinity=False),
                        st.sampled_from([math.nan, math.inf, -math.inf, 10 ** 400, -(10 ** 400)]),
                        st.booleans(), WRONG_TYPES)
        if isinstance(c, IntSlider):
            out = st.one_of(out, st.integers(c.min, c.max - 1).map(lambda i: i + 0.5))
        return out
    if isinstance(c, Dropdown):
        return st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans(), WRONG_TYPES
                         ).filter(lambda v: not any(type(v) is type(o) and v == o for o in c.values()))
    if isinstance(c, Checkbox):
        return st.one_of(st.integers(), st.floats(), st.sampled_from(["True", "false", "yes"]), WRONG_TYPES)
    return WRONG_TYPES


def good_values(c, cheap: bool):
    """Values the control ``c`` accepts; ``cheap``: integer controls (depth, epochs, seeds: what a
    training run costs) from the lower third of their range."""
    if isinstance(c, FloatSlider):
        return st.one_of(st.floats(c.min, c.max), st.sampled_from([c.min, c.max]), st.floats(c.min, c.max).map(np.float32)
                         ).filter(lambda v: c.min <= float(v) <= c.max)
    if isinstance(c, LogSlider):
        return st.floats(c.min_exp, c.max_exp).map(lambda e: c.base ** e)
    if isinstance(c, IntSlider):
        hi = c.min + max((c.max - c.min) // 3, 1) if cheap else c.max
        return st.integers(c.min, min(hi, c.max)).flatmap(lambda i: st.sampled_from([i, float(i), np.int64(i)]))
    if isinstance(c, Dropdown):
        return st.sampled_from(c.values())
    if isinstance(c, Checkbox):
        return st.sampled_from([False, True, np.bool_(True)])
    return st.sampled_from(c.samples())


def finite_drawing(fig) -> tuple[int, list[str]]:
    """How many finite points the figure draws, and what it draws that is infinite (NaN is a gap)."""
    n, bad = 0, []
    for i, ax in enumerate(fig.axes):
        arrays = [(a, a.get_xydata()) for a in ax.lines if isinstance(a, Line2D)]
        arrays += [(a, a.get_offsets()) for a in ax.collections if isinstance(a, PathCollection)]
        arrays += [(a, a.get_array()) for a in ax.images]
        for a, xy in arrays:
            v = np.ma.filled(np.ma.asarray(xy, dtype=float), np.nan)
            n += int(np.isfinite(v).sum())
            if np.isinf(v).any():
                bad.append(f"axes {i}: {type(a).__name__} {a.get_label()!r} draws inf")
    return n, bad


# ------------------------------------------------------------------ properties
@pytest.mark.parametrize("name, cls", EXPLORERS, ids=IDS)
def test_bad_values_raise_a_clear_error_and_change_nothing(name, cls):
    e = built(cls)
    names = list(cls.controls)

    @fast(N_BAD)
    @given(data=st.data())
    def check(data):
        key = data.draw(st.sampled_from(names + ["__unknown__"]))
        before, n = e.settings, e.n_updates
        RUN["set: bad value or name"] += 1
        if key == "__unknown__":
            bad_name = data.draw(st.text(min_size=1, max_size=10).filter(lambda s: s not in cls.controls))
            with pytest.raises(SettingError, match=r"unknown control .*valid names"):
                e.set(**{bad_name: 1})
        else:
            value = data.draw(bad_values(cls.controls[key]))
            with pytest.raises((SettingError, SettingTypeError)) as info:
                e.set(**{key: value})
            msg = str(info.value)
            assert msg.startswith(f"control {key!r}") and "expected" in msg, msg
            assert cls.controls[key].allowed() in msg, msg
        assert e.settings == before and e.n_updates == n, "a refused value changed the explorer"

    check()


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=IDS)
def test_values_in_range_are_drawn_and_changes_are_shown(name, cls):
    e = built(cls)
    training = cls.kind == "training"
    strategy = st.fixed_dictionaries({k: good_values(c, cheap=training) for k, c in cls.controls.items()})
    defaults = {k: c.value for k, c in cls.controls.items()}

    @fast(N_TRAINING if training else N_ANALYTIC)
    @given(asked=strategy)
    def check(asked):
        n = e.n_updates
        RUN[f"set: in range ({cls.kind})"] += 1
        e.set(**asked)
        RUN["set: in range, changed and shown"] += bool(e.notes)
        assert e.n_updates == n + 1
        assert e.last_error is None, f"{name} failed at {asked}: {e.last_error}"
        points, inf = finite_drawing(e.fig)
        assert points > 0 and not inf, (asked, inf)
        valid = {k: cls.controls[k].validate(v) for k, v in asked.items()}
        for k, v in e.settings.items():                       # the state is what the widgets show ...
            assert e.control_widgets[k].value == v, (k, v, e.control_widgets[k].value)
            if v != valid[k] and not (isinstance(v, float) and math.isclose(v, valid[k], rel_tol=1e-9)):
                assert any(note.startswith(f"{k} ") for note in e.notes), (k, valid[k], v, e.notes)  # ... and said so
        assert json.loads(e.to_json())["settings"] == e.settings
        e.set(**defaults)                                     # and it keeps working: the defaults' figure again
        assert e.n_updates == n + 2 and e.last_error is None
        assert same(drawing(e.fig), e.drawn_at_defaults), f"{name}: back at the defaults, a different figure"

    check()


def _json_values():
    return st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                        max_leaves=6)


@pytest.mark.parametrize("name, cls", EXPLORERS, ids=IDS)
def test_from_json_gives_a_clear_error_or_a_valid_state(name, cls):
    e = built(cls)
    owner = cls.__name__

    def damaged(data):
        state = json.loads(e.to_json())
        how = data.draw(st.sampled_from(["value", "drop", "add", "explorer", "settings", "whole", "same"]))
        if how == "value":
            state["settings"][data.draw(st.sampled_from(list(cls.controls)))] = data.draw(_json_values())
        elif how == "drop":
            del state[data.draw(st.sampled_from(["explorer", "settings"]))]
        elif how == "add":
            state[data.draw(st.text(max_size=8))] = data.draw(_json_values())
        elif how == "explorer":
            state["explorer"] = data.draw(st.one_of(st.sampled_from(IDS), _json_values()))
        elif how == "settings":
            state["settings"] = data.draw(_json_values())
        elif how == "whole":
            state = data.draw(_json_values())
        as_text = data.draw(st.booleans())
        return json.dumps(state) if as_text else state

    @fast(N_JSON)
    @given(data=st.data())
    def check(data):
        s = damaged(data)
        before, n = e.settings, e.n_updates
        try:
            e.from_json(s)
        except (SettingError, SettingTypeError) as exc:
            RUN["from_json: damaged state, error"] += 1
            msg = str(exc)
            assert msg.startswith(f"{owner}.from_json") or msg.startswith("control '"), msg
            assert e.settings == before and e.n_updates == n
            return
        RUN["from_json: damaged state, valid"] += 1
        state = json.loads(s) if isinstance(s, str) else s
        assert e.n_updates == n + 1 and e.last_error is None
        wanted = {k: cls.controls[k].validate(v) for k, v in state["settings"].items()}
        assert all(e.settings[k] == v or any(note.startswith(f"{k} ") for note in e.notes)
                   for k, v in wanted.items())

    check()


@fast(N_TEXT)
@given(text=st.one_of(st.text(max_size=40), st.binary(max_size=20), _json_values().map(json.dumps),
                      st.integers(), st.none(), st.lists(st.integers(), max_size=3)))
def test_from_json_on_arbitrary_input_never_raises_anything_else(text):
    from widgets.ch03_activations import SoftmaxExplorer
    e = built(SoftmaxExplorer)
    n = e.n_updates
    RUN["from_json: arbitrary input, error"] += 1
    with pytest.raises((SettingError, SettingTypeError), match=r"^SoftmaxExplorer\.from_json: "):
        e.from_json(text)
    assert e.n_updates == n
