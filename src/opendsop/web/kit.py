"""One app's pages: templates, sessions, CSRF, security headers, language, errors and the login routes.

Every party with pages builds one :class:`WebKit` and puts ``kit.router(handlers)`` into its Litestar
app.  A handler asks the kit for the visitor (``kit.require(request, kind="staff", role=…)``), reads a
form through ``await kit.form(request)`` (the CSRF check), and answers with ``kit.render(request,
"page.html", …)``; the kit adds the signed session cookie (renewed on each page), the language and
the security headers.  A refused page is an exception (:class:`PageError`, :class:`LoginRequired`)
turned into the message page or a login redirect, so a handler never builds one by hand and a page
never shows a stack trace.

Security headers on every answer (OWASP Secure Headers): a content security policy allowing only
this site's own scripts, styles and images (no inline script, so no CDN and no injected script runs),
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` (no framing: clickjacking), ``nosniff``,
``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` for pages (they hold personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from litestar import Request, Response, Router, get
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from opendsop.clock import Clock, utc_now
from opendsop.web import formatting
from opendsop.web.identity import LocalOidc, StaffDirectory
from opendsop.web.sessions import SessionCodec, WebSession
from opendsop.web.texts import LANGUAGES, merged

log = logging.getLogger("opendsop.web")

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"web.css": "text/css; charset=utf-8", "live.js": "text/javascript; charset=utf-8"}
SESSION_COOKIE = "dsop_web"
LANG_COOKIE = "dsop_lang"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class PageError(Exception):
    """A page refused with ``status`` and the message ``key`` of the texts (``detail`` shown below it)."""

    def __init__(self, status: int, key: str, detail: str | None = None) -> None:
        super().__init__(f"{status} {key}")
        self.status, self.key, self.detail = status, key, detail


class LoginRequired(Exception):
    """The page needs a logged-in visitor: the login page, then back to ``target``."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def safe_next(value: object, default: str) -> str:
    """``value`` if it is a plain path on this site, else ``default``: never an open redirect."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        return default
    if "\\" in value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return default
    return value


class WebKit:
    """The pages of one app (see the module)."""

    def __init__(
        self,
        *,
        title: Mapping[str, str],
        templates: Path | None = None,
        texts: Mapping[str, Mapping[str, str]] | None = None,
        prefix: str = "",
        persons: bool = False,
        staff: StaffDirectory | None = None,
        secret: str | None = None,
        lifetime: timedelta = timedelta(minutes=30),
        clock: Clock = utc_now,
        secure: bool = False,
        nav: Sequence[tuple[str, ...]] = (),
        client_id: str = "opendsop-web",
        home: str | None = None,
    ) -> None:
        self.title = dict(title)
        self.prefix = prefix.rstrip("/")
        self.persons = persons
        self.staff = staff
        self.oidc = LocalOidc(staff) if staff is not None else None
        self.codec = SessionCodec(secret, lifetime=lifetime)
        self.clock = clock
        self.secure = secure
        self.nav = list(nav)  # (path below the prefix, text key[, the session kind it is for])
        self.client_id = client_id
        self.home = home or (self.prefix + "/")
        self.texts = merged(texts or {})
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
        if templates is not None:
            loaders.insert(0, jinja2.FileSystemLoader(templates))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined
        )
        self.env.filters.update(formatting.FILTERS)

    # -- the visitor ------------------------------------------------------------------------------

    def now(self) -> Any:
        return self.clock()

    def session(self, request: Request[Any, Any, Any]) -> WebSession:
        """The cookie's session, else a new anonymous one (so every form has a CSRF token)."""
        found = self.codec.decode(request.cookies.get(SESSION_COOKIE), now=self.now())
        return found if found is not None else self.codec.new(now=self.now())

    def lang(self, request: Request[Any, Any, Any]) -> str:
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            return str(asked)
        kept = request.cookies.get(LANG_COOKIE)
        return kept if kept in LANGUAGES else "nb"

    def require(self, request: Request[Any, Any, Any], *, kind: str, role: str | None = None) -> WebSession:
        """The logged-in visitor of ``kind`` (person/staff) holding ``role``; else a login or a refusal."""
        session = self.session(request)
        if not session.logged_in:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        if session.kind != kind or (role is not None and not session.has(role)):
            raise PageError(403, "forbidden")
        return session

    async def form(self, request: Request[Any, Any, Any]) -> tuple[WebSession, dict[str, Any]]:
        """The posted form of the visitor's session; a missing or wrong CSRF token is refused (403)."""
        session = self.session(request)
        data = dict(await request.form())
        token = data.pop("csrf", None) or request.headers.get("x-csrf-token")
        if not self.codec.check_csrf(session, token):
            raise PageError(403, "csrf")
        return session, data

    # -- answers ----------------------------------------------------------------------------------

    def cookies(self, request: Request[Any, Any, Any] | None, session: WebSession | None) -> list[Cookie]:
        cookies: list[Cookie] = []
        if session is not None:
            fresh = self.codec.renewed(session, now=self.now()) if session.logged_in else session
            cookies.append(
                Cookie(
                    key=SESSION_COOKIE,
                    value=self.codec.encode(fresh),
                    httponly=True,
                    samesite="lax",
                    secure=self.secure,
                    path="/",
                    max_age=self.codec.lifetime,
                )  # fmt: skip
            )
        if request is not None and request.query_params.get("lang") in LANGUAGES:
            lang = str(request.query_params["lang"])
            cookies.append(Cookie(key=LANG_COOKIE, value=lang, samesite="lax", path="/", max_age=365 * 86400))
        return cookies

    def context(self, request: Request[Any, Any, Any], session: WebSession) -> dict[str, Any]:
        lang = self.lang(request)
        other = "en" if lang == "nb" else "nb"
        query = [(k, v) for k, v in request.query_params.items() if k != "lang"] + [("lang", other)]
        return {
            "t": self.texts[lang], "lang": lang, "title": self.title.get(lang, self.title.get("nb", "")),
            "csrf": self.codec.csrf_token(session), "session": session, "prefix": self.prefix,
            "static": f"{self.prefix}/static/web", "home": self.home,
            "nav": [(self.prefix + entry[0], entry[1]) for entry in self.nav if entry[2:] in ((), (session.kind,))],
            "current": request.url.path, "lang_href": request.url.path + "?" + urlencode(query),
            "persons": self.persons, "staff": self.staff is not None,
        }  # fmt: skip

    def render(
        self,
        request: Request[Any, Any, Any],
        name: str,
        *,
        status: int = 200,
        session: WebSession | None = None,
        **values: Any,
    ) -> Response[str]:
        session = session or self.session(request)
        html = self.env.get_template(name).render(**self.context(request, session), **values)
        return Response(
            html, status_code=status, media_type="text/html", headers=SECURITY_HEADERS,
            cookies=self.cookies(request, session),
        )  # fmt: skip

    def redirect(
        self, location: str, *, session: WebSession | None = None, request: Request[Any, Any, Any] | None = None
    ) -> Response[str]:
        return Response(
            "", status_code=303, headers={"Location": location, **SECURITY_HEADERS},
            cookies=self.cookies(request, session),
        )  # fmt: skip

    def attachment(self, data: bytes, filename: str, media_type: str) -> Response[bytes]:
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(data, media_type=media_type, headers=headers)

    def message(
        self, request: Request[Any, Any, Any], status: int, key: str, detail: str | None = None
    ) -> Response[str]:
        return self.render(request, "message.html", status=status, message=key, detail=detail)

    # -- wiring -----------------------------------------------------------------------------------

    def _error(self, request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
        if isinstance(error, LoginRequired):
            return self.redirect(f"{self.prefix}/login?" + urlencode({"next": error.target}))
        if isinstance(error, PageError):
            return self.message(request, error.status, error.key, error.detail)
        if isinstance(error, HTTPException):
            key = {404: "not_found", 403: "forbidden"}.get(error.status_code, "bad_request")
            return self.message(request, error.status_code, key)
        log.exception("a page failed: %s %s", request.method, request.url.path)
        return self.message(request, 500, "server_error")

    def exception_handlers(self) -> dict[Any, Callable[..., Any]]:
        return {LoginRequired: self._error, PageError: self._error, HTTPException: self._error, Exception: self._error}

    def router(self, handlers: Iterable[Any], *, login: bool = True) -> Router:
        """The app's page handlers, the login routes and the shared static files under the prefix."""
        from opendsop.web.login import login_routes

        routes = list(handlers) + (login_routes(self) if login else [])

        @get("/static/web/{name:str}", name=f"web-static{self.prefix}", cache_control=None)
        async def static(name: FromPath[str]) -> Response[bytes]:
            """The shared files, by name from a fixed list (nothing else under the directory is reachable)."""
            if name not in STATIC_FILES:
                raise PageError(404, "not_found")
            return Response(
                (STATIC / name).read_bytes(), media_type=STATIC_FILES[name],
                headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
            )  # fmt: skip

        return Router(
            path=self.prefix or "/",
            route_handlers=[*routes, static],
            exception_handlers=self.exception_handlers(),
            include_in_schema=False,
        )


__all__ = ["CSP", "SECURITY_HEADERS", "LoginRequired", "PageError", "WebKit", "safe_next"]
