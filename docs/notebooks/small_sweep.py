# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A small sweep and its emergence statistics
#
# `alife.run.sweep.sweep` runs one world over many seeds (a spawn-based process pool here, a
# Dask cluster with `scheduler=`), writes one history per seed and a table `sweep.csv`, and
# skips finished runs when called again. This notebook sweeps the seeded soup at a small size,
# then asks the paper's questions of it: what fraction of runs transitioned (high-order
# entropy above 3), with a Wilson interval, and when (Kaplan–Meier).

# %%
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import alife
from alife.analysis.emergence import summarise_sweep
from alife.run.sweep import sweep

SEEDS = range(4)
CAP = 256
OUT = Path("runs/notebooks/sweep-seeded")

world = alife.load_world("worlds/bff_noheads_seeded.toml")
world = world.replace(num_programs=4096, epochs=CAP, report_every=16)
print(world.language, world.num_programs, "programs, cap", world.epochs, "epochs")

# %% [markdown]
# Run it: two worker processes, one numba thread each.

# %%
rows = sweep(world, SEEDS, OUT, workers=2, threads_per_run=1)
for row in sorted(rows, key=lambda r: r["seed"]):
    print(row["seed"], row["status"], row["transition_epoch"], f"{row['higher_entropy']:.3f}")

# %% [markdown]
# The same rows, read back from the table the sweep wrote.

# %%
with open(OUT / "sweep.csv", newline="") as f:
    table = list(csv.DictReader(f))
print(len(table), "rows; columns:", ", ".join(table[0])[:200])

# %% [markdown]
# Emergence across seeds: runs that never transitioned are censored at the cap.

# %%
epochs = [int(r["transition_epoch"]) if r["transition_epoch"] not in ("", "None") else None
          for r in table]
summary = summarise_sweep(epochs, caps=CAP)
record = summary.record()
print({k: record[k] for k in list(record)[:8]})

# %%
t, s = [0.0, *summary.km.times, CAP], [1.0, *summary.km.survival, summary.km.survival_at(CAP)]
fig, ax = plt.subplots(figsize=(5, 3), constrained_layout=True)
ax.step(t, s, where="post")
ax.set_xlabel("epoch")
ax.set_ylabel("runs not yet transitioned")
ax.set_ylim(0, 1.05)
fig.savefig(OUT / "survival.png")
