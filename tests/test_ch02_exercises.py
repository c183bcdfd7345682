"""Chapter 02 exercise checkers: right answers pass, typical wrong ones get a specific message."""
import numpy as np

from dlcore.exercises import ch02


def test_decay_factor():
    assert ch02.check_decay_factor(np.sqrt(0.5))
    assert "replace None" in ch02.check_decay_factor(None).message
    assert "second moment" in ch02.check_decay_factor(0.5).message
    assert "He's variance" in ch02.check_decay_factor(1.0).message
    assert "too small" in ch02.check_decay_factor(0.2).message


def _good(grads, max_norm):
    n = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g * min(1.0, max_norm / n) for g in grads]


def test_clip_by_norm():
    assert ch02.check_clip_by_norm(_good)
    assert "replace None" in ch02.check_clip_by_norm(None).message
    per_array = lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs]
    assert "each array by its own norm" in ch02.check_clip_by_norm(per_array).message
    always = lambda gs, c: [g * c / np.sqrt(sum(np.sum(h * h) for h in gs)) for g in gs]
    assert "unchanged" in ch02.check_clip_by_norm(always).message
    by_value = lambda gs, c: [np.clip(g, -c, c) for g in gs]
    assert "by value" in ch02.check_clip_by_norm(by_value).message

    def inplace(gs, c):
        for g in gs:
            g *= 0.5
        return gs
    assert "modified" in ch02.check_clip_by_norm(inplace).message
    assert "raised ZeroDivisionError" in ch02.check_clip_by_norm(lambda gs, c: 1 / 0).message


def test_tanh_scale():
    assert ch02.check_tanh_scale(1.1)
    assert "signal dies" in ch02.check_tanh_scale(0.8).message
    assert "saturate" in ch02.check_tanh_scale(2.0).message
    assert "replace None" in ch02.check_tanh_scale(None).message
    assert "gradient explodes" in ch02.check_tanh_scale(1.5).message
