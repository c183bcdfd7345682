"""Loading the reader's own data from .npz or .csv files (chapter 10 and the exercises).

Errors name the file, the 1-based line and the column, and say how to fix the
problem (a 1-D ``X``, NaNs, non-numeric labels, a wrong delimiter, a file that is
not UTF-8 text, a directory, an .npz that is really a text file).

Whether the last column is a classification label or a regression target is decided by
:func:`dlcore.dataset.train_val_test_split` (``task=None``): labels 0..K-1 (whole numbers,
every class present) are classes; non-integer values are regression targets; whole numbers that
are not 0..K-1 (e.g. {-1, 1}, {0, 1000}, 1e30) are an error asking for ``task=`` explicitly.
"""
from __future__ import annotations

import csv
import io
import os

import numpy as np

from .dataset import DataError, Dataset, check as _check, train_val_test_split
from .errors import InvalidType
from .validate import show

__all__ = ["load_npz", "load_csv"]


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


def load_csv(path, target=-1, header="infer", delimiter=",", encoding=None, **split_kwargs) -> Dataset:
    """Load a numeric CSV; column ``target`` (index, or name if there is a header) is y.

    ``header``: "infer" (header iff the first row has a non-numeric cell), True or
    False. ``encoding``: None reads UTF-8 (or UTF-16 with a byte-order mark); pass e.g.
    ``"latin-1"`` for other files. Errors name the file line (1-based) and column. Labels must
    be numeric; classification or regression is decided as the module docstring says (pass
    ``task="classification"`` or ``task="regression"`` to say it yourself). Extra keyword
    arguments go to :func:`train_val_test_split`.
    """
    path = _file(path)
    if not (isinstance(delimiter, str) and len(delimiter) == 1):
        raise InvalidType(f"delimiter must be one character such as ',' or ';', got {show(delimiter)}")
    if not (isinstance(header, (bool, np.bool_)) or (isinstance(header, str) and header == "infer")):
        raise InvalidType(f"header must be 'infer', True or False, got {show(header)}")
    if isinstance(target, bool) or not isinstance(target, (int, np.integer, str)):
        raise InvalidType(f"target must be a column index (int) or a column name (str), got {show(target)}")
    text = _read_text(path, encoding)
    try:
        rd = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [(rd.line_num, [c.strip() for c in r]) for r in rd if any(c.strip() for c in r)]
    except csv.Error as e:
        raise DataError(f"{path}: not a readable CSV file ({e})") from None
    _check(rows, f"{path}: file is empty")
    if header == "infer":
        header = any(_num(c) is None for c in rows[0][1])
    names = rows.pop(0)[1] if header else None
    width = len(names) if names else len(rows[0][1]) if rows else 0
    hint = f" (is delimiter={delimiter!r} right?)"
    _check(width >= 2, f"{path}: need at least 2 columns, found {width}" + hint)
    if isinstance(target, str):
        _check(names is not None, f"{path}: target {target!r} given by name but file has no header")
        _check(target in names, f"{path}: no column {target!r}; columns: {names}")
        t = names.index(target)
    else:
        _check(-width <= target < width, f"{path}: target index {target} out of range for {width} columns")
        t = target % width

    data = np.empty((len(rows), width))
    for i, (line, cells) in enumerate(rows):
        _check(len(cells) == width, lambda: f"{path}: line {line} has {len(cells)} cells, expected {width}")
        for j, c in enumerate(cells):
            v = _num(c)
            if v is None or not np.isfinite(v):
                where = f"line {line}, " + (f"column {names[j]!r} (index {j})" if names else f"column index {j}")
                if c == "":
                    raise DataError(f"{path}: missing value at {where}")
                if j == t and v is None:
                    raise DataError(f"{path}: labels must be numeric; {where.split(', ')[1]} has {c!r} "
                                    f"at line {line} — encode classes as 0..K-1")
                bad = "non-numeric" if v is None else "non-finite"
                raise DataError(f"{path}: {bad} value {c!r} at {where}"
                                + (hint if any(d in c for d in ",;\t|") else ""))
            data[i, j] = v
    _check(len(rows) >= 5, f"{path}: need at least 5 data rows, got {len(rows)}")
    split_kwargs.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    try:
        return train_val_test_split(np.delete(data, t, axis=1), data[:, t], **split_kwargs)
    except DataError as e:
        raise DataError(f"{path}: label column (index {t}): {e}") from None
