"""dlcore.cache: one memoisation policy for every experiment (normalised arguments, deeply immutable
results, continued runs, one switch to clear)."""
import copy
import json

import numpy as np
import pytest

from dlcore.cache import FrozenDict, Partial, cached, clear_caches, freeze, thaw


def _counter():
    calls = []

    @cached
    def experiment(sizes=(2, 3), lr=0.1, seed=0):
        calls.append((sizes, lr, seed))
        return {"sizes": [list(sizes)], "acc": np.array([0.5, 0.6]), "nested": {"loss": [1.0, 0.5]}, "lr": lr}
    return experiment, calls


def test_arguments_are_normalised():
    f, calls = _counter()
    a = f([2, 3], 0.1, 0)
    assert f((2, 3)) is a and f(sizes=(2, 3), lr=np.float64(0.1), seed=np.int64(0)) is a
    assert len(calls) == 1
    f((2, 3), lr=0.2)
    assert len(calls) == 2 and f.cache_info()["hits"] == 2


def test_results_are_deeply_immutable():
    """Issue 10: r["sizes"][0][1] = 999 and r["val_acc"] = -1 used to stick for the next caller."""
    f, _ = _counter()
    r = f()
    with pytest.raises(TypeError, match="cached"):
        r["acc"] = -1
    with pytest.raises(TypeError):
        r["sizes"][0][1] = 999
    with pytest.raises(ValueError):
        r["acc"][0] = 999
    with pytest.raises(TypeError):
        r["nested"]["loss"] += (3.0,)
    with pytest.raises(TypeError):
        r.update(acc=1)
    again = f()
    assert again["sizes"] == ((2, 3),) and again["acc"][0] == 0.5 and again["nested"]["loss"] == (1.0, 0.5)


def test_a_private_copy_is_mutable_and_independent():
    f, _ = _counter()
    r = f()
    for mine in (thaw(r), copy.deepcopy(r)):
        mine["acc"][0] = 7
        mine["sizes"][0][1] = 999
        assert f()["acc"][0] == 0.5 and f()["sizes"][0][1] == 3
    assert isinstance(r, dict) and json.loads(json.dumps({k: v for k, v in r.items() if k != "acc"}))


def test_views_are_copied_before_freezing():
    base = np.arange(4.0)
    frozen = freeze({"v": base[:2]})
    base[0] = 99
    assert frozen["v"][0] == 0


def test_generators_bypass_the_cache_but_results_are_still_frozen():
    calls = []

    @cached
    def draw(rng=0):
        calls.append(1)
        g = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        return {"x": g.standard_normal(3)}
    g = np.random.default_rng(0)
    a, b = draw(g), draw(g)
    assert len(calls) == 2 and not np.array_equal(a["x"], b["x"])
    assert isinstance(a, FrozenDict) and not a["x"].flags.writeable
    draw(1), draw(1)
    assert len(calls) == 3


def test_clear_caches_empties_every_cache():
    f, calls = _counter()
    f()
    clear_caches()
    f()
    assert len(calls) == 2


def _extendable():
    trained = []

    def cut(result, n):
        return {"loss": result["loss"][:n]}

    @cached(extend="epochs", cut=cut)
    def run(lr=0.1, epochs=5, resume=None):
        start = 0 if resume is None else resume.length
        done = [] if resume is None else list(resume.result["loss"])
        for e in range(start, epochs):
            trained.append(e)
            done.append(lr / (e + 1))
        return Partial({"loss": np.array(done)}, epochs, state=None, final=False)
    return run, trained


def test_a_longer_run_continues_the_longest_and_a_shorter_one_is_cut_from_it():
    run, trained = _extendable()
    r5 = run(epochs=5)
    assert trained == [0, 1, 2, 3, 4]
    r8 = run(epochs=8)
    assert trained[5:] == [5, 6, 7]                   # only the epochs added
    r3 = run(epochs=3)
    assert len(trained) == 8                          # cut, not trained
    np.testing.assert_array_equal(r3["loss"], r8["loss"][:3])
    np.testing.assert_array_equal(r5["loss"], r8["loss"][:5])
    assert np.allclose(r8["loss"], 0.1 / np.arange(1, 9))
    run(lr=0.2, epochs=2)
    assert len(trained) == 10                         # other settings: a run of its own


def test_an_extendable_function_with_an_uncacheable_argument_is_computed_and_not_kept():
    trained = []

    @cached(extend="epochs", cut=lambda result, n: {"loss": result["loss"][:n]})
    def run(rng=0, epochs=5, resume=None):
        trained.append(epochs)
        return Partial({"loss": np.arange(epochs, dtype=float)}, epochs, state=None, final=False)

    g = np.random.default_rng(0)                      # a Generator has no cache key
    np.testing.assert_array_equal(run(rng=g, epochs=3)["loss"], [0.0, 1.0, 2.0])
    run(rng=g, epochs=3)
    assert trained == [3, 3]                           # computed each time, nothing stored to extend


def test_extendable_functions_must_say_how():
    with pytest.raises(TypeError):
        cached(extend="epochs")(lambda epochs=1: None)
    with pytest.raises(TypeError):
        @cached(extend="epochs", cut=lambda r, n: r)
        def no_resume(epochs=1):
            return None
