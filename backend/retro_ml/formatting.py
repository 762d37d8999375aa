"""Human-friendly numbers shared by the CLI (the UI has its own in ui/js/format.js)."""

from __future__ import annotations


def format_duration(seconds: float | int | None) -> str:
    if seconds is None:
        return "—"
    total = max(0, int(round(float(seconds))))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
