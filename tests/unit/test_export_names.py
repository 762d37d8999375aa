"""Video names a user types, names derived for exports, and moves that never overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from retro_ml.errors import InvalidInput
from retro_ml.services.videos.file_names import move_no_clobber, numbered_stems, safe_stem, validate_video_name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../x", "/ or \\"),
        ("a/b", "/ or \\"),
        ("a\\b", "/ or \\"),
        ("con", "reserved"),
        ("CON.mp4", "reserved"),
        ("nul", "reserved"),
        ("Com1", "reserved"),
        ("lpt9.backup", "reserved"),
        ("aux ", "end with"),
        ("", "empty"),
        ("   ", "empty"),
        (".mp4", "empty"),
        ("x" * 300, "too long"),
        ("x" * 121, "too long"),
        ("ab\x07c", "control"),
        ("line\nbreak", "control"),
        ("tab\there", "control"),
        ("trailing.", "end with"),
        ("trailing ", "end with"),
        ("..", "end with"),
        (".hidden", "start with a dot"),
        ("what?", "Windows does not allow"),
        ('say "hi"', "Windows does not allow"),
        ("a:b", "Windows does not allow"),
        ("<b>", "Windows does not allow"),
        ("milestone_050", "Retro ML gives"),
        ("Evaluation", "Retro ML gives"),
        ("\udc80bad", "cannot be stored"),
        ("日" * 120, "too long for a file name"),
        (42, "text"),
        (None, "text"),
    ],
)
def test_bad_names_are_rejected_with_the_reason(name: object, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_video_name(name)
    assert why in caught.value.message
    assert caught.value.field == "name" and caught.value.status == 400


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Best run", "Best run"),
        ("Pong #1 · 50% milestone", "Pong #1 · 50% milestone"),
        ("best.mp4", "best"),
        ("My.Run.v2", "My.Run.v2"),
        ("console", "console"),  # only the exact device names are reserved
        ("nully", "nully"),
        ("Ünïcödé 日本語 🎮", "Ünïcödé 日本語 🎮"),
        ("x" * 120, "x" * 120),
        (" leading space", " leading space"),
    ],
)
def test_normal_names_are_accepted(name: str, stem: str) -> None:
    assert validate_video_name(name) == stem


def test_safe_stem_makes_any_display_name_a_file_name() -> None:
    assert safe_stem("Pong #1 · 50% milestone") == "Pong #1 · 50% milestone"
    assert safe_stem('a/b\\c:d*e?"f<g>h|i') == "a_b_c_d_e__f_g_h_i"
    assert safe_stem("  ..hidden. ") == "hidden"
    assert safe_stem("con") == "_con" and safe_stem("CON.backup") == "_CON.backup"
    assert safe_stem("\x00\x01") == "video" and safe_stem("") == "video"
    assert len(safe_stem("x" * 500)) == 100
    assert list(zip(range(3), numbered_stems("clip"), strict=False)) == [(0, "clip"), (1, "clip (2)"), (2, "clip (3)")]


def test_move_no_clobber_never_replaces_a_file(tmp_path: Path) -> None:
    source, taken = tmp_path / "new.part", tmp_path / "taken.mp4"
    source.write_bytes(b"new")
    taken.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        move_no_clobber(source, taken)
    assert taken.read_bytes() == b"old" and source.read_bytes() == b"new"
    move_no_clobber(source, tmp_path / "free.mp4")
    assert (tmp_path / "free.mp4").read_bytes() == b"new" and not source.exists()


def test_move_no_clobber_moves_folders_and_keeps_existing_ones(tmp_path: Path) -> None:
    built = tmp_path / ".model.part"
    built.mkdir()
    (built / "README.md").write_text("card")
    existing = tmp_path / "model"
    existing.mkdir()  # even an empty folder under the name is not taken over
    with pytest.raises(FileExistsError):
        move_no_clobber(built, existing)
    move_no_clobber(built, tmp_path / "model (2)")
    assert (tmp_path / "model (2)" / "README.md").read_text() == "card" and not built.exists()
