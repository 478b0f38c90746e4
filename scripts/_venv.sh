# Sourced by scripts/run, scripts/alife and scripts/test: create (once) and reuse the local
# virtual environment .venv/, installing what the caller needs: ALIFE_EXTRAS="" (the core: what
# a soup needs; scripts/run and scripts/alife) or "dev" (the tests, the docs site and every
# extra; scripts/test). An install is redone only when pyproject.toml changed since it was made;
# the dev install covers the core. ALIFE_PYTHON=/path/to/python skips the venv and uses that
# interpreter with this checkout first on its path (a test runs a fresh clone this way).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${ALIFE_PYTHON:-}" ]; then
    export PATH="$(dirname "$ALIFE_PYTHON"):$PATH"
    export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
    return 0 2>/dev/null || exit 0
fi
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
EXTRAS="${ALIFE_EXTRAS:-}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "creating the virtual environment $VENV (once)" >&2
    "$PY" -m venv "$VENV"
fi
stamp_for() { echo "$VENV/.alife-installed${1:+-$1}"; }
fresh() { [ -f "$1" ] && [ "$1" -nt "$ROOT/pyproject.toml" ]; }
if ! fresh "$(stamp_for "$EXTRAS")" && ! fresh "$(stamp_for dev)"; then
    if [ -n "$EXTRAS" ]; then
        echo "installing alife[$EXTRAS] into $VENV (tests, docs and every extra: about 5 minutes, 2 GB, once)" >&2
        target="$ROOT[$EXTRAS]"
    else
        echo "installing alife and its core dependencies into $VENV (about a minute, 600 MB, once)" >&2
        target="$ROOT"
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e "$target" >&2
    touch "$(stamp_for "$EXTRAS")"
fi
export PATH="$VENV/bin:$PATH"
