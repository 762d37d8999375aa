"""Local-server security: a per-launch token, loopback-only Host, same-origin Origin.

A server on 127.0.0.1 is reachable by every web page the user opens, so:
- every `/api` call and socket connection needs the token (constant-time compare);
- the Host header must be a loopback name (defeats DNS rebinding);
- a browser's Origin, when sent, must be this server's own (no cross-site calls).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SESSION_KEY = "retro_ml_auth"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _hostname(host_header: str) -> str:
    return (urlsplit(f"//{host_header}").hostname or "").lower()


@dataclass(frozen=True)
class Security:
    token: str
    extra_hosts: frozenset[str] = field(default_factory=frozenset)

    def token_ok(self, candidate: Any) -> bool:
        return isinstance(candidate, str) and hmac.compare_digest(candidate.encode(), self.token.encode())

    def bearer_ok(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())

    def host_ok(self, host_header: str | None) -> bool:
        name = _hostname(host_header or "")
        return name in LOOPBACK_HOSTS or name in self.extra_hosts

    def origin_ok(self, origin: str | None, host_header: str | None) -> bool:
        """No Origin (non-browser clients) is fine: the token still applies."""
        if origin is None:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == (host_header or "").lower()


def _json_response(start_response: Callable[..., Any], status: str, code: str, message: str) -> list[bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class LocalOnlyMiddleware:
    """Outermost WSGI layer: runs before Flask and before the Socket.IO handshake."""

    def __init__(self, app: WSGIApp, security: Security) -> None:
        self.app = app
        self.security = security

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if not self.security.host_ok(host):
            return _json_response(
                start_response, "403 Forbidden", "forbidden_host", "This server only answers on 127.0.0.1 / localhost."
            )
        if not self.security.origin_ok(environ.get("HTTP_ORIGIN"), host):
            return _json_response(
                start_response, "403 Forbidden", "forbidden_origin", "Requests from other web sites are not allowed."
            )
        authorization = environ.get("HTTP_AUTHORIZATION")
        if authorization and not self.security.bearer_ok(authorization):
            return _json_response(
                start_response,
                "401 Unauthorized",
                "unauthorized",
                "Wrong token: use the link Retro ML Trainer printed when it started.",
            )
        return self.app(environ, start_response)
