"""Small commands: ``alife languages``, ``alife disasm``, ``alife bench``."""

from __future__ import annotations

import argparse

from alife.errors import AlifeError


def cmd_languages(args: argparse.Namespace) -> int:
    """List the registered languages."""
    from alife.languages import REGISTRY

    print(f"{'language':20s} {'family':8s} {'program bytes':>13s}  description")
    for lang in REGISTRY.values():
        family = lang.family
        print(f"{lang.name:20s} {family.name:8s} {family.program_size:>13d}  "
              f"{family.description}")
    return 0


def cmd_disasm(args: argparse.Namespace) -> int:
    """Disassemble hex bytes, or parse program text to hex."""
    from alife.languages import get

    lang = get(args.language)
    if args.parse:
        print(lang.parse(args.program).hex())
    else:
        try:
            data = bytes.fromhex(args.program)
        except ValueError:
            raise AlifeError(f"{args.program!r} is not hex bytes (two hex digits per byte)") \
                from None
        print(lang.disassemble(data))
    return 0


def _bench_device(args: argparse.Namespace) -> int:
    """``alife bench --device cuda``: the GPU check of alife.run.bench_gpu (conformance bytes
    on the device, then the three phases on the CPU engine, one GPU soup, K batched)."""
    import json

    from alife.languages import reference_names
    from alife.run.bench_gpu import run_all, table
    from alife.soup.gpu import check_device

    check_device(args.device)
    try:
        ks = [int(k) for k in str(args.batch).split(",") if k.strip()]
    except ValueError:
        raise AlifeError(f"--batch {args.batch!r}: accepted batch sizes such as 8,32,128") \
            from None
    if not ks or min(ks) < 1:
        raise AlifeError(f"--batch {args.batch!r}: accepted batch sizes such as 8,32,128")
    result = run_all(args.num_programs, args.epochs or 129, ks, reference_names("cubff"))
    print(json.dumps(result, indent=1) if args.json else table(result))
    return 0 if result["ok"] else 1


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmark the soup engine against the reference figures."""
    from alife.world import MAX_PROGRAMS

    n = args.num_programs
    if not (2 <= n <= MAX_PROGRAMS and n % 2 == 0):
        raise AlifeError(f"--num-programs {n}: accepted an even integer in [2, 2^30]")
    if args.history:
        last = str(args.threads).split(",")[-1].strip()
        if not last.isdigit() or int(last) < 1:
            raise AlifeError(f"--threads {args.threads!r}: with --history one thread count (its "
                             "last is used); accepted: an integer >= 1, e.g. --threads 2")
        from alife.run.bench_history import main as history_main

        return history_main(args)
    if args.device != "cpu":
        return _bench_device(args)
    from alife.run.bench import main as bench_main

    return bench_main(args)

