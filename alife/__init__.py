"""alife: an artificial-life toolkit for self-replication research.

Program soups of "Computational Life" (Agüera y Arcas et al. 2024) in numba, byte-exact with the
reference implementation, soups of self-applying networks (Gabor, Illium et al. 2019), plus the
analyses around them.
"""

from alife import languages
from alife.errors import AlifeError
from alife.measures.entropy import complexity
from alife.measures.replication import replication_score, replication_scores
from alife.run.soups import new_soup
from alife.soup import Checkpoint, Soup, read_dat, write_dat
from alife.world import World, load_world, make_world

__version__ = "0.1.0"

__all__ = ["Soup", "new_soup", "World", "load_world", "make_world", "languages",
           "replication_score", "replication_scores", "complexity", "read_dat", "write_dat",
           "Checkpoint", "AlifeError", "__version__"]
