"""PyInstaller's entry script: the frozen app is `retro-ml` (the window, `serve`, `train`, ... and the
hidden `worker` sub-command the app re-invokes its own executable with for every training run)."""

import multiprocessing
import sys

from retro_ml.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
