"""Every project path the README and the docs name exists (files move; the docs must follow)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# A path into the project's own folders, without wildcards or placeholders.
PATH = re.compile(r"(?<![\w./-])((?:alife|tests|scripts|analyses|experiments|worlds|docs)"
                  r"/[\w./-]*[\w])")


def _named() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in PATH.finditer(text):
            out.append((page.relative_to(ROOT).as_posix(), match.group(1)))
    return out


NAMED = _named()


def test_the_docs_name_paths() -> None:
    assert len(NAMED) > 50


@pytest.mark.parametrize(("page", "path"), sorted(set(NAMED)),
                         ids=[f"{p}:{q}" for p, q in sorted(set(NAMED))])
def test_a_named_path_exists(page: str, path: str) -> None:
    where = ROOT / path
    # a figure named in a page that shows it is relative to docs/ only in links, handled by
    # mkdocs --strict; here every name is read from the repository root
    assert where.exists() or (ROOT / "docs" / path).exists(), f"{page} names {path}"
