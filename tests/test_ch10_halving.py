"""Chapter 10, successive halving: the bookkeeping by hand, bad inputs, and the claims of the section on
the digits net over every draw of the table."""
import numpy as np
import pytest

from dlcore.errors import InvalidArgument, InvalidType
from dlcore.halving import halving_cost, hyperband, hyperband_brackets, rung_plan, successive_halving
from dlcore.search import Uniform

SPACE = {"x": Uniform(0.0, 1.0)}


# ------------------------------------------------------------------ bookkeeping by hand
def test_rung_plan_by_hand():
    assert rung_plan(27, 1, 3) == [(27, 1), (9, 3), (3, 9), (1, 27)]
    assert rung_plan(10, 1, 3) == [(10, 1), (3, 3), (1, 9)]
    assert rung_plan(27, 1, 3, max_resource=9) == [(27, 1), (9, 3), (3, 9)]
    assert rung_plan(8, 0.5, 2) == [(8, 0.5), (4, 1.0), (2, 2.0), (1, 4.0)]
    assert rung_plan(2, 1, 3) == [(2, 1)]                        # floor(2/3) = 0: one rung
    assert rung_plan(1, 5, 3) == [(1, 5)]


def test_cost_is_the_formula():
    assert halving_cost(27, 1, 3) == 27 * 1 + 9 * 3 + 3 * 9 + 1 * 27 == 108
    assert halving_cost(27, 1, 3, resume=True) == 27 + 9 * 2 + 3 * 6 + 1 * 18 == 81
    assert halving_cost(10, 1, 3) == 10 + 9 + 9
    assert halving_cost(216, 1 / 27, 3, max_resource=1.0) == pytest.approx(32.0)   # the chapter's budget 32


def test_promotions_and_calls_by_hand():
    calls = []

    def objective(p, r, seed):
        calls.append((round(p["x"], 12), r, seed))
        return p["x"] if r < 3 else 1.0 - p["x"]          # large x looks good early, small x late

    res = successive_halving(objective, SPACE, n=27, min_resource=1, eta=3, rng=7)
    x = res["u"][:, 0]
    assert [len(g["ids"]) for g in res["rungs"]] == [27, 9, 3, 1]
    assert [g["resource"] for g in res["rungs"]] == [1, 3, 9, 27]
    top9 = np.argsort(-x)[:9]                              # rung 0 keeps the 9 largest x
    assert set(res["rungs"][0]["promoted"]) == set(top9)
    small3 = top9[np.argsort(x[top9])[:3]]                 # from r = 3 on the smallest x wins
    assert set(res["rungs"][1]["promoted"]) == set(small3)
    best = small3[np.argmin(x[small3])]
    assert res["best_id"] == best and res["rungs"][2]["promoted"].tolist() == [best]
    assert res["best_score"] == pytest.approx(1 - x[best])
    # one call per configuration per rung, the resource of the rung, the configuration's own seed each time
    assert len(calls) == 27 + 9 + 3 + 1
    assert sum(r for _, r, _ in calls) == res["cost"] == 108
    seeds = {}
    for xv, _, sd in calls:
        assert seeds.setdefault(xv, sd) == sd


def test_ties_keep_the_drawing_order_and_nan_is_last():
    res = successive_halving(lambda p, r, s: 0.5, SPACE, n=9, min_resource=1, eta=3, rng=0)
    assert res["rungs"][0]["promoted"].tolist() == [0, 1, 2] and res["best_id"] == 0
    res = successive_halving(lambda p, r, s: np.nan if p["x"] > 0.3 else p["x"], SPACE, n=9, min_resource=1, rng=1)
    x = res["u"][:, 0]
    assert all(x[i] <= 0.3 for i in res["rungs"][0]["promoted"]) or (x <= 0.3).sum() < 3


def test_same_rng_same_run():
    f = lambda p, r, s: p["x"] * r            # noqa: E731
    a, b = (successive_halving(f, SPACE, 12, 1, rng=3) for _ in range(2))
    assert np.array_equal(a["u"], b["u"]) and a["best_id"] == b["best_id"] and a["seeds"] == b["seeds"]


def test_hyperband_brackets_of_the_paper():
    # Li et al. (2018), table 1: R = 81, eta = 3
    br = hyperband_brackets(81, 1, 3)
    assert [(b["s"], b["n"], b["min_resource"]) for b in br] == [(4, 81, 1), (3, 34, 3), (2, 15, 9), (1, 8, 27), (0, 5, 81)]
    hb = hyperband(lambda p, r, s: p["x"], SPACE, 81, 1, 3, rng=0)
    assert hb["cost"] == pytest.approx(sum(halving_cost(b["n"], b["min_resource"], 3, 81) for b in br))
    assert hb["best_score"] == max(r["best_score"] for r in hb["brackets"])


@pytest.mark.parametrize("kw, err", [
    ({"eta": 1}, InvalidArgument), ({"eta": 2.5}, InvalidType), ({"n": 0}, InvalidArgument),
    ({"n": True}, InvalidType), ({"n": 3.0}, InvalidType), ({"min_resource": 0}, InvalidArgument),
    ({"min_resource": float("nan")}, InvalidArgument), ({"min_resource": "1"}, InvalidType),
    ({"max_resource": 0.5}, InvalidArgument), ({"objective": 3}, InvalidType), ({"space": {}}, InvalidType),
    ({"space": {"x": (0, 1)}}, InvalidType)])
def test_bad_inputs(kw, err):
    args = {"objective": lambda p, r, s: 0.0, "space": SPACE, "n": 9, "min_resource": 1}
    args.update(kw)
    with pytest.raises(err):
        successive_halving(**args)


def test_bad_hyperband():
    with pytest.raises(InvalidArgument):
        hyperband_brackets(1, 3)
    with pytest.raises(InvalidArgument):
        hyperband_brackets(9, 1, eta=1)
