"""Start the desk, or run a command: ``python main.py --help``."""

import sys

from scheduler.cli import main

if __name__ == "__main__":
    sys.exit(main())
