"""The book's output comparison (book/conftest.py): text exact, numbers to their printed precision."""
import importlib.util
from pathlib import Path

import nbformat
import pytest

_spec = importlib.util.spec_from_file_location(
    "book_conftest", Path(__file__).resolve().parents[1] / "book" / "conftest.py")
book_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(book_conftest)
numbers_agree, harmonise = book_conftest.numbers_agree, book_conftest.harmonise


@pytest.mark.parametrize("ref, test", [
    ("accuracy 0.85", "accuracy 0.86"),                  # one unit of the last digit: a rounding flip
    ("84.8%", "84.9%"),
    ("error 1.2e-10", "error 1.3e-10"),
    ("9.62e-01", "9.63e-01"),
    ("0.941 ± 0.003", "0.942 ± 0.005"),                  # the cell's own spread
    ("0.906 ± 0.024", "0.907 ± 0.008"),
    ("0.9 +- 0.1", "0.95 +- 0.12"),
    ("0.69 ± 0.01", "0.68 ± 0.03"),                    # spreads of 5 seeds: within a factor 5
    ("0.30 ± 0.03", "0.37 ± 0.11"),                    # measured: ch02 under two kernels
    ("0.50 ± 0.05", "0.59 ± 0.05"),                    # the mean within 2 s
    ("[0.89 0.84]", "[0.9  0.84]"),                      # numpy alignment: whitespace is not content
    ("dead in 5 of 5 seeds", "dead in 5 of 5 seeds"),
    ("time <time>", "time <time>"),
])
def test_agreeing_outputs(ref, test):
    assert numbers_agree(ref, test)


@pytest.mark.parametrize("ref, test", [
    ("accuracy 0.85", "accuracy 0.87"),                  # two units: a real change
    ("train accuracy 0.733", "train accuracy 0.848"),
    ("error 1.1e-10", "error 9.5e-11"),                  # round-off printed as digits is caught
    ("dead in 5 of 5 seeds", "dead in 4 of 5 seeds"),    # integers are claims: exact
    ("diverged at step 211", "diverged at step 212"),
    ("accuracy 0.216", "accuracy nan"),
    ("0.941 ± 0.003", "0.950 ± 0.003"),                  # the mean moved by 3 s
    ("0.941 ± 0.003", "0.941 ± 0.016"),                  # spread more than 5x
    ("0.89 ± 0.04", "0.50 ± 0.04"),
    ("relu  keeps learning", "relu  diverges"),
    ("a 0.5 b", "a 0.5"),
])
def test_disagreeing_outputs(ref, test):
    assert not numbers_agree(ref, test)


def test_harmonise_replaces_only_agreeing_texts_and_keeps_nbformat_nodes():
    stream = lambda text: nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": text})
    result = lambda text: nbformat.from_dict({"output_type": "execute_result", "execution_count": 1,
                                              "metadata": {}, "data": {"text/plain": text}})
    ref = [stream("acc 0.85\n"), result("0.5")]
    test = [stream("acc 0.86\n"), result("0.7")]
    out = harmonise(test, ref)
    assert out[0].output_type == "stream" and out[0].text == "acc 0.86\n"
    assert out[1].data["text/plain"] == "0.5"                    # outside tolerance: left for nbval to report
    assert ref[0].text == "acc 0.85\n"                           # the committed reference is not modified


@pytest.mark.parametrize("printed, passes", [("0.86", True), ("0.87", False)])
def test_nbval_uses_the_comparison(tmp_path, printed, passes):
    """End to end: a notebook whose committed output is 0.85 re-run by pytest --nbval with the book's conftest."""
    import shutil
    import subprocess
    import sys
    shutil.copy(Path(_spec.origin), tmp_path / "conftest.py")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"print('accuracy {printed} over 5 seeds')", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="accuracy 0.85 over 5 seeds\n")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                        "--nbval", "--nbval-current-env", "--rootdir", str(tmp_path), str(tmp_path / "nb.ipynb")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert (r.returncode == 0) == passes, r.stdout[-2000:]
    assert ("1 passed" if passes else "outputs differ") in r.stdout, r.stdout[-2000:]
