"""``python -m alife.cli``."""

import sys

from alife.cli import main

sys.exit(main())
