"""Exercise checkers for chapter 06 (batch size, measured).

Each ``check_*`` answers any input with a :class:`~dlcore.exercises.feedback.Feedback` (``@checker``),
converts numbers with ``as_number`` (NaN and inf are never correct) and names the usual slip, e.g.
"that is tr Σ / B: the finite-population correction (N − B)/(N − 1) is missing".
"""
from __future__ import annotations

import numpy as np

from ..experiments.batch_training import steps_per_epoch
from .feedback import Feedback, Reject, as_number, checker, describe, precision_tolerance

__all__ = ["EX_NOISE_1", "EX_N", "EX_B", "EX_EPOCH_N", "EX_EPOCH_B", "EX_BATCHES", "EX_STEP_TIMES", "EX_STEPS",
           "EX_BUDGET", "EX_PAIR", "check_noise_at_b", "check_steps_per_epoch", "check_time_budget",
           "check_b_simple"]

#: E6.1: E|g_1 - G|^2 (= tr Σ), the training-set size and the batch size (without replacement); chosen
#: so that the right answer (1.895) and the usual slips ((N − B)/N: 1.800, B − 1: 2.368, none: 2.400)
#: differ at 3 significant figures
EX_NOISE_1, EX_N, EX_B = 12.0, 20, 5
#: E6.2: examples and batch size
EX_EPOCH_N, EX_EPOCH_B = 1079, 64
#: E6.3: batch sizes, seconds per step and steps to the target measured at each; a time budget (s)
EX_BATCHES = (1, 4, 16, 64, 256, 1024)
EX_STEP_TIMES = (6.0e-5, 6.5e-5, 8.0e-5, 1.6e-4, 5.0e-4, 1.9e-3)
EX_STEPS = (2400, 640, 190, 70, 45, 40)
EX_BUDGET = 0.02
#: E6.4: (B_small, mean |g_small|^2, B_big, mean |g_big|^2), made from |G|^2 = 0.5 and tr Σ = 20
EX_PAIR = (8, 3.0, 256, 0.578125)


def _none(value, what):
    return Feedback(False, f"Replace None with {what}.") if value is None else None


def _close(got, value, sig=3):
    return abs(got - value) <= precision_tolerance(value, sig=sig)


def _noise_answer():
    return (EX_N - EX_B) / (EX_N - 1) * EX_NOISE_1 / EX_B


@checker(answers=lambda: [dict(value=_noise_answer()), dict(value=1.89)])
def check_noise_at_b(value) -> Feedback:
    """E|g_B - G|^2 at ``EX_B`` without replacement, from ``EX_NOISE_1`` at B = 1 and ``EX_N`` examples."""
    if (fb := _none(value, "your prediction (a number)")) is not None:
        return fb
    v = as_number(value, "your prediction")
    exp, tr, n, b = _noise_answer(), EX_NOISE_1, EX_N, EX_B
    if _close(v, exp):
        return Feedback(True, f"(N − B)/(N − 1) · tr Σ / B = {(n - b) / (n - 1):.4f} × {tr / b:g} = {exp:.4g}: "
                              f"{100 * (1 - (n - b) / (n - 1)):.0f} % less than with replacement.")
    slips = {"that is tr Σ / B, the value *with* replacement: without replacement multiply by (N − B)/(N − 1)":
             tr / b,
             "you used (N − B)/N; the correction is (N − B)/(N − 1) (at B = 1 it must give 1)": (n - b) / n * tr / b,
             "you divided by B²: the noise of a mean of B draws is tr Σ / B, not tr Σ / B²": (n - b) / (n - 1) * tr / b ** 2,
             "you divided by √B: that is how the *standard deviation* (a length) falls; the squared norm falls as 1/B":
                 (n - b) / (n - 1) * tr / np.sqrt(b),
             "you multiplied by B: the noise falls with the batch size, it does not grow": tr * b,
             "you divided by B − 1: the mean of B draws has noise tr Σ / B (it is the *sample* variance that "
             "divides by B − 1)": (n - b) / (n - 1) * tr / (b - 1),
             "you used (N − B − 1)/(N − 1): the correction is 1 − (B − 1)/(N − 1) = (N − B)/(N − 1)":
                 (n - b - 1) / (n - 1) * tr / b}
    for msg, val in slips.items():
        if _close(v, val):
            return Feedback(False, msg + ".")
    if _close(v, exp, sig=2):
        return Feedback(False, f"{v:g} is the answer rounded to two significant figures; give three, as asked "
                               "(close, but not yet precise enough to check the correction factor).")
    return Feedback(False, f"{v:.4g} is {'too large' if v > exp else 'too small'}. At B = 1 both schemes give "
                           "tr Σ itself; start from tr Σ / B and correct for drawing without replacement.")


@checker(answers=lambda: [dict(steps=17, steps_drop=16, skipped=55), dict(steps=17.0, steps_drop=[16], skipped=55)])
def check_steps_per_epoch(steps, steps_drop, skipped) -> Feedback:
    """Steps in one epoch of ``EX_EPOCH_N`` examples at batch ``EX_EPOCH_B``: keeping the last partial
    batch, with ``drop_last``, and the examples ``drop_last`` leaves out per epoch."""
    for val, what in ((steps, "steps (an integer)"), (steps_drop, "steps with drop_last (an integer)"),
                      (skipped, "the examples skipped (an integer)")):
        if (fb := _none(val, what)) is not None:
            return fb
    n, b = EX_EPOCH_N, EX_EPOCH_B
    got = {}
    for key, val in (("steps", steps), ("steps_drop", steps_drop), ("skipped", skipped)):
        v = as_number(val, key)
        if v != round(v):
            hint = f" (N/B = {n / b:.3f}: round up to keep the last batch, down to drop it)" if key != "skipped" else ""
            return Feedback(False, f"{key} = {v:g} is not a whole number{hint}.")
        got[key] = int(round(v))
    want = {"steps": steps_per_epoch(n, b), "steps_drop": steps_per_epoch(n, b, True), "skipped": n % b}
    if got == want:
        return Feedback(True, f"ceil({n}/{b}) = {want['steps']} steps (the last one has {n % b} examples); "
                              f"drop_last: floor({n}/{b}) = {want['steps_drop']}, and {n % b} examples wait for "
                              "the next epoch's shuffle.")
    if got["steps"] == want["steps_drop"] and got["steps_drop"] == want["steps"]:
        return Feedback(False, "the two step counts are swapped: keeping the last batch gives one step *more*.")
    if got["steps"] != want["steps"]:
        return Feedback(False, f"steps = {got['steps']}: with the last, smaller batch kept an epoch has "
                               f"ceil(N/B) steps.")
    if got["steps_drop"] != want["steps_drop"]:
        return Feedback(False, f"steps with drop_last = {got['steps_drop']}: dropping the partial batch leaves "
                               "floor(N/B) steps.")
    if got["skipped"] == b - n % b:
        return Feedback(False, f"{got['skipped']} is what the last batch is *short* of B; the examples it holds "
                               "are the ones drop_last skips: N mod B.")
    return Feedback(False, f"skipped = {got['skipped']}: drop_last leaves out the examples of the last, partial "
                           "batch.")


def _times():
    return np.array(EX_STEP_TIMES) * np.array(EX_STEPS)


@checker(answers=lambda: [dict(fastest_b=64, time=float(_times().min()), smallest_b=16),
                          dict(fastest_b=64.0, time=0.011, smallest_b=16)])
def check_time_budget(fastest_b, time, smallest_b) -> Feedback:
    """From ``EX_STEP_TIMES`` and ``EX_STEPS`` at ``EX_BATCHES``: the batch size with the shortest time to
    the target, that time in seconds (2 significant figures), and the smallest batch size within ``EX_BUDGET``."""
    for val, what in ((fastest_b, "the fastest batch size"), (time, "its time in seconds"),
                      (smallest_b, "the smallest batch size within the budget")):
        if (fb := _none(val, what)) is not None:
            return fb
    t = _times()
    bs = list(EX_BATCHES)
    fb_, tt, sb = as_number(fastest_b, "fastest_b"), as_number(time, "time"), as_number(smallest_b, "smallest_b")
    for v, name in ((fb_, "fastest_b"), (sb, "smallest_b")):
        if v not in bs:
            return Feedback(False, f"{name} = {v:g} is not one of the measured batch sizes {bs}.")
    best = bs[int(np.argmin(t))]
    within = [b for b, x in zip(bs, t) if x <= EX_BUDGET]
    if fb_ != best:
        if fb_ == bs[int(np.argmin(EX_STEPS))]:
            return Feedback(False, f"B = {fb_:g} takes the fewest steps, but each costs the most: compare "
                                   "seconds per step × steps.")
        if fb_ == bs[int(np.argmin(EX_STEP_TIMES))]:
            return Feedback(False, f"B = {fb_:g} has the cheapest step but needs the most steps: compare "
                                   "seconds per step × steps.")
        return Feedback(False, f"B = {fb_:g} takes {t[bs.index(int(fb_))]:.2g} s; another batch size is faster.")
    if not _close(tt, t.min(), sig=2):
        if _close(tt, EX_STEP_TIMES[bs.index(best)], sig=2):
            return Feedback(False, "that is the time of one step; multiply by the steps to the target.")
        return Feedback(False, f"the time at B = {best} is {EX_STEP_TIMES[bs.index(best)]:g} s × "
                               f"{EX_STEPS[bs.index(best)]} steps; yours, {tt:.3g} s, is off.")
    if sb != within[0]:
        return Feedback(False, f"B = {sb:g} {'does not reach' if sb not in within else 'reaches'} the target "
                               f"within {EX_BUDGET} s ({t[bs.index(int(sb))]:.2g} s), but it is not the smallest "
                               "that does." if sb in within else
                               f"B = {sb:g} needs {t[bs.index(int(sb))]:.2g} s, over the budget of {EX_BUDGET} s.")
    return Feedback(True, "times to the target: " + ", ".join(f"B={b}: {x:.2g} s" for b, x in zip(bs, t))
                    + f". Fastest at B = {best}; the smallest within {EX_BUDGET} s is B = {within[0]}.")


def _b_simple():
    bs_, s, bb, b = EX_PAIR
    tr = (s - b) / (1 / bs_ - 1 / bb)
    g2 = (bb * b - bs_ * s) / (bb - bs_)
    return tr / g2, tr, g2


@checker(answers=lambda: [dict(value=_b_simple()[0]), dict(value=40)])
def check_b_simple(value) -> Feedback:
    """B_simple = tr Σ / |G|^2 from the two mean squared batch-gradient norms of ``EX_PAIR``."""
    if (fb := _none(value, "your estimate of B_simple (a number)")) is not None:
        return fb
    v = as_number(value, "your B_simple")
    exp, tr, g2 = _b_simple()
    bs_, s, bb, b = EX_PAIR
    if _close(v, exp, sig=2):
        return Feedback(True, f"tr Σ = {tr:.4g} and |G|² = {g2:.4g} (solve |g_B|² = |G|² + tr Σ / B at both sizes), "
                              f"B_simple = {exp:.3g}.")
    slips = {f"that is tr Σ / |g_big|²: |g_{bb}|² still holds tr Σ / {bb}; solve for |G|² first": tr / b,
             "that is tr Σ alone; divide by |G|²": tr,
             "that is the ratio of the two measured norms; they are not tr Σ and |G|²": s / b}
    for msg, val in slips.items():
        if _close(v, val, sig=2):
            return Feedback(False, msg + ".")
    return Feedback(False, f"{v:.3g} is {'too large' if v > exp else 'too small'}. Write E|g_B|² = |G|² + tr Σ / B "
                           "for both batch sizes and solve the two equations.")
