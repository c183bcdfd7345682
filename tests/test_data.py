"""Tests for dlcore.data: generators, splits, batches, loaders and error messages."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlcore import data
from dlcore.data import DataError

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ("train", "val", "test")


def parts(ds, what="y"):
    return [getattr(ds, f"{what}_{s}") for s in SPLITS]


def assert_same(a, b):
    for s in SPLITS:
        for w in "Xy":
            x, z = getattr(a, f"{w}_{s}"), getattr(b, f"{w}_{s}")
            assert x.dtype == z.dtype and np.array_equal(x, z)


# ---------------------------------------------------------------- digits
def test_digits_shapes_range_dtype_sizes():
    ds = data.digits()
    assert [len(y) for y in parts(ds)] == [1079, 359, 359]
    assert sum(len(X) for X in parts(ds, "X")) == 1797
    assert ds.n_features == 64 and ds.X_train.shape == (1079, 64)
    assert ds.X_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    X = np.concatenate(parts(ds, "X"))
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.allclose(X * 16, np.round(X * 16))          # pixel/16
    assert ds.task == "classification" and ds.n_classes == 10
    y = np.concatenate(parts(ds))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    for ys in parts(ds):
        assert set(ys.tolist()) == set(range(10))
    assert "train=1079" in repr(ds) and "val=359" in repr(ds)


def test_digits_determinism_and_copies():
    a, b = data.digits(), data.digits(rng=0)
    assert_same(a, b)
    a.X_train[:] = -1                                     # fresh copies every call
    assert data.digits().X_train.min() == 0.0
    c = data.digits(rng=1)
    assert not np.array_equal(c.y_train, b.y_train)
    assert data.digits(dtype=np.float64).X_train.dtype == np.float64


def test_import_does_not_import_sklearn():
    code = ("import sys, dlcore.data; "
            "bad = [m for m in ('sklearn', 'matplotlib', 'ipywidgets') if m in sys.modules]; "
            "dlcore.data.digits(); bad += ['sklearn'] * ('sklearn' in sys.modules); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- generators
def test_moons_geometry_noise_zero():
    ds = data.moons(n=101, noise=0.0)
    X, y = np.concatenate(parts(ds, "X")).astype(np.float64), np.concatenate(parts(ds))
    assert X.shape == (101, 2) and np.bincount(y).tolist() == [50, 51]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0, atol=1e-6)
    assert (X[y == 0, 1] >= -1e-7).all() and (X[y == 1, 1] <= 0.5 + 1e-7).all()


def test_moons_shapes_determinism():
    a = data.moons()
    assert [len(y) for y in parts(a)] == [360, 120, 120]
    assert a.n_classes == 2 and a.X_train.dtype == np.float32
    for ys in parts(a):                                   # balanced 300/300 -> 60/20/20 each
        assert np.bincount(ys).tolist() == [len(ys) // 2] * 2
    assert_same(a, data.moons(rng=np.random.default_rng(0)))
    assert not np.array_equal(a.X_train, data.moons(rng=1).X_train)


def test_spirals():
    ds = data.spirals(n=301, n_classes=4, noise=0.0)
    y = np.concatenate(parts(ds))
    X = np.concatenate(parts(ds, "X")).astype(np.float64)
    assert ds.n_classes == 4 and set(y.tolist()) == {0, 1, 2, 3}
    assert np.bincount(y).max() - np.bincount(y).min() <= 1 and len(y) == 301
    assert np.hypot(*X.T).max() <= 1 + 1e-6
    assert_same(ds, data.spirals(n=301, n_classes=4, noise=0.0))
    assert not np.array_equal(data.spirals().X_train, data.spirals(rng=3).X_train)


def test_blobs():
    ds = data.blobs(n=300, centers=np.array([[0, 0, 0], [10, 10, 10]]), std=0.5, dim=3)
    X, y = np.concatenate(parts(ds, "X")), np.concatenate(parts(ds))
    assert X.shape == (300, 3) and np.bincount(y).tolist() == [150, 150]
    np.testing.assert_allclose(X[y == 1].mean(0), 10, atol=0.2)
    np.testing.assert_allclose(X[y == 0].std(0), 0.5, atol=0.1)
    r = data.blobs(centers=5, dim=4, rng=7)
    assert r.n_classes == 5 and r.n_features == 4
    assert_same(r, data.blobs(centers=5, dim=4, rng=7))
    with pytest.raises(DataError, match=r"shape \(2, 3\).*dim=2"):
        data.blobs(centers=np.zeros((2, 3)))


def test_regression_1d():
    ds = data.regression_1d(n=200, noise=0.0, fn="cubic")
    assert ds.task == "regression" and ds.n_classes is None
    assert ds.X_train.shape == (120, 1) and ds.y_train.shape == (120, 1)
    X, y = np.concatenate(parts(ds, "X")), np.concatenate(parts(ds))
    assert X.min() >= -3 and X.max() <= 3
    np.testing.assert_allclose(y, X ** 3 / 9, rtol=1e-5, atol=1e-6)
    s = data.regression_1d(noise=0.0, fn="step")
    assert set(np.unique(s.y_train).tolist()) == {-1.0, 1.0}
    assert_same(data.regression_1d(), data.regression_1d())
    with pytest.raises(DataError, match=r"unknown fn 'tan'.*'cubic'.*'sin'.*'step'"):
        data.regression_1d(fn="tan")


@pytest.mark.parametrize("call, msg", [
    (lambda: data.moons(n=5), "n must be"), (lambda: data.moons(noise=-1), "noise"),
    (lambda: data.spirals(n_classes=1), "n_classes"), (lambda: data.moons(rng=1.5), "rng"),
    (lambda: data.spirals(turns=0), "turns")])
def test_generator_argument_errors(call, msg):
    with pytest.raises(DataError, match=msg):
        call()


# ---------------------------------------------------------------- split
def test_split_stratified_disjoint():
    rng = np.random.default_rng(5)
    y = rng.choice(4, size=503, p=[0.5, 0.3, 0.17, 0.03])
    X = np.arange(503 * 2, dtype=float).reshape(503, 2)     # unique rows -> row ids
    X0, y0 = X.copy(), y.copy()
    ds = data.train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), rng=3)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)  # inputs untouched
    ids = [Xs[:, 0].astype(int) // 2 for Xs in parts(ds, "X")]
    allids = np.concatenate(ids)
    assert np.array_equal(np.sort(allids), np.arange(503))  # disjoint and complete
    for Xs, ys in zip(parts(ds, "X"), parts(ds)):
        assert np.array_equal(y[Xs[:, 0].astype(int) // 2], ys)
    sizes = [len(i) for i in ids]
    assert sizes == [503 - 2 * 101, 101, 101]
    counts = np.bincount(y)
    for ys, n in zip(parts(ds), sizes):
        assert np.all(np.abs(np.bincount(ys, minlength=4) - counts * n / 503) < 1)
        assert set(ys.tolist()) == {0, 1, 2, 3}


def test_split_small_classes_present_everywhere():
    y = np.array([0] * 40 + [1] * 3 + [2] * 4)
    ds = data.train_val_test_split(np.zeros((47, 1)), y, rng=0)
    for ys in parts(ds):
        assert set(ys.tolist()) == {0, 1, 2}
    assert sum(len(ys) for ys in parts(ds)) == 47


def test_split_task_inference_and_errors():
    X = np.zeros((20, 2))
    assert data.train_val_test_split(X, np.arange(20) % 2 * 1.0).task == "classification"
    assert data.train_val_test_split(X, np.linspace(0, 1, 20)).task == "regression"
    r = data.train_val_test_split(X, np.arange(20) % 3, stratify=False, rng=1)
    assert [len(v) for v in parts(r)] == [12, 4, 4] and r.n_classes == 3
    with pytest.raises(DataError, match="10 rows but y has 20"):
        data.train_val_test_split(X[:10], np.zeros(20))
    with pytest.raises(DataError, match="fractions"):
        data.train_val_test_split(X, np.zeros(20), fractions=(0.5, 0.5, 0.5))
    with pytest.raises(DataError, match=">= 0"):
        data.train_val_test_split(X, np.arange(20) - 5, task="classification")


def test_subset():
    ds = data.digits()
    s = ds.subset(100, rng=0)
    assert len(s.X_train) == 100 and s.X_val is ds.X_val and s.y_test is ds.y_test
    counts = np.bincount(s.y_train, minlength=10)
    assert counts.min() >= 9 and counts.max() <= 11
    rows = {r.tobytes() for r in ds.X_train}
    assert all(r.tobytes() in rows for r in s.X_train)
    assert np.array_equal(s.X_train, ds.subset(100, rng=0).X_train)
    assert set(ds.subset(10, np.random.default_rng(1)).y_train.tolist()) == set(range(10))
    with pytest.raises(DataError, match="n_train"):
        ds.subset(0, rng=0)
    assert len(data.regression_1d().subset(7, rng=0).y_train) == 7


# ---------------------------------------------------------------- batches
def test_batches_epoch_coverage_and_sizes():
    X, y = np.arange(23 * 2).reshape(23, 2), np.arange(23)
    bs = list(data.batches(X, y, 5, rng=0))
    assert [len(b[1]) for b in bs] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in bs])
    assert np.array_equal(np.sort(seen), np.arange(23)) and not np.array_equal(seen, np.arange(23))
    for Xb, yb in bs:
        assert np.array_equal(Xb[:, 0] // 2, yb)
    assert [len(b[1]) for b in data.batches(X, y, 5, rng=0, drop_last=True)] == [5] * 4
    same = [b[1] for b in data.batches(X, y, 5, rng=0)]
    assert all(np.array_equal(a[1], b) for a, b in zip(bs, same))
    ordered = np.concatenate([b[1] for b in data.batches(X, y, 4, shuffle=False)])
    assert np.array_equal(ordered, np.arange(23))
    (one,) = data.batches(X, y, 100, rng=0)
    assert len(one[0]) == 23
    g = np.random.default_rng(0)                              # generator: new order per epoch
    e1 = np.concatenate([b[1] for b in data.batches(X, y, 5, rng=g)])
    e2 = np.concatenate([b[1] for b in data.batches(X, y, 5, rng=g)])
    assert not np.array_equal(e1, e2)


@pytest.mark.parametrize("bs", [0, -3, 2.5, True])
def test_batches_bad_size(bs):
    with pytest.raises(DataError, match="batch_size must be a positive int"):
        next(data.batches(np.zeros((4, 1)), np.zeros(4), bs, rng=0))


def test_batches_shuffle_needs_rng():
    with pytest.raises(DataError, match="rng"):
        next(data.batches(np.zeros((4, 1)), np.zeros(4), 2))


# ---------------------------------------------------------------- one_hot / standardize
def test_one_hot():
    out = data.one_hot([2, 0, 1, 2])
    assert out.shape == (4, 3) and out.dtype == np.float64
    assert np.array_equal(out, np.eye(3)[[2, 0, 1, 2]])
    assert data.one_hot(np.array([1.0, 0.0]), n_classes=4, dtype=np.float32).shape == (2, 4)
    with pytest.raises(DataError, match="integers; found 1.5"):
        data.one_hot([0, 1.5])
    with pytest.raises(DataError, match=">= 0; found -1"):
        data.one_hot([0, -1])
    with pytest.raises(DataError, match="label 3 >= n_classes=3"):
        data.one_hot([0, 3], n_classes=3)


def test_standardize():
    tr = np.array([[1.0, 5.0], [3.0, 5.0]])
    te = np.array([[2.0, 6.0]])
    tr0 = tr.copy()
    a, b = data.standardize(tr, te)
    assert np.array_equal(tr, tr0)
    assert np.array_equal(a, [[-1.0, 0.0], [1.0, 0.0]]) and np.array_equal(b, [[0.0, 1.0]])
    (c,) = data.standardize(np.float32([[1], [2], [3]]))
    assert c.dtype == np.float32 and abs(float(c.mean())) < 1e-7


# ---------------------------------------------------------------- loaders
def test_load_npz_good(tmp_path):
    p = tmp_path / "toy.npz"
    np.savez(p, X=np.arange(40.0).reshape(20, 2), y=np.arange(20) % 2)
    ds = data.load_npz(p, rng=1)
    assert ds.name == "toy" and ds.n_classes == 2 and [len(v) for v in parts(ds)] == [12, 4, 4]
    q = tmp_path / "reg.npz"
    np.savez(q, feats=np.ones((10, 3)), target=np.linspace(0, 1, 10))
    assert data.load_npz(q, X_key="feats", y_key="target").task == "regression"


@pytest.mark.parametrize("arrays, kw, msg", [
    (dict(X=np.ones((10, 2))), {}, r"key\(s\) \['y'\] not found; keys present: \['X'\]"),
    (dict(X=np.ones(10), y=np.ones(10)), {}, r"2-D.*shape \(10,\).*reshape\(-1, 1\)"),
    (dict(X=np.ones((10, 2, 2)), y=np.ones(10)), {}, r"shape \(10, 2, 2\)"),
    (dict(X=np.ones((10, 2)), y=np.ones(9)), {}, "10 rows but y has 9"),
    (dict(X=np.where(np.arange(20).reshape(10, 2) == 7, np.nan, 1.0), y=np.ones(10)), {},
     "NaN or inf at row 3, column 1"),
    (dict(X=np.ones((10, 2)), y=np.array(["cat"] * 10)), {}, "labels must be numeric.*'cat'"),
    (dict(X=np.ones((4, 2)), y=np.ones(4)), {}, "at least 5 rows, got 4"),
])
def test_load_npz_errors(tmp_path, arrays, kw, msg):
    p = tmp_path / "bad.npz"
    np.savez(p, **arrays)
    with pytest.raises(DataError, match=msg):
        data.load_npz(p, **kw)


def test_load_npz_missing_and_corrupt(tmp_path):
    with pytest.raises(DataError, match="file not found.*nope.npz"):
        data.load_npz(tmp_path / "nope.npz")
    p = tmp_path / "junk.npz"
    p.write_text("not a zip")
    with pytest.raises(DataError, match="cannot read"):
        data.load_npz(p)


def _write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


GOOD = "a,b,label\n" + "".join(f"{i},{i * 0.5},{i % 3}\n" for i in range(15))


def test_load_csv_header_and_target(tmp_path):
    p = _write(tmp_path, GOOD)
    ds = data.load_csv(p, rng=0)
    assert ds.n_features == 2 and ds.n_classes == 3 and ds.name == "t"
    X = np.concatenate(parts(ds, "X"))
    assert np.array_equal(np.sort(X[:, 0]), np.arange(15)) and np.allclose(X[:, 1], X[:, 0] / 2)
    by_name = data.load_csv(p, target="label", rng=0)
    assert_same(ds, by_name)
    with pytest.warns(UserWarning, match=r"0\.\.14, taken as 15 classes.*task='regression'"):
        first = data.load_csv(p, target="a", rng=0)            # a: 0..14 integers -> 15 classes
    assert first.n_features == 2 and first.n_classes == 15
    noh = _write(tmp_path, "".join(f"{i};{i % 2}\n" for i in range(10)), "n.csv")
    d2 = data.load_csv(noh, delimiter=";", stratify=False)
    assert sum(len(v) for v in parts(d2)) == 10 and d2.n_features == 1
    assert data.load_csv(p, header=True, target=1).task == "regression"


@pytest.mark.parametrize("text, kw, msg", [
    (GOOD.replace("4,2.0,1", "4,abc,1"), {}, r"non-numeric value 'abc' at line 6, column 'b'"),
    (GOOD.replace("4,2.0,1", "4,,1"), {}, r"missing value at line 6, column 'b'"),
    (GOOD.replace("4,2.0,1", "4,2.0"), {}, "line 6 has 2 cells, expected 3"),
    (GOOD.replace("4,2.0,1", "4,nan,1"), {}, "non-finite value 'nan' at line 6"),
    ("x,species\n" + "1,setosa\n" * 6, {},
     r"labels must be numeric; column 'species' \(index 1\) has 'setosa' at line 2"),
    (GOOD, {"target": "nope"}, r"no column 'nope'; columns: \['a', 'b', 'label'\]"),
    ("1,2\n3,4\n" * 3, {"target": "y"}, "by name but file has no header"),
    (GOOD, {"target": 5}, "out of range"),
    ("1;2;3\n" * 8, {}, "at least 2 columns.*delimiter"),
    ("a,b\n1,2\n3,4\n", {}, "at least 5 data rows, got 2"),
    ("", {}, "empty"),
])
def test_load_csv_errors(tmp_path, text, kw, msg):
    with pytest.raises(DataError, match=msg):
        data.load_csv(_write(tmp_path, text), **kw)


def test_load_csv_no_header_error_names_column_index(tmp_path):
    text = "".join(f"{i},{i % 2}\n" for i in range(8)).replace("3,1", "3x,1")
    with pytest.raises(DataError, match=r"'3x' at line 4, column index 0"):
        data.load_csv(_write(tmp_path, text), header=False)
    with pytest.raises(DataError, match="file not found"):
        data.load_csv(tmp_path / "missing.csv")
