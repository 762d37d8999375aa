"""One exception type for every failure a user or API client can cause or fix.

The web layer maps it to a JSON error with `status`; the CLI prints `message`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


class AppError(Exception):
    """A failure with a machine code, a readable message (saying what to do) and an HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.field = field

    def to_dict(self) -> dict[str, str]:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class NotFound(AppError):
    def __init__(self, what: str, ident: str) -> None:
        super().__init__("not_found", f"No {what} with id '{ident}'.", status=404)


class InvalidInput(AppError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__("invalid_input", message, status=400, field=field)


def reject_unknown_fields(payload: Mapping[str, Any], allowed: Collection[str]) -> None:
    """400 naming the first field of a request body that is not one of `allowed` (alphabetically)."""
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown field '{unknown[0]}'.", field=unknown[0])


class Conflict(AppError):
    def __init__(self, message: str) -> None:
        super().__init__("conflict", message, status=409)
