"""HDF5 run histories (shared/spec/history.md): layout, writer and reader."""

from alife.history.format import FORMAT, FORMAT_VERSION, METRICS
from alife.history.reader import History, SoupState, open_history, read_metrics
from alife.history.writer import HistoryWriter

__all__ = ["FORMAT", "FORMAT_VERSION", "METRICS", "History", "HistoryWriter",
           "SoupState", "open_history", "read_metrics"]
