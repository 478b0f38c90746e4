#!/usr/bin/env python3
"""The GPU check, in one go for a machine with an NVIDIA GPU (alife.run.bench_gpu;
docs/design/gpu.md): the conformance soups on the device against the reference's bytes, then
epochs/s of the three phases of ``alife bench`` on the CPU engine, one soup on the GPU, and K
soups batched on the GPU.

    python scripts/bench_gpu.py [--out results.json] [--k 8,32,128] [--programs 131072]

``NUMBA_ENABLE_CUDASIM=1`` runs it all on the CUDA simulator at a tiny size (``--programs 64
--epochs 2 --k 2``), which is how it is tested. Exit status 1 if any byte differs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--k", default="8,32,128", help="batch sizes (default 8,32,128)")
    parser.add_argument("--programs", type=int, default=131072)
    parser.add_argument("--epochs", type=int, default=129)
    parser.add_argument("--languages", default="", help="conformance languages (default: "
                        "cubff's 13)")
    args = parser.parse_args(argv)
    from alife.errors import AlifeError
    from alife.languages import reference_names
    from alife.run.bench_gpu import run_all, table
    from alife.soup.gpu import check_device

    try:
        check_device("cuda")
        ks = [int(k) for k in args.k.split(",") if k]
    except (AlifeError, ValueError) as exc:
        print(f"bench_gpu: error: {exc}", file=sys.stderr)
        return 2
    languages = [s for s in args.languages.split(",") if s] or reference_names("cubff")
    t0 = time.perf_counter()
    result = run_all(args.programs, args.epochs, ks, languages)
    print(f"conformance on the device: {sum(result['conformance'].values())} of "
          f"{len(languages)} languages byte-identical; {time.perf_counter() - t0:.0f} s in all")
    print(table(result))
    if args.out is not None:
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        os.replace(tmp, args.out)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
