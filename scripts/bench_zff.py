"""The zff Z80 soup's speed beside zff's own C core, alternating rounds in one run
(Agüera y Arcas et al. 2024, Fig. 12; docs/design/z80.md, "Speed, measured").

    python scripts/bench_zff.py [--native PATH] [--rounds 3] [--batches 100]

``--native`` is zff's soup built natively with scripts/zff_native_driver.c:

    git clone https://github.com/znah/zff && cd zff
    gcc -O2 -c wasm/main.c -o main.o
    gcc -O2 "-Dfprintf(...)=0" -c external/z80.c -o z80.o
    gcc -O2 -Dbatch=wbatch -Dget_batch=get_wbatch -Dget_batch_len=get_wbatch_len \\
        -Dwrite_count=wwrite_count -Dget_write_count=get_wwrite_count \\
        -Dget_write_count_len=get_wwrite_count_len -c wasm/z80worker.c -o worker.o
    gcc -O2 PATH/TO/scripts/zff_native_driver.c main.o worker.o z80.o -o zff_native

Without it only ours is timed. Each round runs seed 6 for the given batches: zff's C (one
thread), then ``ZffSoup`` on 1 and on 2 threads; both soups' SHA-256 must agree.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time

import numba

from alife.soup.zff import ZffSoup


def ours(threads: int, batches: int) -> tuple[float, float, str]:
    """(ms per batch, M ops/s, soup hash) of ``batches`` batches of seed 6."""
    numba.set_num_threads(threads)
    ZffSoup(6).step()  # compiled before timing
    soup = ZffSoup(6)
    t0 = time.perf_counter()
    ops = sum(soup.step()[1] for _ in range(batches))
    dt = time.perf_counter() - t0
    return 1000 * dt / batches, ops / dt / 1e6, hashlib.sha256(soup.soup.tobytes()).hexdigest()


def native(path: str, batches: int) -> tuple[float, float, str]:
    """The same from zff's C build."""
    out = subprocess.run([path, "6", str(batches)], capture_output=True, check=True)
    line = out.stderr.decode().strip().splitlines()[-1]
    ms = float(line.split(": ")[1].split(" ms")[0])
    mops = float(line.rsplit(", ", 1)[1].split(" M")[0])
    return ms, mops, hashlib.sha256(out.stdout).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Alternate the rounds; print one line per round and the ratios."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--native", default=None)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--batches", type=int, default=100)
    a = p.parse_args(argv)
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    for r in range(a.rounds):
        row = [f"round {r}:"]
        c = native(a.native, a.batches) if a.native else None
        one, two = ours(1, a.batches), ours(threads, a.batches)
        if c:
            if c[2] != one[2]:
                print(f"bench_zff: error: zff's soup and ours differ after {a.batches} batches",
                      file=sys.stderr)
                return 1
            row.append(f"zff C {c[0]:.1f} ms/batch ({c[1]:.0f} M ops/s) |")
        for label, t in (("1 thread", one), (f"{threads} threads", two)):
            ratio = f", zff/ours {c[0] / t[0]:.2f}" if c else ""
            row.append(f"ours {label} {t[0]:.1f} ms ({t[1]:.0f} M ops/s{ratio}) |")
        print(" ".join(row).rstrip(" |"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
