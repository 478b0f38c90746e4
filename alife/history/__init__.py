"""HDF5 run histories (shared/spec/history.md): layout, writer, reader, and the run recorder."""

from alife.history.format import FORMAT, FORMAT_VERSION, METRICS
from alife.history.reader import History, SoupState, open_history, read_metrics
from alife.history.recorder import HistoryRecorder
from alife.history.writer import HistoryWriter

__all__ = ["FORMAT", "FORMAT_VERSION", "METRICS", "History", "HistoryRecorder", "HistoryWriter",
           "SoupState", "open_history", "read_metrics"]
