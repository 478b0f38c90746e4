"""Every Python snippet of the README and of the docs pages runs as written.

Each ```python block is one script, run on its own with this interpreter in an empty folder
that sees the project's `worlds/` and `tests/` (the conformance data), as a reader who pastes
the block into a file at the repository root would run it. A few pages read a history that a
shell command earlier on the page made at full scale; PAGE_SETUP makes the same file with a
small world first. The snippets' outputs land under the folder's runs/ (or next to it, as the
snippet says) and nowhere in the checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
ALIFE = [sys.executable, "-m", "alife.cli"]
# Files a page's snippets read that a full-scale shell command earlier on the page makes.
PAGE_SETUP: dict[str, list[list[str]]] = {
    "docs/guide/histories.md": [
        [*ALIFE, "run", "worlds/small.toml", "--set", "num_programs=512", "--set",
         "snapshot_every=1024", "--epochs", "1100", "--quiet", "--out", "runs/bff.h5"]],
    "docs/guide/neural-soups.md": [
        [*ALIFE, "run", "worlds/neural_soup.toml", "--set", "num_programs=100", "--epochs", "8",
         "--quiet"]],
}


def _snippets() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        name = page.relative_to(ROOT).as_posix()
        for i, match in enumerate(BLOCK.finditer(page.read_text(encoding="utf-8"))):
            found.append((name, i, match.group(1)))
    return found


SNIPPETS = _snippets()
# The README's snippets run in the fast tier; the docs pages' (several train or run a soup for
# 10-50 s each) in the full suite.
CASES = [pytest.param(page, i, code, id=f"{page}#{i}",
                      marks=() if page == "README.md" else pytest.mark.slow)
         for page, i, code in SNIPPETS]


def test_the_readme_has_snippets_and_setups_name_real_pages() -> None:
    pages = {name for name, _, _ in SNIPPETS}
    assert sum(name == "README.md" for name, _, _ in SNIPPETS) >= 2
    assert set(PAGE_SETUP) <= pages


@pytest.mark.parametrize(("page", "index", "code"), CASES)
def test_snippet_runs(page: str, index: int, code: str, tmp_path: Path) -> None:
    for name in ("worlds", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                                   os.environ.get("PYTHONPATH")])),
               MPLBACKEND="Agg")
    for command in PAGE_SETUP.get(page, []):
        subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True,
                       timeout=300)
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{page} block {index}:\n{code}\n{done.stderr[-3000:]}"
