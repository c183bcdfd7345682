"""Loading the reader's own data from .npz or .csv files (chapter 10 and the exercises).

CSV files may be gzip-compressed (``.csv.gz``), space-separated (``delimiter=None``), open with
lines to skip (``skip_rows``) or carry comments (``comment="#"``), and keep the target in a file
of its own (``y=``); :func:`load_csv_array` reads a table without splitting it.

Errors name the file, the 1-based line and the column, and say how to fix the
problem (a 1-D ``X``, NaNs, non-numeric labels, a wrong delimiter, a metadata line taken
for a header, a file that is not UTF-8 text, a directory, an .npz that is really a text file).

Whether the last column is a classification label or a regression target is decided by
:func:`dlcore.dataset.train_val_test_split` (``task=None``): labels 0..K-1 (whole numbers,
every class present) are classes; non-integer values are regression targets; whole numbers that
are not 0..K-1 (e.g. {-1, 1}, {0, 1000}, 1e30) are an error asking for ``task=`` explicitly. So an
integer-valued quantity to predict whose values happen to be exactly 0..K-1 (a count, a grade) is
taken as K classes unless you pass ``task="regression"`` (load_csv warns when it inferred > 10 classes).
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import warnings

import numpy as np

from .dataset import DataError, Dataset, check as _check, train_val_test_split
from .errors import InvalidArgument, InvalidType
from .validate import finite_data, float_array, nonneg_int, show

__all__ = ["load_npz", "load_csv", "load_csv_array"]


def _check_Xy(X, y, src):
    _check(X.ndim == 2, f"{src}: X must be 2-D (N, features), got shape {X.shape}"
           + ("; for one feature use X.reshape(-1, 1)" if X.ndim == 1 else ""))
    _check(len(X) == len(y), f"{src}: X has {len(X)} rows but y has {len(y)}")
    _check(X.dtype.kind in "biuf", f"{src}: X must be numeric, got dtype {X.dtype}")
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        raise DataError(f"{src}: X has NaN or inf at row {bad[0][0]}, column {bad[0][1]}")
    if y.dtype.kind not in "biuf":
        ex = y.ravel()[0].item() if y.size else None
        raise DataError(f"{src}: labels must be numeric, got {ex!r} (dtype {y.dtype}); "
                        "encode classes as 0..K-1")
    _check(np.isfinite(y).all(), f"{src}: y has NaN or inf at row "
           f"{int(np.argmax(~np.isfinite(y).reshape(len(y), -1).all(1)))}")
    _check(len(X) >= 5, f"{src}: need at least 5 rows, got {len(X)}")


def load_npz(path, X_key="X", y_key="y", **split_kwargs) -> Dataset:
    """Load X (N, d) and y (N,) from an ``.npz`` file and split them.

    Extra keyword arguments go to :func:`train_val_test_split`
    (default name: file stem).
    """
    path = _file(path)
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"\x93NUMPY"):
        raise DataError(f"{path}: this is a single-array .npy file; load_npz needs an .npz archive holding "
                        f"{X_key!r} and {y_key!r}: np.savez(path, {X_key}=X, {y_key}=y)")
    if not head.startswith(b"PK"):
        raise DataError(f"{path}: cannot read as .npz: not an .npz file (an .npz is a zip archive made by np.savez; this file "
                        f"starts with {head[:20]!r})" + ("; for CSV text use load_csv" if _texty(head) else ""))
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = list(z.keys())
            missing = [k for k in (X_key, y_key) if k not in keys]
            _check(not missing, f"{path}: key(s) {missing} not found; keys present: {keys}")
            X, y = z[X_key], z[y_key]
    except DataError:
        raise
    except Exception as e:  # BadZipFile, pickled objects, truncated files, ...
        raise DataError(f"{path}: cannot read as .npz ({type(e).__name__}: {e})") from e
    _check_Xy(X, y, path)
    split_kwargs.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    return train_val_test_split(X, y, **split_kwargs)


def _file(path) -> str:
    try:
        path = os.fspath(path)
    except TypeError:
        raise InvalidType(f"path must be a file name (str or pathlib.Path), got {show(path)}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    _check(not os.path.isdir(path), f"{path} is a directory, not a file; give the path of a file inside it")
    _check(os.path.isfile(path), f"file not found: {path}")
    return path


def _texty(b: bytes) -> bool:
    return b"\0" not in b and all(c >= 32 or c in b"\t\r\n" for c in b[:64])


def _read_text(path, encoding):
    """The file as text. ``encoding=None``: UTF-8 (a BOM allowed) or UTF-16 with a BOM; anything
    else (binary, Latin-1 accents, UTF-16 without BOM) is a DataError saying what to pass."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw.startswith(b"\x1f\x8b"):                    # gzip, whatever the file's name
        try:
            raw = gzip.decompress(raw)
        except Exception as e:                          # truncated or corrupt
            raise DataError(f"{path}: gzip-compressed but cannot be decompressed ({type(e).__name__}: {e})") \
                from None
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise DataError(f"{path}: unknown encoding {encoding!r}; try 'utf-8', 'latin-1' or 'utf-16'") from None
        except UnicodeDecodeError as e:
            raise DataError(f"{path}: not valid {encoding} text (byte {raw[e.start]:#04x} at offset {e.start})") \
                from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DataError(f"{path}: starts like UTF-16 text but is not valid UTF-16 ({e.reason} "
                            f"at offset {e.start})") from None
    if raw.startswith(b"PK\x03\x04"):
        raise DataError(f"{path}: this is a zip archive (an .npz?), not CSV text; for .npz use load_npz")
    if b"\0" in raw:
        at = raw.index(b"\0")
        raise DataError(f"{path}: not a text file (a NUL byte at offset {at}); a CSV is plain text. "
                        "If it is UTF-16 text without a byte-order mark, pass encoding='utf-16-le'")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text (byte {raw[e.start]:#04x} at offset {e.start}); if the file was "
                        "saved as Latin-1 / Windows-1252 (accents such as é), pass encoding='latin-1'") from None


def _num(s):
    try:
        return float(s)
    except ValueError:
        return None


def _options(delimiter, header, skip_rows, comment) -> int:
    if not (delimiter is None or (isinstance(delimiter, str) and len(delimiter) == 1)):
        raise InvalidType("delimiter must be one character such as ',' or ';' (or None for columns separated by "
                          f"runs of spaces or tabs), got {show(delimiter)}")
    if not (isinstance(header, (bool, np.bool_)) or (isinstance(header, str) and header == "infer")):
        raise InvalidType(f"header must be 'infer', True or False, got {show(header)}")
    skip_rows = nonneg_int("skip_rows", skip_rows)
    if comment is not None and not (isinstance(comment, str) and comment.strip()):
        raise InvalidType(f"comment must be None or a non-empty string such as '#', got {show(comment)}")
    if comment is not None and delimiter is not None and delimiter in comment:
        raise InvalidArgument(f"comment {comment!r} contains the delimiter {delimiter!r}; pick another one")
    return skip_rows


def _guess(line, delimiter) -> str:
    """A hint naming a delimiter that splits ``line`` (raw text) into 2+ numbers, or ''."""
    for d in (",", ";", "\t", "|", None):
        if d != delimiter and (d is None or d in line):
            cells = [c for c in line.split(d) if c.strip()]
            if len(cells) >= 2 and all(_num(c) is not None for c in cells):
                return f"; the line looks separated by {'spaces' if d is None else repr(d)}: pass delimiter={d!r}"
    return ""


def _table(path, header, delimiter, encoding, skip_rows, comment, target=None, min_width=1):
    """``(data (N, width) float64, t)`` of a numeric text table; ``t`` is the index of column ``target``
    (None: no target column). Every error names the file line and the column."""
    text = _read_text(path, encoding)
    sio = io.StringIO(text, newline="")
    for k in range(skip_rows):
        _check(sio.readline(), f"{path}: skip_rows={skip_rows} skips the whole file (it has {k} lines)")
    lines = list(sio)
    if comment is not None:                             # as numpy.loadtxt: from `comment` to the end of the line
        lines = [ln[:ln.index(comment)] + "\n" if comment in ln else ln for ln in lines]
    if delimiter is None:
        rows = [(skip_rows + i + 1, ln.split()) for i, ln in enumerate(lines)]
    else:
        try:
            rd = csv.reader(lines, delimiter=delimiter)
            rows = [(skip_rows + rd.line_num, [c.strip() for c in r]) for r in rd]
        except csv.Error as e:
            raise DataError(f"{path}: not a readable CSV file ({e})") from None
    rows = [(n, r) for n, r in rows if any(r)]
    _check(rows, f"{path}: file is empty" + (f" after skipping {skip_rows} line(s)" if skip_rows else ""))

    def raw(n):                                         # the text of file line n
        return lines[n - skip_rows - 1] if 0 <= n - skip_rows - 1 < len(lines) else ""
    first = rows[0][0]
    lead = raw(first).lstrip()[:1]
    skip = f"; if line {first} is a title or metadata, not data, skip it with skip_rows={first}" + (
        f" (or pass comment={lead!r})" if comment is None and lead in ("#", "%") else "")
    inferred = isinstance(header, str)
    if inferred:
        header = any(_num(c) is None for c in rows[0][1])
    names = rows.pop(0)[1] if header else None
    width = len(names) if names else len(rows[0][1]) if rows else 0
    hint = f" (is delimiter={delimiter!r} right?)"
    _check(width >= min_width, lambda: f"{path}: need at least {min_width} columns, found {width}" + hint
           + _guess(raw(first), delimiter) + (skip if lead in ("#", "%") else ""))
    t = None
    if isinstance(target, str):
        _check(names is not None, f"{path}: target {target!r} given by name but file has no header")
        _check(target in names, f"{path}: no column {target!r}; columns: {names}")
        t = names.index(target)
    elif target is not None:
        _check(-width <= target < width, f"{path}: target index {target} out of range for {width} columns")
        t = target % width

    data = np.empty((len(rows), width))
    for i, (line, cells) in enumerate(rows):
        if len(cells) != width:
            why = (f"; line {first} was {'taken' if inferred else 'read'} as the header ({width} names: "
                   f"{', '.join(names)[:60]}){skip}" if names and i == 0 else "")
            raise DataError(f"{path}: line {line} has {len(cells)} cells, expected {width}" + why
                            + (_guess(raw(line), delimiter) if len(cells) <= 1 else ""))
        for j, c in enumerate(cells):
            v = _num(c)
            if v is None or not np.isfinite(v):
                where = f"line {line}, " + (f"column {names[j]!r} (index {j})" if names else f"column index {j}")
                if c == "":
                    raise DataError(f"{path}: missing value at {where}" + (
                        "; for columns separated by runs of spaces or tabs pass delimiter=None"
                        if delimiter in (" ", "\t") else ""))
                extra = skip if line == first and v is None else ""
                if j == t and v is None:
                    raise DataError(f"{path}: labels must be numeric; {where.split(', ')[1]} has {c!r} "
                                    f"at line {line} — encode classes as 0..K-1" + extra)
                bad = "non-numeric" if v is None else "non-finite"
                raise DataError(f"{path}: {bad} value {c!r} at {where}"
                                + (hint if any(d in c for d in ",;\t| ") else "") + extra)
            data[i, j] = v
    return data, t


def load_csv_array(path, header="infer", delimiter=",", encoding=None, skip_rows=0, comment=None) -> np.ndarray:
    """A numeric text table as a float64 array (rows, columns), read exactly as :func:`load_csv` reads
    its files (same options; a header row, if any, is dropped). For features without a target, or a
    target kept in a file of its own: ``y = load_csv_array("target.csv.gz")[:, 0]``."""
    skip_rows = _options(delimiter, header, skip_rows, comment)
    return _table(_file(path), header, delimiter, encoding, skip_rows, comment)[0]


def _labels(y, path, n, encoding, delimiter, comment):
    """``y`` given to :func:`load_csv`: a file with one column, read like the features, or N numbers."""
    if isinstance(y, (str, bytes, os.PathLike)):
        ypath = _file(y)
        Y = _table(ypath, "infer", delimiter, encoding, 0, comment)[0]
        _check(Y.shape[1] == 1, f"{ypath}: y= needs a file with one column (the target), found {Y.shape[1]}; "
               "pick one with y=load_csv_array(path)[:, j]")
        _check(len(Y) == n, f"{path} has {n} data rows but the target file {ypath} has {len(Y)}; the rows must "
               "match one to one (skip_rows, if given, applies to the features file only)")
        return Y[:, 0], f"target file {ypath}"
    arr = np.asarray(y) if not isinstance(y, np.ndarray) else y
    if arr.dtype.kind in "USO" and arr.size:
        raise DataError(f"y: labels must be numeric, got {arr.ravel()[0].item()!r} (dtype {arr.dtype}); encode classes "
                        "as 0..K-1 (np.unique(y, return_inverse=True)[1])")
    arr = float_array("y", arr, ndim=(1, 2)) if arr.dtype.kind not in "iuf" else arr
    _check(arr.ndim == 1 or arr.shape[1:] == (1,), f"y must be 1-D (N,) or (N, 1), got shape {arr.shape}")
    _check(len(arr) == n, f"{path} has {n} data rows but y has {len(arr)}")
    finite_data("y", arr)
    return arr.reshape(len(arr)), "y"


def load_csv(path, target=None, header="infer", delimiter=",", encoding=None, skip_rows=0, comment=None, y=None,
             **split_kwargs) -> Dataset:
    """Load a numeric CSV (plain or gzip-compressed) and split it into a :class:`Dataset`.

    * ``target``: the column holding y, an index (``-1``: the last) or a name if there is a header.
      Default: the last column, or none when ``y`` is given.
    * ``y``: the target from elsewhere, so every column of the file is a feature: a path to a file
      with one column (read with this call's ``delimiter``, ``encoding`` and ``comment``, header
      inferred, ``skip_rows`` not applied) or an array of N numbers.
    * ``header``: "infer" (header iff the first row has a non-numeric cell), True or False.
    * ``delimiter``: one character, or None for columns separated by runs of spaces or tabs.
    * ``skip_rows``: lines skipped at the top of the file before anything is read (a title or a
      metadata line). ``comment``: e.g. ``"#"``; from it to the end of a line is ignored.
    * ``encoding``: None reads UTF-8 (or UTF-16 with a byte-order mark); pass e.g. ``"latin-1"``.
      A gzip-compressed file (``.csv.gz``) is decompressed first, whatever its name.

    Errors name the file line (1-based) and the column. Labels must be numeric. **Classification or
    regression** is decided as the module docstring says: whole numbers forming exactly 0..K-1 are
    taken as K classes, so an integer-valued quantity to predict (a count, a score 0..20) needs
    ``task="regression"``; a warning says so when more than 10 classes were inferred. Extra keyword
    arguments go to :func:`train_val_test_split` (``task``, ``rng``, ``fractions``, ``name``...).

    Example: scikit-learn's wine file starts with a metadata line, its diabetes data are gzip,
    space-separated, with the target in a second file::

        wine = load_csv(f"{d}/wine_data.csv", skip_rows=1, header=False)
        diabetes = load_csv(f"{d}/diabetes_data_raw.csv.gz", delimiter=None,
                            y=f"{d}/diabetes_target.csv.gz", task="regression")
    """
    path = _file(path)
    skip_rows = _options(delimiter, header, skip_rows, comment)
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, np.integer, str))):
        raise InvalidType(f"target must be a column index (int) or a column name (str), got {show(target)}")
    if target is not None and y is not None:
        raise InvalidArgument(f"give the target either as a column of the file (target={target!r}) or from "
                              "elsewhere (y=...), not both; with y= every column of the file is a feature")
    if target is None and y is None:
        target = -1
    data, t = _table(path, header, delimiter, encoding, skip_rows, comment, target, min_width=2 if y is None else 1)
    if y is None:
        X, labels, what = np.delete(data, t, axis=1), data[:, t], f"label column (index {t})"
    else:
        (labels, what), X = _labels(y, path, len(data), encoding, delimiter, comment), data
    _check(len(data) >= 5, f"{path}: need at least 5 data rows, got {len(data)}")
    split_kwargs.setdefault("name", os.path.splitext(os.path.basename(path.removesuffix(".gz")))[0])
    try:
        ds = train_val_test_split(X, labels, **split_kwargs)
    except DataError as e:
        raise DataError(f"{path}: {what}: {e}") from None
    if split_kwargs.get("task") is None and ds.task == "classification" and ds.n_classes > 10:
        warnings.warn(f"{path}: the {what} holds the whole numbers 0..{ds.n_classes - 1}, taken as "
                      f"{ds.n_classes} classes; if they are values to predict (a count, a score) pass "
                      "task='regression' (task='classification' confirms the classes and silences this)",
                      stacklevel=2)
    return ds
