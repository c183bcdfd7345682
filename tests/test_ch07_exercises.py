"""Chapter 07 exercise checkers: right answers at the asked precision pass, the usual slips are named,
odd input gets feedback."""
import numpy as np

from dlcore.exercises import ch07


def test_bn_forward():
    right = ch07.bn_forward_answer()                                   # [-1.447, -0.798, 0.5, 3.744]
    assert np.allclose(right, [-1.4467, -0.7978, 0.5, 3.7444], atol=1e-4)
    assert ch07.check_bn_forward(right) and ch07.check_bn_forward([-1.447, -0.798, 0.5, 3.744])
    assert "unbiased" in ch07.check_bn_forward([-1.186, -0.624, 0.5, 3.310]).message
    assert "x̂" in ch07.check_bn_forward([-0.973, -0.649, 0.0, 1.622]).message
    assert "variance σ²" in ch07.check_bn_forward(2 * (np.array([1, 2, 4, 9]) - 4) / 9.5 + 0.5).message
    assert "swapped" in ch07.check_bn_forward(0.5 * np.array([-0.9733, -0.6489, 0, 1.6222]) + 2).message
    assert "three decimal" in ch07.check_bn_forward([-1.45, -0.80, 0.5, 3.74]).message
    assert not ch07.check_bn_forward([-1.45, -0.80, 0.5, 3.74])
    assert "None" in ch07.check_bn_forward(None).message
    assert not ch07.check_bn_forward([1, 2, 3])


def test_bn_backward():
    assert ch07.check_bn_backward(ch07._reference_backward)

    def float32(dy, x, g, e):
        return ch07._reference_backward(dy, x, g, e).astype(np.float32)
    assert ch07.check_bn_backward(float32)                          # float32 rounding (1e-7) is within 1e-6
    only = ch07.check_bn_backward(lambda dy, x, g, e: g * dy / np.sqrt(x.var(0) + e))
    assert not only and "γ dy / σ" in only.message
    no_var = ch07.check_bn_backward(lambda dy, x, g, e: g / np.sqrt(x.var(0) + e) * (dy - dy.mean(0)))
    assert "variance" in no_var.message
    assert "unbiased" in ch07.check_bn_backward(ch07._unbiased_backward).message
    assert "γ is missing" in ch07.check_bn_backward(lambda dy, x, g, e: ch07._reference_backward(dy, x, 1.0, e)).message
    assert "raised" in ch07.check_bn_backward(lambda dy, x, g, e: 1 / 0).message
    assert "shape" in ch07.check_bn_backward(lambda dy, x, g, e: dy[0]).message


def test_bn_backward_names_the_variance_axis_and_sign_slips():
    def closed(dy, x, g, e, ddof=0, axis=0):
        N = x.shape[axis]
        s = np.sqrt(x.var(axis, ddof=ddof, keepdims=True) + e)
        xh = (x - x.mean(axis, keepdims=True)) / s
        return g / (N * s) * (N * dy - dy.sum(axis, keepdims=True) - xh * (dy * xh).sum(axis, keepdims=True))

    def sign(dy, x, g, e):
        N, s = x.shape[0], np.sqrt(x.var(0) + e)
        xh = (x - x.mean(0)) / s
        return g / (N * s) * (N * dy - dy.sum(0) + xh * (dy * xh).sum(0))
    assert "unbiased" in ch07.check_bn_backward(lambda dy, x, g, e: closed(dy, x, g, e, ddof=1)).message
    assert "axis 1" in ch07.check_bn_backward(lambda dy, x, g, e: closed(dy, x, g, e, axis=1)).message
    assert "sign" in ch07.check_bn_backward(sign).message
    assert "up to ε" in ch07.check_bn_backward(closed).message


def test_norm_for_batch2():
    runs = {n: ch07._runs(n) for n in ("batch", "layer", "group")}
    assert ch07.check_norm_for_batch2("layer", runs["layer"]) and ch07.check_norm_for_batch2("GN", runs["group"])
    bad = ch07.check_norm_for_batch2("batch", runs["batch"])
    assert not bad and "±1" in bad.message
    assert "running averages are" in bad.message and "own statistics" in bad.message
    good = ch07.check_norm_for_batch2("layer", runs["layer"]).message
    assert "True" not in good and "every one of your seeds" in good
    assert "problem is BN" in ch07.check_norm_for_batch2("none", ch07._runs("none")).message
    assert "not the accuracies" in ch07.check_norm_for_batch2("layer", runs["batch"]).message
    assert "fraction" in ch07.check_norm_for_batch2("layer", 100 * np.asarray(runs["layer"])).message
    assert "choose from" in ch07.check_norm_for_batch2("instance", runs["layer"]).message
    assert not ch07.check_norm_for_batch2("layer", None)
