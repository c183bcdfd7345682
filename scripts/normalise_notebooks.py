"""Make executed notebooks diff-stable: deterministic cell ids, no timing metadata, and
consecutive stream outputs merged (a busy kernel may split one cell's printout in two).

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
        merged = []
        for out in cell.get("outputs", []):
            if (merged and out.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                prev = merged[-1]
                text = "".join(prev["text"]) + "".join(out["text"])
                prev["text"] = text.splitlines(keepends=True)
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
        md = cell.get("metadata", {})
        md.pop("execution", None)
        cell["metadata"] = md
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        normalise(Path(arg))
