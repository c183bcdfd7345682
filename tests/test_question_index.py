"""The preface's question index points at things that exist: every section it names is a heading of
that chapter's notebook, every explorer in italics is an explorer of the book, and every `name` in
backticks is defined in dlcore or widgets (a function, class or module attribute)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _rows():
    text = (BOOK / "00_preface.py").read_text(encoding="utf-8")
    part = text[text.index("## Question index"):]
    rows = []
    for line in part.splitlines():
        cells = [c.strip() for c in line.lstrip("# ").strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("question", "---") and not set(cells[0]) <= set("-"):
            rows.append(cells)
    return rows


def _chapter_file(nn: str) -> Path:
    found = sorted(BOOK.glob(f"{nn}_*.py"))
    assert found, f"no notebook source book/{nn}_*.py"
    return found[0]


def _defined_names() -> set[str]:
    names = set()
    for folder in ("dlcore", "widgets"):
        for py in (ROOT / folder).rglob("*.py"):
            src = py.read_text(encoding="utf-8")
            names |= set(re.findall(r"^\s*(?:def|class)\s+(\w+)", src, flags=re.M))
            names |= set(re.findall(r"^(\w+)\s*=", src, flags=re.M))
            names.add(py.stem)
    return names


ROWS = _rows()


def test_the_index_has_rows_for_every_written_chapter():
    chapters = {p.name[:2] for p in BOOK.glob("[0-9][0-9]_*.py")} - {"00"}
    cited = {m for r in ROWS for m in re.findall(r"\b(\d\d) (?:§|E)", r[2])}
    assert chapters <= cited, f"chapters without a row in the question index: {sorted(chapters - cited)}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0][:50])
def test_each_row_points_at_existing_sections_explorers_and_functions(row):
    question, chinese, where, live = row
    assert question and chinese, "a row needs the English question and the Chinese one"
    if "coming" in where:
        return
    SEC = r"\d+\.\d+(?:–\d+\.\d+)?"
    for nn, sections in re.findall(rf"\b(\d\d) §({SEC}(?:, §?{SEC})*)", where):
        src = _chapter_file(nn).read_text(encoding="utf-8")
        for sec in re.findall(r"\d+\.\d+", sections):
            assert re.search(rf"^# ##+ {re.escape(sec)}\b", src, flags=re.M), f"{nn} has no section {sec}"
    for nn, ex in re.findall(r"\b(\d\d) (E\d+\.\d+)", where + " " + live):
        assert re.search(rf"\b{re.escape(ex)}\b", _chapter_file(nn).read_text(encoding="utf-8")), f"{nn}: no {ex}"
    from widgets.discover import explorer_classes
    explorers = {cls.__name__ for _, cls in explorer_classes()}
    for name in re.findall(r"\*(\w+Explorer)\*", live):
        assert name in explorers, f"{name} is not an explorer of the book"
    names = _defined_names()
    for name in re.findall(r"`([\w.]+)`", live):
        assert name.split(".")[-1] in names, f"`{name}` is not defined in dlcore or widgets"
