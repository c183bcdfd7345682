"""load_csv on files as they come: gzip, lines to skip, comments, whitespace-separated columns,
the target in another file or array; and on scikit-learn's shipped wine and diabetes files."""
import gzip
import os

import numpy as np
import pytest

from dlcore import data
from dlcore.data import DataError, load_csv, load_csv_array
from dlcore.errors import InvalidArgument, InvalidType

ROWS = [(i, i * 0.5, i % 3) for i in range(15)]
PLAIN = "".join(f"{a},{b},{c}\n" for a, b, c in ROWS)
XS = np.array([[a, b] for a, b, _ in ROWS])


def _w(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(p, "wt") as f:
            f.write(text)
    else:
        p.write_text(text)
    return p


def _all(ds, what="X"):
    return np.concatenate([getattr(ds, f"{what}_{s}") for s in ("train", "val", "test")])


def _same(a, b):
    for s in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        x, y = getattr(a, s), getattr(b, s)
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), s


def test_gzip_is_read_transparently(tmp_path):
    plain = load_csv(_w(tmp_path, PLAIN), rng=3)
    gz = load_csv(_w(tmp_path, PLAIN, "t.csv.gz"), rng=3)
    _same(plain, gz)
    assert gz.name == "t"                                           # ".csv.gz" both dropped from the name
    odd = tmp_path / "compressed.dat"                               # gzip recognised by its bytes, not its name
    odd.write_bytes(gzip.compress(PLAIN.encode()))
    _same(plain, load_csv(odd, rng=3))
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(gzip.compress(PLAIN.encode())[:30])
    with pytest.raises(DataError, match=r"cut\.csv\.gz: gzip-compressed but cannot be decompressed"):
        load_csv(bad)


def test_skip_rows_and_comments(tmp_path):
    ref = load_csv(_w(tmp_path, PLAIN), rng=0)
    meta = _w(tmp_path, "15,2,class_0,class_1,class_2\n" + PLAIN, "m.csv")
    _same(ref, load_csv(meta, skip_rows=1, header=False, rng=0))
    _same(ref, load_csv(meta, skip_rows=1, rng=0))                  # the header is inferred after the skip
    titled = _w(tmp_path, "My data, 2024\n\na,b,label\n" + PLAIN, "h.csv")
    ds = load_csv(titled, skip_rows=2, target="label", rng=0)
    _same(ref, ds)
    commented = "# measured by hand\n" + PLAIN.replace("4,2.0,1\n", "4,2.0,1  # checked twice\n") + "# end\n"
    _same(ref, load_csv(_w(tmp_path, commented, "c.csv"), comment="#", rng=0))
    # line numbers in errors stay those of the file
    broken = _w(tmp_path, "meta line\n" + PLAIN.replace("4,2.0,1", "4,x,1"), "b.csv")
    with pytest.raises(DataError, match=r"non-numeric value 'x' at line 6, column index 1"):
        load_csv(broken, skip_rows=1, header=False)


def test_whitespace_delimiter(tmp_path):
    ref = load_csv(_w(tmp_path, PLAIN), rng=0)
    spaced = "".join(f"{a}   {b}\t{c}\n" for a, b, c in ROWS)          # runs of spaces and a tab
    _same(ref, load_csv(_w(tmp_path, spaced, "s.txt"), delimiter=None, rng=0))
    np.testing.assert_array_equal(load_csv_array(_w(tmp_path, spaced, "s.txt"), delimiter=None)[:, :2], XS)


def test_target_from_another_file_or_array(tmp_path):
    ref = load_csv(_w(tmp_path, PLAIN), rng=0)
    feats = _w(tmp_path, "".join(f"{a} {b}\n" for a, b, _ in ROWS), "X.txt.gz")
    labels = _w(tmp_path, "".join(f"{c}\n" for *_, c in ROWS), "y.txt.gz")
    _same(ref, load_csv(feats, delimiter=None, y=labels, rng=0))
    named = _w(tmp_path, "label\n" + "".join(f"{c}\n" for *_, c in ROWS), "y.csv")   # a header is inferred
    _same(ref, load_csv(feats, delimiter=None, y=named, rng=0))
    y = np.array([c for *_, c in ROWS], dtype=np.float64)
    _same(ref, load_csv(feats, delimiter=None, y=y, rng=0))
    _same(ref, load_csv(feats, delimiter=None, y=y.reshape(-1, 1), rng=0))
    assert load_csv(feats, delimiter=None, y=[c for *_, c in ROWS]).n_classes == 3      # a list of ints
    one = _w(tmp_path, "".join(f"{a}\n" for a, *_ in ROWS), "one.csv")              # one feature column
    assert load_csv(one, y=y + 0.5).task == "regression"


@pytest.mark.parametrize("kw, exc, msg", [
    ({"skip_rows": -1}, InvalidArgument, r"skip_rows must be a whole number \(int\) >= 0, got -1"),
    ({"skip_rows": 1.0}, InvalidType, "skip_rows must be a whole number.*write 1"),
    ({"skip_rows": "1"}, InvalidType, "skip_rows.*without quotes"),
    ({"skip_rows": 99}, DataError, r"skip_rows=99 skips the whole file \(it has 15 lines\)"),
    ({"comment": ""}, InvalidType, "comment must be None or a non-empty string"),
    ({"comment": 3}, InvalidType, "comment must be None or a non-empty string"),
    ({"comment": ","}, InvalidArgument, "comment ',' contains the delimiter ','"),
    ({"delimiter": ", "}, InvalidType, r"delimiter must be one character.*or None"),
    ({"target": 0, "y": [0, 1] * 7 + [0]}, InvalidArgument, r"either as a column of the file \(target=0\).*not both"),
    ({"target": 1.0}, InvalidType, "target must be a column index"),
    ({"y": np.arange(14)}, DataError, "has 15 data rows but y has 14"),
    ({"y": np.ones((15, 2))}, DataError, r"y must be 1-D \(N,\) or \(N, 1\), got shape \(15, 2\)"),
    ({"y": ["cat"] * 15}, DataError, "labels must be numeric, got 'cat'.*0..K-1"),
    ({"y": np.r_[np.ones(14), np.nan]}, DataError, r"y contains 1 NaN.*row 14"),
])
def test_new_argument_errors(tmp_path, kw, exc, msg):
    with pytest.raises(exc, match=msg):
        load_csv(_w(tmp_path, PLAIN), **kw)


def test_target_file_errors(tmp_path):
    p = _w(tmp_path, PLAIN)
    short = _w(tmp_path, "".join(f"{c}\n" for *_, c in ROWS[:-1]), "short.csv")
    with pytest.raises(DataError, match=r"t\.csv has 15 data rows but the target file .*short\.csv has 14"):
        load_csv(p, y=short)
    two = _w(tmp_path, PLAIN, "two.csv")
    with pytest.raises(DataError, match=r"two\.csv: y= needs a file with one column \(the target\), found 3"):
        load_csv(p, y=two)
    with pytest.raises(DataError, match="file not found.*nope.csv"):
        load_csv(p, y=tmp_path / "nope.csv")
    gaps = _w(tmp_path, "".join(f"{10 * c}\n" for *_, c in ROWS), "gaps.csv")
    with pytest.raises(DataError, match=r"target file .*gaps\.csv: the labels are whole numbers.*task='regression'"):
        load_csv(p, y=gaps)


def test_hints_for_files_read_with_the_wrong_options(tmp_path):
    meta = _w(tmp_path, "15,2,class_0,class_1,class_2\n" + PLAIN, "m.csv")
    with pytest.raises(DataError, match=r"line 2 has 3 cells, expected 5; line 1 was taken as the header "
                                        r"\(5 names: 15, 2, class_0.*skip it with skip_rows=1"):
        load_csv(meta)
    with pytest.raises(DataError, match=r"non-numeric value 'class_0' at line 1, column index 2; .*skip_rows=1"):
        load_csv(meta, header=False)
    spaced = _w(tmp_path, "".join(f"{a} {b} {c}\n" for a, b, c in ROWS), "s.txt")
    with pytest.raises(DataError, match=r"at least 2 columns, found 1 .*separated by spaces: pass delimiter=None"):
        load_csv(spaced)
    semi = _w(tmp_path, PLAIN.replace(",", ";"), "semi.csv")
    with pytest.raises(DataError, match=r"separated by ';': pass delimiter=';'"):
        load_csv(semi)
    double = _w(tmp_path, "".join(f"{a}  {b} {c}\n" for a, b, c in ROWS), "d.txt")
    with pytest.raises(DataError, match=r"missing value at line 1, column index 1; .*pass delimiter=None"):
        load_csv(double, delimiter=" ", header=False)
    hashed = _w(tmp_path, "# a comment\n" + PLAIN, "hash.csv")
    with pytest.raises(DataError, match=r"at least 2 columns.*skip_rows=1 \(or pass comment='#'\)"):
        load_csv(hashed)


def test_integer_regression_target_warns_and_task_silences(tmp_path):
    counts = _w(tmp_path, "".join(f"{i},{i % 12}\n" for i in range(36)))      # 0..11, every value present
    with pytest.warns(UserWarning, match=r"0\.\.11, taken as 12 classes; .*task='regression'"):
        assert load_csv(counts).n_classes == 12
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_csv(counts, task="regression").task == "regression"
        assert load_csv(counts, task="classification").n_classes == 12
        assert load_csv(_w(tmp_path, PLAIN, "few.csv")).n_classes == 3          # 3 classes: no warning


def test_load_csv_array(tmp_path):
    A = load_csv_array(_w(tmp_path, "a,b,c\n" + PLAIN))
    assert A.shape == (15, 3) and A.dtype == np.float64
    np.testing.assert_array_equal(A[:, :2], XS)
    np.testing.assert_array_equal(load_csv_array(_w(tmp_path, "1\n2\n3\n", "y.csv"))[:, 0], [1, 2, 3])
    assert data.load_csv_array is load_csv_array


# ---- scikit-learn's shipped files --------------------------------------------------------------
def _sk(name):
    from dlcore.experiments.normalisation_tables import sklearn_data_dir
    try:
        d = sklearn_data_dir()
    except FileNotFoundError:
        pytest.skip("scikit-learn is not installed")
    return os.path.join(d, name)


def test_sklearn_wine_as_shipped():
    path = _sk("wine_data.csv")
    A = load_csv_array(path, skip_rows=1, header=False)
    assert A.shape == (178, 14)
    np.testing.assert_array_equal(A[0], [14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92,
                                         1065, 0])
    assert A[:, 12].max() == 1680 and A[:, 10].min() == 0.48          # proline and hue
    np.testing.assert_array_equal(np.bincount(A[:, -1].astype(int)), [59, 71, 48])
    ds = load_csv(path, skip_rows=1, header=False, rng=0)
    assert ds.task == "classification" and ds.n_classes == 3 and ds.n_features == 13
    assert sum(len(v) for v in (ds.y_train, ds.y_val, ds.y_test)) == 178


def test_sklearn_diabetes_as_shipped():
    path, target = _sk("diabetes_data_raw.csv.gz"), _sk("diabetes_target.csv.gz")
    X = load_csv_array(path, delimiter=None)
    y = load_csv_array(target)[:, 0]
    assert X.shape == (442, 10) and y.shape == (442,)
    np.testing.assert_array_equal(X[0], [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87])
    np.testing.assert_array_equal(y[:3], [151, 75, 141])
    assert y.min() == 25 and y.max() == 346
    with pytest.raises(DataError, match="task='regression'"):        # whole numbers 25..346: ambiguous
        load_csv(path, delimiter=None, y=target)
    ds = load_csv(path, delimiter=None, y=target, task="regression", rng=0)
    assert ds.name == "diabetes_data_raw" and ds.task == "regression" and ds.n_features == 10
    _same(ds, load_csv(path, delimiter=None, y=y, task="regression", rng=0))
    _same(ds, load_csv(path, delimiter=" ", y=target, task="regression", rng=0))  # single spaces in this file


def test_sklearn_tables_bit_identical_to_the_old_rewrite(tmp_path):
    """The rewrite chapter 05 used before load_csv read these files (plain CSV, features then target)
    gives bit-identical splits: chapter 05's numbers do not depend on the route."""
    from dlcore.experiments.normalisation_tables import load_table
    wine = open(_sk("wine_data.csv"), encoding="utf-8").read().splitlines()[1:]
    with gzip.open(_sk("diabetes_data_raw.csv.gz"), "rt") as f:
        X = [ln.split() for ln in f.read().splitlines() if ln.strip()]
    with gzip.open(_sk("diabetes_target.csv.gz"), "rt") as f:
        y = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
    diabetes = [",".join(row + [t]) for row, t in zip(X, y)]
    for name, lines, task in (("wine", wine, "classification"), ("diabetes", diabetes, "regression")):
        p = _w(tmp_path, "\n".join(lines) + "\n", f"{name}.csv")
        for seed in (0, 1, 4):
            _same(load_csv(p, target=-1, header=False, rng=seed, task=task, name=name), load_table(name, seed))
