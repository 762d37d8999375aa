"""A full disk, said the same way by the worker and the main process.

A write that fails for lack of space raises ENOSPC (EDQUOT over a quota, EFBIG past a file-size
limit): either side turns it into one message that says how much is free where and what to do.
A worker that could not even write its `failed` report exits with DISK_FULL_EXIT_CODE, so the
main process can still say why.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
DISK_FULL_EXIT_CODE = 28  # ENOSPC's number on Linux and macOS: a worker that stopped on a full disk
MEGABYTE = 1024 * 1024


def is_disk_full(exc: BaseException | None) -> bool:
    """True when `exc`, or an exception it was raised from or during, is a write refused for space."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def free_bytes(folder: Path) -> int | None:
    """Free space on the disk holding `folder` (its nearest existing parent); None if unknown."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return None


def megabytes(size: int) -> int:
    return int(size // MEGABYTE)


def disk_full_reason(folder: Path) -> str:
    """ "The disk is full (N MB free in <folder>)"."""
    free = free_bytes(folder)
    amount = "no space" if free is None else f"{megabytes(free)} MB"
    return f"The disk is full ({amount} free in {folder})"


def disk_full_message(folder: Path) -> str:
    """ "The disk is full (N MB free in <folder>): free space, then continue from the last checkpoint"."""
    return f"{disk_full_reason(folder)}: free space, then continue from the last checkpoint."
