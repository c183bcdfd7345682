r"""Data augmentation for small images (chapter 08): shifts by whole pixels and small rotations, NumPy only.

Images are rows of ``X`` (``(N, h*w)``, the 8x8 digits by default) or arrays ``(N, h, w)``. Pixels
shifted or rotated in from outside the image are 0 (the digits' background).

* :func:`shift_images` moves every image by ``(dy, dx)`` whole pixels.
* :func:`rotate_images` rotates about the image centre by ``angle`` degrees (counter-clockwise),
  sampling the source with bilinear interpolation.
* :func:`augment` makes ``copies`` transformed versions of each image, each with a random shift in
  ``{-shift, ..., shift}^2`` and a random angle in ``[-max_angle, max_angle]``, and returns them
  with the originals (labels repeated).
"""
from __future__ import annotations

import numpy as np

from .rng import as_generator
from .validate import float_array, nonneg_float, nonneg_int

__all__ = ["shift_images", "rotate_images", "augment"]


def _as_images(X, shape):
    X = float_array("X", X, allow_empty=True)
    h, w = shape
    flat = X.ndim == 2
    if flat:
        if X.shape[1] != h * w:
            raise ValueError(f"X rows have {X.shape[1]} values; images of shape {shape} need {h * w}")
        return X.reshape(-1, h, w), flat
    if X.ndim != 3 or X.shape[1:] != (h, w):
        raise ValueError(f"X must be (N, {h * w}) rows or (N, {h}, {w}) images, got shape {X.shape}")
    return X, flat


def _back(imgs, flat):
    return imgs.reshape(len(imgs), -1) if flat else imgs


def shift_images(X, dy: int = 0, dx: int = 0, shape=(8, 8)) -> np.ndarray:
    """Every image moved ``dy`` pixels down and ``dx`` right (negative: up, left), zeros shifted in."""
    imgs, flat = _as_images(X, shape)
    dy, dx = int(dy), int(dx)
    h, w = shape
    out = np.zeros_like(imgs)
    ys, yd = (slice(0, max(h - dy, 0)), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, max(w - dx, 0)), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[:, yd, xd] = imgs[:, ys, xs]
    return _back(out, flat)


def rotate_images(X, angle: float, shape=(8, 8)) -> np.ndarray:
    """Every image rotated by ``angle`` degrees counter-clockwise about its centre (bilinear sampling;
    ``angle`` a number for all, or one per image)."""
    imgs, flat = _as_images(X, shape)
    h, w = shape
    n = len(imgs)
    a = np.deg2rad(np.broadcast_to(np.asarray(angle, dtype=float), (n,)))
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    y0, x0 = yy - cy, xx - cx
    c, s = np.cos(a)[:, None, None], np.sin(a)[:, None, None]
    # output pixel (y, x) samples the source at the inverse rotation (image y axis points down)
    sx = c * x0 - s * y0 + cx
    sy = s * x0 + c * y0 + cy
    fx, fy = np.floor(sx), np.floor(sy)
    wx, wy = sx - fx, sy - fy
    fx, fy = fx.astype(int), fy.astype(int)
    out = np.zeros_like(imgs)
    rows = np.arange(n)[:, None, None]
    for oy, ox, wgt in ((0, 0, (1 - wy) * (1 - wx)), (0, 1, (1 - wy) * wx), (1, 0, wy * (1 - wx)), (1, 1, wy * wx)):
        py, px = fy + oy, fx + ox
        ok = (py >= 0) & (py < h) & (px >= 0) & (px < w)
        vals = imgs[rows, np.clip(py, 0, h - 1), np.clip(px, 0, w - 1)]
        out += (wgt * ok * vals).astype(imgs.dtype)
    return _back(out, flat)


def augment(X, y, copies: int = 1, shift: int = 1, max_angle: float = 10.0, rng=None, shape=(8, 8),
            keep_original: bool = True):
    """``(X_aug, y_aug)``: the originals (if ``keep_original``) followed by ``copies`` transformed
    versions of every image, each rotated by a uniform angle in ``[-max_angle, max_angle]`` degrees and
    then shifted by whole pixels drawn uniformly from ``{-shift, ..., shift}`` in each direction."""
    copies = nonneg_int("copies", copies)
    shift = nonneg_int("shift", shift)
    max_angle = nonneg_float("max_angle", max_angle)
    X = float_array("X", X, allow_empty=True)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    gen = as_generator(rng)
    parts, labels = ([X], [y]) if keep_original else ([], [])
    for _ in range(copies):
        angles = gen.uniform(-max_angle, max_angle, len(X))
        d = gen.integers(-shift, shift + 1, size=(len(X), 2))
        R = rotate_images(X, angles, shape) if max_angle > 0 else X.copy()
        out = np.empty_like(R)
        for (dy, dx) in {tuple(v) for v in d.tolist()}:
            sel = (d[:, 0] == dy) & (d[:, 1] == dx)
            out[sel] = shift_images(R[sel], dy, dx, shape)
        parts.append(out)
        labels.append(y)
    if not parts:
        return X[:0].copy(), y[:0].copy()
    return np.concatenate(parts), np.concatenate(labels)
