"""``python -m composer`` and the ``mail-composer`` command (``main``: composer/cli/)."""

from __future__ import annotations

import sys

from composer.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
