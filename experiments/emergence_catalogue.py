"""The named experiments of the emergence reproduction (Agüera y Arcas et al. 2024, "Computational
Life", sec. 2-5): each one's world, what the paper reports, how it is measured and what was cut
to fit a 2-core machine.

``experiments/emergence_chunks.py`` runs them in chunks of seeds; this module only says what
they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alife.languages import reference_names

PAPER_N = 131072  #: the paper's soup: 2^17 programs of 64 bytes
CAP = 16384  #: the paper's epoch cap for the transition fraction
SHORT_CAP = 4096  #: the cap of the experiments cut to fit the compute
SCREEN_CAP = 2048  #: the cap of the 13-language screen
#: The most common program of the reference's emerged bff_noheads soup (seed 0, epoch 3073,
#: replication score 64), as in worlds/bff_noheads_seeded.toml.
BFF_REPLICATOR = "Ŕ[[<,ĤŠǠģŘǠǝŠĴĤ}Ǉż]œ<ƣ}źźǒťŨƴŉǱŹ,ǿƢǿǿǿǿǏƴ.ǿǿ.<œ]żǇ}ĤĴŠǝǾķģǠŠǾ,<["
#: Hand-written SUBLEQ and RSUBLEQ4 replicators (two hex digits per byte; replication score 64
#: of 64). Each copies its 64 bytes into the partner's half in a 64-pass self-modifying loop,
#: then subtracts 64 from each pointer and counter it advanced (restoring itself) and, in the
#: copy, the pass number at which each of those bytes was copied (restoring the child).
#: docs/guide/worlds.md, "Hand-written SUBLEQ replicators", lays them out instruction by
#: instruction.
SUBLEQ_REPLICATOR = ("40400339000640390939390c003a0f013a12043a15063a183c3a00003b1e013b21043b24"
                     "063b273c3b2a410f2d4412304615337c183639397f00ff40c1000000")
RSUBLEQ4_REPLICATOR = ("40002804fcfc2504f9f921041f1f1df4f0f01a04eded160413131204252510044b4b0d04"
                       "04040464" "00ff40c1012b" + "00" * 18)
#: How an experiment's runs are counted.
MEASURES = ("transition", "windows", "takeover")


@dataclass(frozen=True)
class Experiment:
    """A named sweep: its world, the paper's claim, how it is counted and what differs."""

    name: str
    keys: dict[str, Any]
    paper: str  #: what the paper reports for it
    group: str  #: the README table it belongs to
    seeds: int  #: seeds planned
    measure: str = "transition"  #: one of MEASURES
    cut: str = ""  #: how the setup differs from the paper's (empty: the paper's setup)
    compare: tuple[str, ...] = field(default=())  #: experiments drawn beside it
    images: int = 0  #: soup pictures kept at the transition (of the first transitioned seeds)


def _soup(language: str, epochs: int = CAP, **keys: Any) -> dict[str, Any]:
    return {"language": language, "num_programs": PAPER_N, "epochs": epochs,
            "until": "higher_entropy>3", **keys}


_SHORT = (f"cap {SHORT_CAP} epochs, not the paper's {CAP}: compared with the default rate's "
          f"runs at epoch {SHORT_CAP}")


def _catalogue() -> list[Experiment]:
    out = [
        Experiment("bff_noheads_16k", _soup("bff_noheads"),
                   "about 40 % of runs transition within 16k epochs (paper, sec. 2.2)",
                   "headline", 50, cut="50 seeds, not the paper's about 1,000"),
        Experiment("mutation_0_4k", _soup("bff_noheads", SHORT_CAP, mutation_prob=0.0),
                   "replicators still arise without background mutation (paper, Fig. 6)",
                   "mutation", 20, cut=_SHORT, compare=("bff_noheads_16k",)),
        Experiment("mutation_0.001_4k", _soup("bff_noheads", SHORT_CAP, mutation_prob=0.001),
                   "higher mutation rates transition sooner (paper, Fig. 6)",
                   "mutation", 20, cut=_SHORT, compare=("bff_noheads_16k",)),
        Experiment("mutation_0.01_4k", _soup("bff_noheads", SHORT_CAP, mutation_prob=0.01),
                   "higher mutation rates transition sooner (paper, Fig. 6)",
                   "mutation", 20, cut=_SHORT, compare=("bff_noheads_16k",)),
        Experiment("fixed_shuffle_0_4k",
                   _soup("bff_noheads", SHORT_CAP, mutation_prob=0.0, pairing="fixed_shuffle"),
                   "replicators arise with neither mutation nor random pairing (paper, Fig. 7)",
                   "controls", 10, cut=_SHORT + "; 10 seeds",
                   compare=("mutation_0_4k",)),
        Experiment("reset_128",
                   {**_soup("bff_noheads", CAP, reset_interval=128), "until": "",
                    "report_every": 32},
                   "soups reset every 128 epochs do not transition: replicators need "
                   "interaction time, not a lucky initial soup (paper, Fig. 7)",
                   "controls", 2, measure="windows",
                   cut="2 seeds of 16,384 epochs: 256 windows, each seen 32, 64 and 96 epochs "
                   "after its reset"),
        Experiment("takeover",
                   _soup("bff_noheads", SCREEN_CAP, program=BFF_REPLICATOR),
                   "one replicator seeded in a random soup takes it over (paper, Fig. 7)",
                   "controls", 20, measure="takeover",
                   cut=f"cap {SCREEN_CAP} epochs; the replicator is the reference's emerged "
                   "one (seed 0)"),
        Experiment("forthtrivial_16k", {**_soup("forthtrivial"), "report_every": 8},
                   "almost all runs transition within 1k epochs (paper, sec. 4)",
                   "languages", 20, cut="20 seeds; reports every 8 epochs (a transitioned "
                   "forthtrivial soup runs nearly every tape to the step limit, so a run stops "
                   "soon after its crossing)"),
        Experiment("takeover_subleq", _soup("subleq", SCREEN_CAP, program=SUBLEQ_REPLICATOR),
                   "no spontaneous replicators, but a seeded one takes over (paper, sec. 5)",
                   "languages", 10, measure="takeover",
                   cut=f"cap {SCREEN_CAP} epochs; our own hand-written replicator"),
        Experiment("takeover_rsubleq4",
                   _soup("rsubleq4", SCREEN_CAP, program=RSUBLEQ4_REPLICATOR),
                   "no spontaneous replicators, but a seeded one takes over (paper, sec. 5)",
                   "languages", 10, measure="takeover",
                   cut=f"cap {SCREEN_CAP} epochs; our own hand-written replicator"),
        Experiment("bff_noheads_2d_paper",
                   {**_soup("bff_noheads", num_programs=32400, grid=[240, 135],
                            hamming_radius=4), "until": ""},
                   "replicators arise on the 240 x 135 grid and several species coexist "
                   "(paper, sec. 2.4)", "2d", 10, images=3,
                   cut="10 seeds; each run goes on to the cap past its transition, to see "
                   "which species coexist"),
    ]
    for language in reference_names("cubff"):  # the paper's 13 (cubff's)
        out.append(Experiment(
            f"screen_{language}", {**_soup(language, SCREEN_CAP), "report_every": 16},
            _SCREEN_PAPER.get(
                language, "no figure in the paper"), "screen", 10,
            cut=f"cap {SCREEN_CAP} epochs, 10 seeds, reports every 16 epochs: a screen, not "
            "a measurement"))
    return out


_SCREEN_PAPER = {
    "bff_noheads": "about 40 % within 16k epochs (paper, sec. 2.2)",
    "forthtrivial": "almost all runs within 1k epochs (paper, sec. 4)",
    "subleq": "no spontaneous replicators (paper, sec. 5)",
    "rsubleq4": "no spontaneous replicators (paper, sec. 5)",
}

EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in _catalogue()}
GROUPS = tuple(dict.fromkeys(e.group for e in EXPERIMENTS.values()))
