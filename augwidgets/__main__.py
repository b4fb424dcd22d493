"""``python -m augwidgets``: the same as the ``augwidgets`` console script."""

from __future__ import annotations

import sys

from augwidgets.cli import main

sys.exit(main())
