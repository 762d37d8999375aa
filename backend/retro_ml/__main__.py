"""`python -m retro_ml` is the same as the `retro-ml` command."""

import sys

from retro_ml.cli import main

if __name__ == "__main__":
    sys.exit(main())
