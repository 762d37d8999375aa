"""File names a user gives (renaming a video) or we derive (export outputs), and moves that never
overwrite.

Windows is the first platform, so its rules apply everywhere: a video renamed on Linux must still
copy to a Windows disk. Nothing here overwrites a file silently: `move_no_clobber` fails with
`FileExistsError` when the target exists, atomically where the file system allows it.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from retro_ml.errors import InvalidInput
from retro_ml.run_contract import (
    EVALUATION_VIDEO,
    LIVE_FRAME_FILE,
    LONG_VIDEO,
    LONG_VIDEO_PART_PREFIX,
    MILESTONE_VIDEO_PREFIX,
)

MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 250  # most file systems allow 255 bytes a name: room for ".mp4"/".png"
VIDEO_SUFFIX = ".mp4"
PARTIAL_SUFFIX = ".part"
# Windows refuses these as file names, with or without an extension ("CON.mp4", "nul.txt").
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{device}{n}" for device in ("com", "lpt") for n in (*"123456789", "¹", "²", "³")}
)
FORBIDDEN_CHARS = frozenset('<>:"|?*')
SEPARATORS = frozenset("/\\")
# Names the training worker writes its own files under (the run contract): a user's file under
# one of them could be overwritten.
_WORKER_NAMES = re.compile(
    "^({})$".format(
        "|".join(
            [
                re.escape(MILESTONE_VIDEO_PREFIX) + ".*",
                *(re.escape(Path(name).stem) for name in (EVALUATION_VIDEO, LONG_VIDEO)),
                re.escape(LONG_VIDEO_PART_PREFIX) + r"\d+",
                re.escape(Path(LIVE_FRAME_FILE).stem),
            ]
        )
    ),
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def validate_video_name(value: object, field: str = "name") -> str:
    """The name a user typed for a video, checked to be a valid file name on every platform.

    A trailing ".mp4" is accepted and dropped (the name is the file's stem). Returns the name;
    raises `InvalidInput` saying what to change.
    """
    if not isinstance(value, str):
        raise InvalidInput("The name must be text.", field=field)
    name = value[: -len(VIDEO_SUFFIX)] if value.lower().endswith(VIDEO_SUFFIX) else value
    if not name.strip():
        raise InvalidInput("The name cannot be empty.", field=field)
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"The name is too long: at most {MAX_NAME_CHARS} characters.", field=field)
    if _CONTROL.search(name):
        raise InvalidInput("The name cannot contain control characters (tabs, line breaks).", field=field)
    if SEPARATORS & set(name):
        raise InvalidInput(
            "The name cannot contain / or \\: it names a file in the same folder, not a path.", field=field
        )
    forbidden = sorted(FORBIDDEN_CHARS & set(name))
    if forbidden:
        shown = " ".join(forbidden)
        raise InvalidInput(f"The name cannot contain {shown} (Windows does not allow them in file names).", field=field)
    if name[-1] in ". ":
        raise InvalidInput("The name cannot end with a dot or a space (Windows drops them).", field=field)
    if name.startswith("."):
        raise InvalidInput("The name cannot start with a dot (that would hide the file).", field=field)
    if name.split(".")[0].rstrip(" ").lower() in RESERVED_NAMES:
        raise InvalidInput(f"'{name}' is a reserved device name on Windows: choose another name.", field=field)
    if _WORKER_NAMES.match(name):
        raise InvalidInput(f"'{name}' is a name Retro ML gives its own recordings: choose another name.", field=field)
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("The name contains characters that cannot be stored in a file name.", field=field) from None
    if len(encoded) > MAX_NAME_BYTES - len(VIDEO_SUFFIX):
        raise InvalidInput("The name is too long for a file name: use fewer or simpler characters.", field=field)
    return name


def safe_stem(text: str, fallback: str = "video", max_chars: int = 100) -> str:
    """A file name stem made from any text (a video's or experiment's display name), for exports."""
    stem = _CONTROL.sub(" ", text)
    stem = "".join("_" if c in FORBIDDEN_CHARS or c in SEPARATORS else c for c in stem)
    stem = " ".join(stem.split())[:max_chars].strip(" .")
    stem = stem.lstrip(".")
    if not stem:
        return fallback
    if stem.split(".")[0].rstrip(" ").lower() in RESERVED_NAMES:
        stem = f"_{stem}"
    return stem


def numbered_stems(stem: str, limit: int = 10_000) -> Iterator[str]:
    """`stem`, `stem (2)`, `stem (3)`, ...: the free-name sequence of file managers."""
    yield stem
    for n in range(2, limit + 1):
        yield f"{stem} ({n})"


def temp_path_for(final: Path) -> Path:
    """A hidden, unique sibling of `final` to write first (`.name.random.part`); not created."""
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")


def move_no_clobber(source: Path, target: Path) -> None:
    """Move `source` (a file or folder) to `target` in the same folder; `FileExistsError` if taken.

    Files: a hard link then unlinking the source, so an existing target is never replaced (the
    link fails atomically). Where links are not supported (FAT, some network shares) it falls
    back to a check then a rename. Windows' rename never replaces, so it is used as is there.
    Folders: on POSIX an empty folder is made under the target name first (atomic reservation),
    then the rename replaces that empty folder.
    """
    if os.name == "nt":
        os.rename(source, target)  # raises FileExistsError when the target exists
        return
    if source.is_dir():
        os.mkdir(target)
        try:
            os.rename(source, target)
        except OSError:
            os.rmdir(target)
            raise
        return
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


def unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
