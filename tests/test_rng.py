"""dlcore.rng: the one randomness convention (int / SeedSequence / Generator in, spawned streams)."""
import numpy as np
import pytest

from dlcore.rng import as_generator, spawn


def test_as_generator_accepts_the_three_forms_and_refuses_the_rest():
    g = np.random.default_rng(3)
    assert as_generator(g) is g
    assert as_generator(5).integers(1 << 30) == np.random.default_rng(5).integers(1 << 30)
    ss = np.random.SeedSequence(7)
    assert as_generator(ss).integers(1 << 30) == np.random.default_rng(np.random.SeedSequence(7)).integers(1 << 30)
    with pytest.raises(TypeError, match="global RNG"):
        as_generator(None)
    with pytest.raises(TypeError, match="float"):
        as_generator(1.5)
    with pytest.raises(TypeError):
        as_generator(True)
    with pytest.raises(ValueError, match="non-negative"):
        as_generator(-1)


def test_spawned_streams_are_reproducible_and_independent():
    a, b = spawn(0, 2)
    a2, b2 = spawn(0, 2)
    x, y = a.standard_normal(10_000), b.standard_normal(10_000)
    np.testing.assert_array_equal(x, a2.standard_normal(10_000))
    np.testing.assert_array_equal(y, b2.standard_normal(10_000))
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.05                 # independent streams
    # not an offset: child 1 of seed 0 is not the stream of seed 1
    assert not np.array_equal(spawn(0, 2)[1].standard_normal(5), np.random.default_rng(1).standard_normal(5))
    # the same children from the SeedSequence
    np.testing.assert_array_equal(spawn(np.random.SeedSequence(0), 1)[0].standard_normal(3),
                                  spawn(0, 1)[0].standard_normal(3))


def test_spawning_from_a_generator_gives_new_children_each_time():
    g = np.random.default_rng(0)
    (c1,), (c2,) = spawn(g, 1), spawn(g, 1)
    assert not np.array_equal(c1.standard_normal(3), c2.standard_normal(3))
    with pytest.raises(ValueError):
        spawn(0, -1)
