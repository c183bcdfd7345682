"""Make executed notebooks diff-stable: deterministic cell ids, no timing metadata.

Run by ``python3 tasks.py book`` after execution; idempotent.
"""
import hashlib
import json
import sys
from pathlib import Path


def normalise(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb.get("cells", [])):
        src = "".join(cell.get("source", []))
        cell["id"] = hashlib.sha1(f"{i}:{src}".encode()).hexdigest()[:12]
        md = cell.get("metadata", {})
        md.pop("execution", None)
        cell["metadata"] = md
    meta = nb.get("metadata", {})
    meta.get("widgets", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        normalise(Path(arg))
