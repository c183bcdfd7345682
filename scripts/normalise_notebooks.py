"""Make executed notebooks diff-stable: deterministic cell ids and widget model ids, no timing
metadata, and consecutive stream outputs merged (a busy kernel may split one cell's printout in two).

Run by ``python3 tasks.py book`` after execution; idempotent.
"""
import hashlib
import json
import re
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
    text = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    # widget model ids are random uuids: name them by notebook and by their place in the widget
    # graph (outputs in order, then the models each one refers to), so re-running gives the same file
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    if models:
        roots = re.findall(r'"model_id": "([0-9a-f]{32})"', json.dumps(nb["cells"], sort_keys=True))
        order, queue = [], list(roots)
        while queue:
            i = queue.pop(0)
            if i in models and i not in order:
                order.append(i)
                queue.extend(re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(models[i], sort_keys=True)))
        order += sorted((i for i in models if i not in order), key=lambda i: json.dumps(models[i], sort_keys=True))
        for n, old in enumerate(order):
            text = text.replace(old, f"__model_{n}__")
        for n in range(len(order)):
            text = text.replace(f"__model_{n}__", hashlib.sha1(f"{path.name}:{n}".encode()).hexdigest()[:32])
        # the explorers' status line holds a timing ("updated in 126 ms"): not content
        text = re.sub(r'"value": "updated in [0-9.]+ m?s"', '"value": "updated"', text)
        text = json.dumps(json.loads(text), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        normalise(Path(arg))
