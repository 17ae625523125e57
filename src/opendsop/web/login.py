"""The login routes every app with pages shares (see ``identity`` for who may log in and how).

    GET  {prefix}/login?next=…         the login page: the ID-porten stand-in and/or the staff login
    POST {prefix}/login/person          pid (synthetic) → a person session → 303 next
    POST {prefix}/oidc/authorize        username → 303 {prefix}/login/callback?code=…&state=…
    GET  {prefix}/login/callback        the code for the ID token's claims → a staff session → 303 next
    POST {prefix}/logout                ends the session → 303 the login page

A login always starts a new session id (no session fixation).  The OIDC ``state`` is the target path
and a MAC over it and the browser's anonymous session id, so a callback replayed into another browser,
or with another target, is refused.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post

from opendsop.serving import redact
from opendsop.web.identity import OidcError, synthetic_person
from opendsop.web.kit import PageError, safe_next

if TYPE_CHECKING:
    from opendsop.web.kit import WebKit

log = logging.getLogger("opendsop.web")


def _state(kit: WebKit, sid: str, target: str) -> str:
    encoded = base64.urlsafe_b64encode(target.encode()).decode().rstrip("=")
    return encoded + "." + kit.codec.sign(f"state:{sid}:{encoded}")


def _target(kit: WebKit, sid: str, state: str) -> str | None:
    encoded, _, mac = state.partition(".")
    if not hmac.compare_digest(mac, kit.codec.sign(f"state:{sid}:{encoded}")):
        return None
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except ValueError:
        return None


def login_routes(kit: WebKit) -> list[Any]:  # noqa: C901 - one closure per route
    home = kit.home
    callback = f"{kit.prefix}/login/callback"

    def page(request: Request[Any, Any, Any], status: int = 200, **errors: str) -> Response[str]:
        target = safe_next(request.query_params.get("next"), home)
        return kit.render(request, "login.html", status=status, next=target, errors=errors)

    @get("/login", name=f"web-login{kit.prefix}")
    async def login_page(request: Request[Any, Any, Any]) -> Response[str]:
        return page(request)

    @post("/login/person", status_code=303, name=f"web-login-person{kit.prefix}")
    async def login_person(request: Request[Any, Any, Any]) -> Response[str]:
        if not kit.persons:
            raise PageError(404, "not_found")
        session, data = await kit.form(request)
        target = safe_next(data.get("next"), home)
        try:
            person = synthetic_person(str(data.get("pid", "")))
        except ValueError as error:
            return kit.render(request, "login.html", status=400, next=target, errors={"pid": str(error)})
        kit.codec.end(session)
        fresh = kit.codec.new(now=kit.now(), kind="person", subject=person)
        log.info("person %s logged in", redact(person))
        return kit.redirect(target, session=fresh, request=request)

    @post("/oidc/authorize", status_code=303, name=f"web-oidc-authorize{kit.prefix}")
    async def authorize(request: Request[Any, Any, Any]) -> Response[str]:
        if kit.oidc is None:
            raise PageError(404, "not_found")
        session, data = await kit.form(request)
        target = safe_next(data.get("next"), home)
        try:
            code = kit.oidc.authorize(
                str(data.get("username", "")), client_id=kit.client_id, redirect_uri=callback,
                nonce=secrets.token_urlsafe(12), now=kit.now(),
            )  # fmt: skip
        except OidcError:
            text = kit.texts[kit.lang(request)]["unknown_user"]
            return kit.render(request, "login.html", status=400, next=target, errors={"username": text})
        query = urlencode({"code": code, "state": _state(kit, session.sid, target)})
        return kit.redirect(f"{callback}?{query}", session=session, request=request)

    @get("/login/callback", name=f"web-login-callback{kit.prefix}")
    async def login_callback(request: Request[Any, Any, Any]) -> Response[str]:
        if kit.oidc is None:
            raise PageError(404, "not_found")
        session = kit.session(request)
        target = _target(kit, session.sid, str(request.query_params.get("state", "")))
        if target is None:
            raise PageError(400, "oidc_failed")
        try:
            claims = kit.oidc.token(
                str(request.query_params.get("code", "")), client_id=kit.client_id, redirect_uri=callback,
                now=kit.now(),
            )  # fmt: skip
        except OidcError as error:
            raise PageError(400, "oidc_failed", error.description) from None
        roles = claims.get("roles")
        fresh = kit.codec.new(
            now=kit.now(), kind="staff", subject=str(claims["sub"]), name=str(claims["name"]),
            org=str(claims["org"]), roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
        )  # fmt: skip
        kit.codec.end(session)
        log.info("staff %s of %s logged in", claims["sub"], claims["org"])
        return kit.redirect(safe_next(target, home), session=fresh, request=request)

    @post("/logout", status_code=303, name=f"web-logout{kit.prefix}")
    async def logout(request: Request[Any, Any, Any]) -> Response[str]:
        session, _ = await kit.form(request)
        kit.codec.end(session)
        return kit.redirect(f"{kit.prefix}/login", session=kit.codec.new(now=kit.now()), request=request)

    return [login_page, login_person, authorize, login_callback, logout]


__all__ = ["login_routes"]
