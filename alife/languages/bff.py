"""The BFF family of soup languages (Agüera y Arcas et al. 2024, "Computational Life", sec. 2).

Seven languages share one table-driven numba interpreter: each byte maps to an op kind through a
256-entry table, a second table says which bytes count as the loop "zero", and two flags select
the start state (heads read from bytes 0 and 1, or all zero) and the loop rule (bracket matching,
or the fixed 8-byte jumps of ``bff8``).

The interpreter is exact (same tape, same ops as the reference step loop) but skips work:

* runs of no-op bytes are crossed in one step using a bit mask of the instruction bytes;
* bracket matches are cached and refreshed only when a write changes a bracket;
* once the tape stops changing, a repeat of (pc, head0, head1) at a backward jump proves a cycle,
  and the remaining whole periods (and the partial one, from a log of backward jumps) are
  counted arithmetically instead of executed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from alife.errors import AlifeError
from alife.languages.bff_twin import run_bff_py
from alife.languages.family import Family, Role
from alife.languages.registry import register_family

# Op kinds (0 is the no-op).
NOOP, DEC0, INC0, DEC1, INC1, PLUS, MINUS, COPY01, COPY10, LOOP, END, COPYMOVE = range(12)
#: Command character of each op kind in the text form (COPYMOVE is bff_selfmove's ``,``).
KIND_CHARS = {DEC0: "<", INC0: ">", DEC1: "{", INC1: "}", PLUS: "+", MINUS: "-",
              COPY01: ".", COPY10: ",", LOOP: "[", END: "]", COPYMOVE: ","}

_STANDARD = {ord("<"): DEC0, ord(">"): INC0, ord("{"): DEC1, ord("}"): INC1, ord("+"): PLUS,
             ord("-"): MINUS, ord("."): COPY01, ord(","): COPY10, ord("["): LOOP, ord("]"): END}
_NIBBLE = {6: LOOP, 7: END, 8: PLUS, 9: MINUS, 10: COPY01, 11: COPY10, 12: DEC0, 13: INC0,
           14: DEC1, 15: INC1}
_PERM = {1: DEC0, 2: INC0, 3: DEC1, 4: INC1, 5: PLUS, 6: MINUS, 7: COPY01, 8: COPY10, 9: LOOP,
         10: END}
_SELFMOVE = {0: INC0, 1: DEC0, 2: PLUS, 3: MINUS, 4: COPYMOVE, 5: LOOP, 6: END}


def _tables(kind_of: dict[int, int], zero_of) -> tuple[np.ndarray, np.ndarray]:
    ops = np.zeros(256, dtype=np.uint8)
    zero = np.zeros(256, dtype=np.bool_)
    for b in range(256):
        ops[b] = kind_of.get(b, NOOP)
        zero[b] = zero_of(b)
    return ops, zero


#: name -> (op table, zero table, heads start, 8-byte jumps)
BFF_VARIANTS: dict[str, tuple[np.ndarray, np.ndarray, bool, bool]] = {}
for _name, _kinds, _zero, _heads, _jump8 in [
    ("bff", _STANDARD, lambda b: b == 0, True, False),
    ("bff_noheads", _STANDARD, lambda b: b == 0, False, False),
    ("bff8", _STANDARD, lambda b: b == 0, True, True),
    ("bff8_noheads", _STANDARD, lambda b: b == 0, False, True),
    ("bff_noheads_4bit", {b: _NIBBLE[b & 15] for b in range(256) if (b & 15) in _NIBBLE},
     lambda b: (b & 15) == 0, False, False),
    ("bff_perm", _PERM, lambda b: b == 0, True, False),
    ("bff_selfmove", _SELFMOVE, lambda b: b == 0, True, False),
]:
    BFF_VARIANTS[_name] = (*_tables(_kinds, _zero), _heads, _jump8)

#: The family's languages, in variant order.
LANGUAGES = tuple(BFF_VARIANTS)
_OPS = np.stack([BFF_VARIANTS[n][0] for n in LANGUAGES])
_ZERO_BYTES = np.stack([BFF_VARIANTS[n][1] for n in LANGUAGES])
_HEADS = np.array([BFF_VARIANTS[n][2] for n in LANGUAGES])
_JUMP8 = np.array([BFF_VARIANTS[n][3] for n in LANGUAGES])

_LOG = 1024  # backward jumps remembered for the partial-period skip
_WORDS = 8  # instruction-mask words: tapes of up to 512 bytes
_FIRST_POWER = 256  # Brent re-save interval (in backward jumps) for cycles with a tail

_ONE = np.uint64(1)
_ZERO = np.uint64(0)


def scratch_ints(tape_size: int) -> int:
    """Scratch ints one call needs: bracket cache and its generations, a counter, the
    instruction mask, the cycle log. Reuse one array across calls on tapes of one size."""
    return 2 * tape_size + 1 + _WORDS + 5 * _LOG


@njit(inline="always", cache=True, nogil=True)
def _first_bit(word: np.uint64, offset: int) -> int:
    """Position of ``word``'s lowest set bit plus ``offset``; -1 for an empty word."""
    if word == _ZERO:
        return -1
    return offset + trailing_zeros(word)


@njit(inline="always", cache=True, nogil=True)
def _next_instruction(lo: np.uint64, hi: np.uint64, scratch: np.ndarray, base: int, pc: int,
                      size: int) -> int:
    """First position >= pc whose bit is set in the instruction mask; ``size`` if none.

    Bits 0-127 are the registers ``lo`` and ``hi``; longer tapes keep the rest as int64 words
    at ``scratch[base + w]`` (word w holds bits 64w..64w+63).
    """
    if pc < 64:
        q = _first_bit(lo >> np.uint64(pc), pc)
        if q < 0:
            q = _first_bit(hi, 64)
    elif pc < 128:
        q = _first_bit(hi >> np.uint64(pc - 64), pc)
    else:
        q = _first_bit(np.uint64(scratch[base + (pc >> 6)]) >> np.uint64(pc & 63), pc)
        if q < 0 and (pc >> 6) + 1 < (size + 63) >> 6:
            return _next_instruction_beyond(scratch, base, (pc >> 6) + 1, size)
        return size if q < 0 else q
    if q < 0 and size > 128:
        return _next_instruction_beyond(scratch, base, 2, size)
    return size if q < 0 else q


@njit(cache=True, nogil=True)
def _next_instruction_beyond(scratch: np.ndarray, base: int, w: int, size: int) -> int:
    """First set bit in the scratch words from word ``w`` on; ``size`` if none."""
    while (w << 6) < size:
        q = _first_bit(np.uint64(scratch[base + w]), w << 6)
        if q >= 0:
            return q
        w += 1
    return size


@njit(inline="always", cache=True, nogil=True)
def _set_bit(lo: np.uint64, hi: np.uint64, scratch: np.ndarray, base: int, pos: int,
             on: bool) -> tuple[np.uint64, np.uint64]:
    """The mask with bit ``pos`` set (or cleared): new (lo, hi); words past 127 in place."""
    bit = _ONE << np.uint64(pos & 63)
    if pos < 64:
        lo = (lo | bit) if on else (lo & ~bit)
    elif pos < 128:
        hi = (hi | bit) if on else (hi & ~bit)
    else:
        word = np.uint64(scratch[base + (pos >> 6)])
        scratch[base + (pos >> 6)] = np.int64((word | bit) if on else (word & ~bit))
    return lo, hi


@njit(cache=True, nogil=True)
def _scan_match(tape: np.ndarray, ops: np.ndarray, pc: int, forward: bool) -> int:
    """Reference bracket scan from the bracket at pc: matching position, or -1 if none."""
    depth = 1
    if forward:
        p = pc + 1
        while p < tape.shape[0]:
            k = ops[tape[p]]
            if k == END:
                depth -= 1
                if depth == 0:
                    return p
            elif k == LOOP:
                depth += 1
            p += 1
    else:
        p = pc - 1
        while p >= 0:
            k = ops[tape[p]]
            if k == END:
                depth += 1
            elif k == LOOP:
                depth -= 1
                if depth == 0:
                    return p
            p -= 1
    return -1


@njit(inline="always", cache=True, nogil=True)
def interpret(tape: np.ndarray, limit: int, variant: int, scratch: np.ndarray, stack: np.ndarray,
              src: np.ndarray, stack_src: np.ndarray, traced: bool) -> int:
    """The family's entry point (:mod:`alife.languages.family`): variant ``variant`` of
    :data:`LANGUAGES` on ``tape``; ``stack`` and ``stack_src`` are unused."""
    return _bff(tape, limit, _OPS[variant], _ZERO_BYTES[variant], _HEADS[variant],
                _JUMP8[variant], scratch, src, traced)


@njit(inline="always", cache=True, nogil=True)
def _bff(tape: np.ndarray, limit: int, ops: np.ndarray, zero: np.ndarray, heads: bool,
         jump8: bool, scratch: np.ndarray, src: np.ndarray, traced: bool) -> int:
    """Run a BFF-family tape (uint8[T], T a power of two, in place) for at most ``limit``
    steps; return ops. Heads wrap modulo T.

    ``scratch`` is an int64[scratch_ints(T)] work array; its slot 2*T holds a generation
    counter that must only grow, so one scratch array can serve many calls on tapes of length
    T. When ``traced``, ``src`` (uint16[T]) is the provenance of every tape byte and follows the
    data: ``.`` and ``,`` copy it with the byte, ``+`` and ``-`` keep it (tracer tokens, Agüera
    y Arcas et al. 2024).
    """
    size = tape.shape[0]
    wrap = size - 1
    if heads:
        h0 = np.int64(tape[0] & wrap)
        h1 = np.int64(tape[1] & wrap)
        pc = np.int64(2)
    else:
        h0 = np.int64(0)
        h1 = np.int64(0)
        pc = np.int64(0)
    # Bracket-match cache: scratch[p] = match of p, valid while scratch[size + p] == gen.
    gen = scratch[2 * size] + 1
    scratch[2 * size] = gen
    bits = 2 * size + 1  # the instruction mask past bit 127: words 2.._WORDS-1
    log0 = bits + _WORDS  # cycle log: steps, ops, pc, h0, h1 at each backward jump since the save
    lo = _ZERO
    hi = _ZERO
    for w in range((size + 63) >> 6):  # built in a register, one word at a time
        word = _ZERO
        first = w << 6
        if size - first >= 64:  # a whole word: a fixed trip count the compiler vectorises
            for j in range(64):
                if ops[tape[first + j]] != NOOP:
                    word |= _ONE << np.uint64(j)
        else:
            for j in range(size - first):
                if ops[tape[first + j]] != NOOP:
                    word |= _ONE << np.uint64(j)
        if w == 0:
            lo = word
        elif w == 1:
            hi = word
        else:
            scratch[bits + w] = np.int64(word)

    steps = np.int64(0)
    nops = np.int64(0)
    version = np.int64(0)  # bumped whenever a byte of the tape changes value
    s_version = np.int64(-1)
    s_pc = s_h0 = s_h1 = s_steps = s_ops = np.int64(0)
    jumps = np.int64(0)
    power = np.int64(_FIRST_POWER)

    while steps < limit:
        k = ops[tape[pc]]
        if k == NOOP:
            q = _next_instruction(lo, hi, scratch, bits, pc, size)
            skip = q - pc
            if steps + skip >= limit or q >= size:
                break
            steps += skip
            pc = q
            k = ops[tape[pc]]
        steps += 1
        nops += 1
        if k == INC0:
            h0 = (h0 + 1) & wrap
        elif k == DEC0:
            h0 = (h0 - 1) & wrap
        elif k == INC1:
            h1 = (h1 + 1) & wrap
        elif k == DEC1:
            h1 = (h1 - 1) & wrap
        elif k == LOOP or k == END:
            if (k == LOOP) == zero[tape[h0]]:
                if jump8:
                    pc += 8 if k == LOOP else -8
                    if pc < 0:
                        break
                else:
                    if scratch[size + pc] == gen:
                        m = scratch[pc]
                    else:
                        m = _scan_match(tape, ops, pc, k == LOOP)
                        scratch[pc] = m
                        scratch[size + pc] = gen
                    if m < 0:
                        break
                    pc = m
                    if k == END:
                        # Backward jump: the only place a cycle can close.
                        if s_version == version and pc == s_pc and h0 == s_h0 and h1 == s_h1:
                            period = steps - s_steps
                            gained = nops - s_ops
                            full = (limit - steps) // period
                            steps += full * period
                            nops += full * gained
                            rest = limit - steps
                            # The future repeats the logged jumps: jump to the last one in reach.
                            best = np.int64(-1)
                            n = min(jumps, _LOG)
                            for j in range(n):
                                d = scratch[log0 + 5 * j] - s_steps
                                if d <= rest:
                                    best = j
                                else:
                                    break
                            if best >= 0 and jumps <= _LOG:
                                e = log0 + 5 * best
                                steps += scratch[e] - s_steps
                                nops += scratch[e + 1] - s_ops
                                pc = scratch[e + 2]
                                h0 = scratch[e + 3]
                                h1 = scratch[e + 4]
                            s_version = -1
                        elif s_version != version or jumps >= power:
                            if s_version == version:
                                power *= 2
                            else:
                                power = _FIRST_POWER
                            s_version = version
                            s_pc = pc
                            s_h0 = h0
                            s_h1 = h1
                            s_steps = steps
                            s_ops = nops
                            jumps = 0
                        else:
                            if jumps < _LOG:
                                e = log0 + 5 * jumps
                                scratch[e] = steps
                                scratch[e + 1] = nops
                                scratch[e + 2] = pc
                                scratch[e + 3] = h0
                                scratch[e + 4] = h1
                            jumps += 1
        else:
            # Writes: PLUS, MINUS, COPY01, COPY10, COPYMOVE.
            if k == PLUS:
                dst = h0
                origin = h0
                new = np.uint8(tape[h0] + np.uint8(1))
            elif k == MINUS:
                dst = h0
                origin = h0
                new = np.uint8(tape[h0] - np.uint8(1))
            elif k == COPY01:
                dst = h1
                origin = h0
                new = tape[h0]
            else:  # COPY10 and COPYMOVE
                dst = h0
                origin = h1
                new = tape[h1]
                if k == COPYMOVE:
                    h1 = (h1 + 1) & wrap
            old = tape[dst]
            if traced and src[dst] != src[origin]:
                # Provenance is part of the state the cycle skip compares.
                src[dst] = src[origin]
                if old == new:
                    version += 1
            if old != new:
                tape[dst] = new
                version += 1
                ko = ops[old]
                kn = ops[new]
                if (ko == NOOP) != (kn == NOOP):
                    lo, hi = _set_bit(lo, hi, scratch, bits, dst, kn != NOOP)
                if ko != kn and (ko == LOOP or ko == END or kn == LOOP or kn == END):
                    gen += 1
                    scratch[2 * size] = gen
        pc += 1
        if pc >= size:
            break
    return nops


# --- text form, roles and the declaration -----------------------------------------------------

_PRIVATE_BASE = 0x100  # a byte b with no character of its own is written as U+0100+b


@cache
def _text_maps(language: str) -> tuple[tuple[str, ...], dict[str, int]]:
    """(character of each byte, byte of each character) of ``language``'s text form.

    Commands are their characters, the loop-zero byte ``0``, every other byte ``b`` the single
    character U+0100+b (the reference's scheme). Where several bytes share a command
    (``bff_noheads_4bit``), the character stands for the byte the reference's parser produces
    (the largest such byte), so ``parse(disassemble(p)) == p`` for every program.
    """
    ops, zero, _, _ = BFF_VARIANTS[language]
    to_byte: dict[str, int] = {}
    for b in range(256):
        kind = int(ops[b])
        if kind != NOOP:
            to_byte[KIND_CHARS[kind]] = b  # last (largest) byte wins, as in the reference
        elif zero[b]:
            to_byte["0"] = b
    canonical = {b: c for c, b in to_byte.items()}
    chars = tuple(canonical.get(b, chr(_PRIVATE_BASE + b)) for b in range(256))
    for b in range(256):
        to_byte[chr(_PRIVATE_BASE + b)] = b
    return chars, to_byte


def disassemble(language: str, program: bytes) -> str:
    """Bytes -> BFF text (languages.md, "Text form of programs")."""
    chars, _ = _text_maps(language)
    return "".join(chars[b] for b in program)


def parse(language: str, text: str) -> bytes:
    """BFF text -> bytes (whitespace ignored); an unknown character is an :class:`AlifeError`."""
    _, to_byte = _text_maps(language)
    out = bytearray()
    for i, c in enumerate(text):
        if c.isspace():
            continue
        b = to_byte.get(c)
        if b is None:
            allowed = "".join(sorted(k for k in to_byte if ord(k) < _PRIVATE_BASE))
            raise AlifeError(
                f"invalid {language} program: character {c!r} at position {i} is not part of "
                f"the language (accepted: {allowed!r}, and U+0100+b for any other byte b)")
        out.append(b)
    return bytes(out)


def instructions(language: str) -> np.ndarray:
    """bool[256]: bytes whose op is not the no-op (the loop-zero byte is data)."""
    return BFF_VARIANTS[language][0] != NOOP


_ROLE_OF_KIND = {LOOP: Role.CONTROL, END: Role.CONTROL, PLUS: Role.WRITE, MINUS: Role.WRITE,
                 COPY01: Role.WRITE, COPY10: Role.WRITE, COPYMOVE: Role.WRITE,
                 DEC0: Role.MOVE, INC0: Role.MOVE, DEC1: Role.MOVE, INC1: Role.MOVE}
_ROLE_NAMES = {Role.CONTROL: "loop", Role.WRITE: "edit / copy", Role.MOVE: "head move"}


def roles(language: str) -> np.ndarray:
    """uint8[256]: loops control, edits and copies write, head moves move, the rest other."""
    ops = BFF_VARIANTS[language][0]
    return np.array([_ROLE_OF_KIND.get(int(k), Role.OTHER) for k in ops], dtype=np.uint8)


def legend(language: str) -> list[tuple[Role, str]]:
    """(role, label) of every colour ``language``'s bytes take, byte 0 first."""
    ops, zero, _, _ = BFF_VARIANTS[language]
    kind0 = int(ops[0])
    what = [f"also {KIND_CHARS[kind0]}"] if kind0 != NOOP else []
    what += ["loop zero"] if zero[0] else []
    out: list[tuple[Role, str]] = [(Role.ZERO, "byte 0" + (f" ({', '.join(what)})"
                                                            if what else ""))]
    for role in (Role.CONTROL, Role.WRITE, Role.MOVE):
        kinds = [k for k, r in _ROLE_OF_KIND.items() if r == role and np.any(ops[1:] == k)]
        if kinds:
            symbols = " ".join(dict.fromkeys(KIND_CHARS[k] for k in kinds))
            out.append((role, f"{_ROLE_NAMES[role]}: {symbols}"))
    if np.any(ops[1:] == NOOP):
        out.append((Role.OTHER, "no-op"))
    return out


_EFFECT = {NOOP: "no-op", INC0: "head0 += 1", DEC0: "head0 -= 1", INC1: "head1 += 1",
           DEC1: "head1 -= 1", PLUS: "tape[head0] += 1", MINUS: "tape[head0] -= 1",
           COPY01: "tape[head1] = tape[head0]", COPY10: "tape[head0] = tape[head1]",
           COPYMOVE: "tape[head0] = tape[head1]; head1 += 1",
           LOOP: "if tape[head0] == 0: jump past the matching ]",
           END: "if tape[head0] != 0: jump back to the matching ["}


def explain(language: str, byte: int) -> str:
    """What ``byte`` does as the next instruction (the viewer's trace panel)."""
    kind = int(BFF_VARIANTS[language][0][byte])
    chars, _ = _text_maps(language)
    what = f"'{chars[byte]}'" if kind != NOOP else f"byte {byte:#04x}"
    return f"{what}  {_EFFECT[kind]}"


FAMILY = register_family(Family(
    name="bff", languages=LANGUAGES, interpret=interpret, twin=run_bff_py, parse=parse,
    disassemble=disassemble, instructions=instructions, roles=roles, legend=legend,
    explain=explain, scratch_ints=scratch_ints, stack_bytes=1,
    reference="cubff",
    description="Brainfuck with two heads on the shared tape (sec. 2)"))
