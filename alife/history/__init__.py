"""HDF5 run histories (docs/spec/history.md): layout, writer and reader."""

from alife.history.format import FORMAT, FORMAT_VERSION
from alife.history.reader import History, SoupState, open_history, read_metrics
from alife.history.writer import HistoryWriter
from alife.measures.replicators import ENTRY_DTYPE

__all__ = ["ENTRY_DTYPE", "FORMAT", "FORMAT_VERSION", "History", "HistoryWriter",
           "SoupState", "open_history", "read_metrics"]
