"""The step comparison of scripts/step_compare.py times the same computation in each implementation."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

PATH = Path(__file__).resolve().parents[1] / "scripts" / "step_compare.py"
spec = importlib.util.spec_from_file_location("step_compare", PATH)
sc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sc)


@pytest.mark.parametrize("sizes,batch", [((64, 30, 30, 10), 32), ((20, 15, 5), 7)])
def test_hand_loop_and_dlcore_take_the_same_steps(sizes, batch):
    hand, dl = sc.hand_step_fn(sizes, batch, "float64"), sc.dlcore_step_fn(sizes, batch, "float64")
    start = [w.copy() for w in hand.W]
    for _ in range(5):
        hand()
        dl()
    moved = max(np.abs(w - w0).max() for w, w0 in zip(hand.W, start))
    assert moved > 1e-4                                    # the weights did move ...
    for a, b in zip(hand.W + hand.b, dl.W + dl.b):         # ... and identically in both (float64 round-off)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_rounds_report_ratios_to_the_hand_loop():
    fns = {"hand": lambda: sum(range(200)), "double": lambda: (sum(range(200)), sum(range(200)))}
    r = sc.rounds(fns, repeat=5, k=20)
    assert r["hand"]["ratio_to_hand"] == 1.0
    assert 1.2 < r["double"]["ratio_to_hand"] < 4.0
    assert r["double"]["ratio_q10"] <= r["double"]["ratio_to_hand"] <= r["double"]["ratio_q90"]


def test_hand_training_loop_and_fit_record_the_same_losses():
    hand = sc.hand_training_fn((20, 15, 5), 8, "float64", steps=25)()
    hist = sc.fit_fn((20, 15, 5), 8, "float64", steps=25)()
    assert len(hand) == len(hist.loss) == 25
    # same data, weights and batch order: the same training, step by step (float64 round-off)
    np.testing.assert_allclose(hand, hist.loss, rtol=1e-10)
    assert hand[-1] < hand[0]
