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
# # Reading a history while the run goes on
#
# A run writes its HDF5 history in SWMR mode, so a notebook can open it and watch reports
# arrive. This notebook starts a small soup in a background process, reads its metrics with
# `alife.history.History` (and as an `xarray` dataset) while it runs, plots them, and looks at
# the most common programs at the end. Raise `NUM_PROGRAMS` and `EPOCHS` for a real soup (the
# paper's is 131072 programs, about 3,000 epochs to its transition).

# %%
import subprocess
import sys
import time
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")  # no screen needed; in Jupyter the figures show inline anyway
import matplotlib.pyplot as plt
import xarray as xr

import alife.languages as languages
from alife.history import History

NUM_PROGRAMS = 8192
EPOCHS = 1024
OUT = Path("runs/notebooks/live.h5")
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.unlink(missing_ok=True)

# %% [markdown]
# Start `alife run` in the background: the seeded world (a random soup plus 8 copies of a known
# replicator), reporting every 8 epochs, until high-order entropy exceeds 3 (the world's stop
# condition) or `EPOCHS` epochs.

# %%
run = subprocess.Popen(
    [sys.executable, "-m", "alife.cli", "run", "worlds/bff_noheads_seeded.toml",
     "--set", f"num_programs={NUM_PROGRAMS}", "--set", "report_every=8",
     "--epochs", str(EPOCHS), "--threads", "1", "--quiet", "--out", str(OUT)],
    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

# wait until the file holds its first reports
deadline = time.time() + 120
while time.time() < deadline:
    if OUT.exists():
        try:
            with History(OUT) as h:
                if len(h.metrics()["epoch"]) >= 2:
                    break
        except Exception:  # the writer is still creating the file
            pass
    time.sleep(0.2)

# %% [markdown]
# Open the history while the writer is still appending: `refresh()` brings in the reports that
# landed since the file was opened.

# %%
live = History(OUT)
seen = [len(live.metrics()["epoch"])]
for _ in range(5):
    time.sleep(0.5)
    seen.append(len(live.refresh().metrics()["epoch"]))
print("status", live.status, "- reports seen:", seen)

# %% [markdown]
# The same file with plain h5py, as any HDF5 tool sees it: open it read-only in SWMR mode, and
# `refresh()` a dataset to see the rows appended since.

# %%
with h5py.File(OUT, "r", swmr=True, libver="latest") as f:
    print(sorted(f), "status:", f.attrs["status"])
    epoch = f["metrics/epoch"]
    before = epoch.shape[0]
    time.sleep(0.5)
    epoch.refresh()
    print("metrics/epoch rows:", before, "->", epoch.shape[0],
          "| snapshots:", f["snapshots/epoch"][:].tolist())

# %% [markdown]
# The metrics as an xarray dataset with an `epoch` coordinate (built from the live reader; once
# the run has ended, `xr.open_dataset(OUT, group="metrics", engine="h5netcdf")` reads the same).

# %%
def as_dataset(h: History) -> xr.Dataset:
    m = h.metrics()
    return xr.Dataset({k: ("epoch", v) for k, v in m.items() if k != "epoch"},
                      coords={"epoch": m["epoch"]})


ds = as_dataset(live)
print(ds[["higher_entropy", "ops_per_interaction"]])

# %% [markdown]
# Wait for the run to end, then plot every report.

# %%
output, _ = run.communicate(timeout=600)
assert run.returncode == 0, output
live.close()
ds = xr.open_dataset(OUT, group="metrics", engine="h5netcdf").load()
fig, axes = plt.subplots(1, 3, figsize=(12, 3), constrained_layout=True)
for ax, name in zip(axes, ["higher_entropy", "ops_per_interaction", "richness"], strict=True):
    ds[name].plot(ax=ax)
    ax.set_title(f"{name} ({ds[name].attrs.get('unit', '')})")
axes[0].axhline(3, color="red", linestyle="--", linewidth=1)
fig.savefig(OUT.with_suffix(".png"))
print(f"{ds.sizes['epoch']} reports; last high-order entropy {float(ds.higher_entropy[-1]):.3f}")

# %% [markdown]
# The most common programs of the last report, disassembled.

# %%
with History(OUT) as h:
    epoch, top = h.species(-1)
    language = languages.get(h.world.language)
    print(f"epoch {epoch}, status {h.status}")
    for program, count in top[:5]:
        print(f"{count:6d}  {language.disassemble(program)}")
