"""Issue 19: SignalExplorer parses its RMS axis's labels when it is built (widgets.plots.warm_log_labels),
and the layer cache draws with the figure's parser, so a new RMS range parses nothing."""
import matplotlib

matplotlib.use("Agg")

import numpy as np

from widgets.ch02_gradients import SignalExplorer
from widgets.ch02_plots import RMS_STOPS
from widgets.plots import warm_log_labels


def test_new_rms_ranges_parse_no_label(monkeypatch):
    from matplotlib import _mathtext
    parsed = []
    parse = _mathtext.Parser.parse
    monkeypatch.setattr(_mathtext.Parser, "parse", lambda self, s, *a: parsed.append(s) or parse(self, s, *a))
    e = SignalExplorer()
    assert len(set(parsed)) >= 80                          # 10^-45 .. 10^40, parsed when built
    before, ranges = len(parsed), set()
    for s in [{"init": "small"}, {"init": "normal"}, {"init": "xavier"}, {"init": "scaled", "scale": 0.8},
              {"init": "scaled", "scale": 0.8, "depth": 50}, {"activation": "tanh"}]:
        e.set(**s)
        assert e.last_error is None
        ranges.add(e.panel.rms_ax.get_ylim())
    assert len(ranges) >= 4                               # the RMS axis met new ranges, and drew them ...
    assert parsed[before:] == []                          # ... with labels parsed when the explorer was built


def test_warm_labels_are_the_labels_drawn():
    """Every label a range of the RMS axis shows at a decade is among the warmed ones."""
    e = SignalExplorer()
    yaxis = e.panel.rms_ax.yaxis
    fmt = yaxis.get_major_formatter()
    lo, hi = round(np.log10(RMS_STOPS[0])), round(np.log10(RMS_STOPS[-1]))
    warmed = {fmt(10.0 ** k) for k in range(lo, hi + 1)}
    e.panel.rms_ax.set_ylim(1e-30, 10)
    shown = {t.get_text() for t in yaxis.get_ticklabels() if t.get_text()}
    e.render_png()
    shown |= {t.get_text() for t in yaxis.get_ticklabels() if t.get_text()}
    assert shown and shown <= warmed
    assert warm_log_labels(yaxis, []) == 0
