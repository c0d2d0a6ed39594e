"""The Python examples of the README (its quickstart) and of docs/python.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_blocks(path: Path, text: str) -> int:
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    for block in blocks:
        exec(compile(block, str(path), "exec"), {"__name__": "readme"})
    return len(blocks)


def test_readme_python_quickstart_runs() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## Quickstart (Python)\n", 1)[1].split("\n## ", 1)[0]
    assert run_blocks(readme, section) == 1, "README.md has no Python quickstart"


def test_the_python_guide_runs() -> None:
    guide = ROOT / "docs" / "python.md"
    assert run_blocks(guide, guide.read_text(encoding="utf-8")) >= 2
