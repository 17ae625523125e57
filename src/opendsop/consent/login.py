"""The person's session on the consent pages: an ID-porten-like login for synthetic identities only.

Decisions (DSOP SBL “Samtykkeløsningen”: the person logs in with ID-porten at level 4; TT02 uses Tenor
synthetic persons, month + 80):

* the local login takes a person number and accepts it only if it is a valid *synthetic* number
  (Tenor, month + 80) — a real fødselsnummer is refused even in test mode, so the stand-in can
  never be used to act as a real person;
* the session cookie ``dsop_consent`` is base64url(JSON ``{sid, pid, exp}``) + "." + HMAC-SHA256
  under the settings' secret; HttpOnly, SameSite=Lax, Secure when served over https;
* a logged-in session also lives server-side (``SessionStore``, table ``consent_sessions``): a cookie
  counts only while its ``sid`` is there and not ended, so logout ends it for good (a copy of the
  cookie from before is refused) and withdrawing a consent ends every other session of the person;
  anonymous sessions (the login form's CSRF only) stay cookie-only;
* every visitor gets an anonymous session first, so the login form itself has a CSRF token; login
  issues a new ``sid`` (no session fixation);
* the CSRF token of a form is HMAC(secret, "csrf:" + sid): bound to the session, nothing stored.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from opendsop.consent.store import consent_sessions
from opendsop.web.identity import synthetic_person
from opendsop.web.sessions import Signer

COOKIE = "dsop_consent"


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    pid: str | None  # the logged-in person, None for an anonymous visitor
    expires: int


class SessionCodec:
    def __init__(self, secret: str, *, lifetime: timedelta) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret must have at least 16 characters")
        self._signer = Signer(secret)
        self._lifetime = int(lifetime.total_seconds())

    def new(self, *, now: datetime, pid: str | None = None) -> Session:
        return Session(secrets.token_urlsafe(18), pid, int(now.timestamp()) + self._lifetime)

    def encode(self, session: Session) -> str:
        return self._signer.seal({"sid": session.sid, "pid": session.pid, "exp": session.expires})

    def decode(self, cookie: str | None, *, now: datetime) -> Session | None:
        """The session of a cookie, or None if absent, forged or expired."""
        data = self._signer.open(cookie, max_length=1024)
        if data is None:
            return None
        try:
            session = Session(str(data["sid"]), data["pid"], int(data["exp"]))
        except (ValueError, KeyError, TypeError):
            return None
        if session.expires <= now.timestamp() or (session.pid is not None and not isinstance(session.pid, str)):
            return None
        return session

    def csrf_token(self, session: Session) -> str:
        return self._mac("csrf:" + session.sid)

    def check_csrf(self, session: Session, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.csrf_token(session))

    def _mac(self, message: str) -> str:
        return self._signer.mac(message)


class SessionStore:
    """The server-side half of logged-in sessions: started at login, ended at logout or revoke."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def start(self, session: Session, *, now: datetime) -> None:
        assert session.pid is not None
        stamp = int(now.timestamp())
        async with self.engine.begin() as conn:
            await conn.execute(delete(consent_sessions).where(consent_sessions.c.expires <= stamp))
            await conn.execute(
                insert(consent_sessions).values(
                    sid=session.sid, pid=session.pid, created=stamp, expires=session.expires
                )
            )

    async def active(self, session: Session, *, now: datetime) -> bool:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(consent_sessions.c.pid).where(
                        consent_sessions.c.sid == session.sid,
                        consent_sessions.c.ended.is_(None),
                        consent_sessions.c.expires > int(now.timestamp()),
                    )
                )
            ).first()
        return row is not None and row.pid == session.pid

    async def end(self, sid: str, *, now: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(consent_sessions)
                .where(consent_sessions.c.sid == sid, consent_sessions.c.ended.is_(None))
                .values(ended=int(now.timestamp()))
            )

    async def end_person(self, pid: str, *, now: datetime) -> int:
        """End every session of ``pid``; how many were open."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(consent_sessions)
                .where(consent_sessions.c.pid == pid, consent_sessions.c.ended.is_(None))
                .values(ended=int(now.timestamp()))
            )
        return int(result.rowcount or 0)


synthetic_identity = synthetic_person  # the person number typed on the login page, if synthetic (Tenor)


__all__ = ["COOKIE", "Session", "SessionCodec", "SessionStore", "synthetic_identity"]
