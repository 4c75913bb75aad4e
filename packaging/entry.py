"""Entry point of the frozen app (PyInstaller runs this file)."""

import sys

from composer.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
