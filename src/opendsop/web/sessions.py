"""Signed browser sessions and CSRF tokens for every page (OWASP Session Management and CSRF cheat sheets).

* the cookie is base64url(JSON) + "." + HMAC-SHA256 under the app's secret: a changed byte, another
  app's cookie or an expired one is no session at all (the visitor is treated as logged out);
* it is ``HttpOnly`` (no script reads it), ``SameSite=Lax`` (not sent on another site's POST),
  ``Secure`` when the app is served over https, and expires both in the browser (``Max-Age``) and in
  its signed ``exp`` (a copied cookie stops working too);
* logging out or logging in again ends the old ``sid`` in the codec's memory, so a copy of the cookie
  from before is refused (within this process; a restart ends every session, as the secret is new
  unless configured);
* the CSRF token of a form is HMAC(secret, "csrf:" + sid): bound to the session, nothing stored; every
  state change (POST) must carry it as the ``csrf`` form field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class WebSession:
    """Who is on the other side of a browser: anonymous, a person (ID-porten) or a staff member (OIDC)."""

    sid: str
    expires: int
    kind: str = "anonymous"  # anonymous | person | staff
    subject: str | None = None  # the person number, or the staff member's user id
    name: str | None = None
    org: str | None = None  # the staff member's organisation number
    roles: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def logged_in(self) -> bool:
        return self.kind != "anonymous" and self.subject is not None

    def has(self, role: str) -> bool:
        return role in self.roles


class Signer:
    """HMAC-SHA256 under one secret: sealed cookie payloads (base64url JSON + "." + MAC) and plain MACs."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret must have at least 16 characters")
        self._key = secret.encode()

    def mac(self, message: str) -> str:
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def seal(self, data: dict[str, Any]) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
        return payload + "." + self.mac("session:" + payload)

    def open(self, cookie: str | None, *, max_length: int = 4000) -> dict[str, Any] | None:
        """The data of a sealed cookie; None if absent, too long, forged or not a JSON object."""
        if not cookie or "." not in cookie or len(cookie) > max_length:
            return None
        payload, _, mac = cookie.partition(".")
        if not hmac.compare_digest(mac, self.mac("session:" + payload)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


class SessionCodec:
    """Issues, signs and checks :class:`WebSession` cookies (see the module)."""

    def __init__(self, secret: str | None = None, *, lifetime: timedelta = timedelta(minutes=30)) -> None:
        self._signer = Signer(secret or secrets.token_urlsafe(32))
        self.lifetime = int(lifetime.total_seconds())
        self._ended: set[str] = set()

    def new(self, *, now: datetime, **who: object) -> WebSession:
        return WebSession(secrets.token_urlsafe(18), int(now.timestamp()) + self.lifetime, **who)  # type: ignore[arg-type]

    def renewed(self, session: WebSession, *, now: datetime) -> WebSession:
        """The same session with a fresh expiry (sliding: activity keeps it alive)."""
        return replace(session, expires=int(now.timestamp()) + self.lifetime)

    def end(self, session: WebSession) -> None:
        self._ended.add(session.sid)

    def encode(self, session: WebSession) -> str:
        data = {
            "sid": session.sid, "exp": session.expires, "k": session.kind, "s": session.subject,
            "n": session.name, "o": session.org, "r": list(session.roles), "x": session.extra,
        }  # fmt: skip
        return self._signer.seal(data)

    def decode(self, cookie: str | None, *, now: datetime) -> WebSession | None:
        """The session of a cookie, or None if absent, forged, ended or expired."""
        data = self._signer.open(cookie)
        if data is None:
            return None
        try:
            session = WebSession(
                sid=str(data["sid"]), expires=int(data["exp"]), kind=str(data["k"]), subject=data["s"],
                name=data["n"], org=data["o"], roles=tuple(str(r) for r in data["r"]),
                extra={str(k): str(v) for k, v in dict(data["x"]).items()},
            )  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None
        if session.expires <= now.timestamp() or session.sid in self._ended:
            return None
        return session

    def csrf_token(self, session: WebSession) -> str:
        return self._mac("csrf:" + session.sid)

    def check_csrf(self, session: WebSession | None, token: object) -> bool:
        return session is not None and isinstance(token, str) and hmac.compare_digest(token, self.csrf_token(session))

    def sign(self, message: str) -> str:
        """A MAC over ``message`` under the session secret (OIDC ``state``, download links)."""
        return self._mac("sign:" + message)

    def _mac(self, message: str) -> str:
        return self._signer.mac(message)


__all__ = ["SessionCodec", "Signer", "WebSession"]
