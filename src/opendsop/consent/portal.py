"""The person's pages: log in, read the data source's consent text, accept or reject, "my consents".

DSOP SBL “Samtykkeløsningen” step 2 (the person logs in, reads the source's fixed text with the bank's
name, accepts; Altinn redirects to ``redirectUrl``), DSOP “Altinn 3.0” (redirect back with ``consentId`` and
status), DSOP SBL “Samtykkeløsningen” "Revocation" (withdraw at any time).  Server-rendered Jinja2 templates in
``pages/``,
bokmål by default and English with ``?lang=en``; plain HTML forms, each POST with a CSRF token.

Routes::

    GET  /login?next=…        form: synthetic person number      POST /login   → 303 to next
    POST /logout
    GET  /request/{id}        the consent text and the two buttons POST /request/{id} decision=accept|reject
                                                                    → 303 to redirectUrl?consentId=…&status=…
    GET  /my                  the person's consents               POST /my/{id}/revoke → 303 /my

The pages may not be framed (``X-Frame-Options: DENY``; Skatteetaten forbids embedding the dialog
because of clickjacking, spec DSOP SBL “Samtykkeløsningen”).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath

from opendsop.consent.context import Context, change_status
from opendsop.consent.login import COOKIE, Session, synthetic_identity
from opendsop.consent.parties import display_name
from opendsop.consent.requests import PERSON_URN, ConsentError, ConsentRecord, Status
from opendsop.contracts.consent_resources import RESOURCES
from opendsop.serving import redact
from opendsop.web.kit import STATIC, STATIC_FILES

log = logging.getLogger("opendsop.consent")

_SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "title": "Samtykke", "login": "Logg inn", "login_lead": "Testinnlogging: bare syntetiske testidentiteter "
        "(Tenor, måned + 80) godtas.", "pid": "Fødselsnummer", "logout": "Logg ut",
        "request_lead": "ber om ditt samtykke", "valid_to": "Gyldig til", "accept": "Jeg samtykker",
        "reject": "Avslå", "period": "Periode", "year": "Inntektsår", "my": "Mine samtykker",
        "none": "Du har ingen samtykker.", "revoke": "Trekk tilbake", "status": "Status",
        "recipient": "Mottaker", "wrong_person": "Denne forespørselen gjelder en annen person. Logg ut og logg inn "
        "som riktig person.", "not_representative": "Du kan ikke samtykke på vegne av denne virksomheten.",
        "answered": "Denne forespørselen er allerede behandlet.", "not_found": "Forespørselen finnes ikke.",
        "logged_in_as": "Innlogget som", "for_org": "på vegne av virksomheten", "error": "Feil",
        "created": "venter på svar", "accepted": "gitt", "rejected": "avslått", "revoked": "trukket tilbake",
        "expired": "utløpt", "used": "brukt", "deleted": "slettet", "data_source": "Datakilde",
        "on_behalf_of": "på vegne av", "innsyn": "Hvem har sett på meg",
    },
    "en": {
        "title": "Consent", "login": "Log in", "login_lead": "Test login: only synthetic test identities "
        "(Tenor, month + 80) are accepted.", "pid": "National identity number", "logout": "Log out",
        "request_lead": "asks for your consent", "valid_to": "Valid until", "accept": "I consent",
        "reject": "Decline", "period": "Period", "year": "Income year", "my": "My consents",
        "none": "You have no consents.", "revoke": "Withdraw", "status": "Status",
        "recipient": "Recipient", "wrong_person": "This request concerns another person. Log out and log in as "
        "the right person.", "not_representative": "You cannot consent on behalf of this business.",
        "answered": "This request has already been answered.", "not_found": "The request does not exist.",
        "logged_in_as": "Logged in as", "for_org": "on behalf of the business", "error": "Error",
        "created": "awaiting answer", "accepted": "given", "rejected": "declined", "revoked": "withdrawn",
        "expired": "expired", "used": "used", "deleted": "deleted", "data_source": "Data source",
        "on_behalf_of": "on behalf of", "innsyn": "Who looked me up",
    },
}  # fmt: skip


def _lang(request: Request[Any, Any, Any]) -> str:
    return "en" if request.query_params.get("lang") == "en" else "nb"


MAX_NEXT = 2000


def _safe_next(value: object) -> str:
    """``value`` if it is a path on this site, else ``/my``: never an open redirect to another site.

    Browsers drop tabs and newlines from a ``Location`` and read a backslash as ``/``, so ``/``, a tab,
    ``/evil.example`` would leave the site: anything but a plain printable path is refused before parsing.
    """
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_NEXT:
        return "/my"
    if value.startswith("//") or "\\" in value or any(_unsafe_char(c) for c in value):
        return "/my"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "/my"
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/my"
    return value


def _unsafe_char(char: str) -> bool:
    # Controls (Cc), format characters (Cf: bidi overrides, zero-width), any space or separator (Z*).
    return char.isspace() or unicodedata.category(char)[0] in "CZ"


def _with_lang(path: str, lang: str) -> str:
    if lang != "en":
        return path
    return path + ("&" if "?" in path else "?") + "lang=en"


def redirect_to_consumer(url: str, consent_id: str, status: Status) -> str:
    parts = urlsplit(url)
    extra = urlencode({"consentId": consent_id, "status": status.value})
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


class Pages:
    """The page logic; ``routes`` binds it to Litestar handlers."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.secure = ctx.settings.public_url.startswith("https://")

    # -- session, cookies, rendering --------------------------------------------------------------

    async def session_of(self, request: Request[Any, Any, Any]) -> Session | None:
        """The cookie's session; a logged-in one only while the server still has it (not logged out)."""
        session = self.ctx.sessions.decode(request.cookies.get(COOKIE), now=self.ctx.now())
        if session is None or session.pid is None:
            return session
        return session if await self.ctx.session_store.active(session, now=self.ctx.now()) else None

    async def logged_in(self, pid: str) -> Session:
        """A new logged-in session (a new sid: no session fixation), registered server-side."""
        fresh = self.ctx.sessions.new(now=self.ctx.now(), pid=pid)
        await self.ctx.session_store.start(fresh, now=self.ctx.now())
        return fresh

    def cookie(self, session: Session) -> Cookie:
        return Cookie(
            key=COOKIE,
            value=self.ctx.sessions.encode(session),
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
            max_age=max(1, session.expires - int(self.ctx.now().timestamp())),
        )

    def page(self, name: str, session: Session, lang: str, status: int = 200, **values: Any) -> Response[str]:
        html = self.ctx.pages.get_template(name).render(
            t=TEXTS[lang],
            lang=lang,
            csrf=self.ctx.sessions.csrf_token(session),
            person=session.pid,
            lang_suffix="?lang=en" if lang == "en" else "",
            **values,
        )
        return Response(
            html, status_code=status, media_type="text/html", headers=_SECURITY_HEADERS, cookies=[self.cookie(session)]
        )

    def redirect(self, location: str, session: Session | None = None) -> Response[str]:
        return Response(
            "",
            status_code=303,
            headers={"Location": location, **_SECURITY_HEADERS},
            cookies=[self.cookie(session)] if session else [],
        )

    def to_login(self, target: str, lang: str) -> Response[str]:
        return self.redirect(
            "/login?" + urlencode({"next": _with_lang(target, lang)}) + ("&lang=en" if lang == "en" else "")
        )

    async def form(self, request: Request[Any, Any, Any], session: Session | None) -> dict[str, Any]:
        data = dict(await request.form())
        if session is None or not self.ctx.sessions.check_csrf(session, data.get("csrf")):
            raise ConsentError(403, "csrf", "the form has expired or its CSRF token is wrong; reload the page", "csrf")
        return data

    async def requester(self, record: ConsentRecord, lang: str) -> str:
        """Who asks: the bank, or "supplier on behalf of the bank" for a delegated ``handledBy``."""
        bank = await display_name(self.ctx.names, record.request.to_org)
        supplier = record.request.handled_by
        if supplier is None or supplier == record.request.to_org:
            return bank
        return f"{await display_name(self.ctx.names, supplier)} {TEXTS[lang]['on_behalf_of']} {bank}"

    async def rights_view(self, record: ConsentRecord, lang: str) -> list[dict[str, Any]]:
        bank = await display_name(self.ctx.names, record.request.to_org)
        views = []
        for right in record.request.rights:
            resource = RESOURCES[right.resource]
            views.append(
                {
                    "title": resource.title_en if lang == "en" else resource.title,
                    "owner": resource.owner,
                    "text": resource.text(bank, lang=lang),
                    "metadata": dict(right.metadata),
                }
            )
        return views

    async def guard(
        self, request: Request[Any, Any, Any], consent_id: str
    ) -> tuple[Session, ConsentRecord] | Response[str]:
        """The logged-in person and a consent they may answer; else a login redirect or a message page."""
        session = await self.session_of(request)
        lang = _lang(request)
        if session is None or session.pid is None:
            return self.to_login(f"/request/{quote(consent_id)}", lang)
        record = await self.ctx.store.get(consent_id)
        if record is None:
            return self.page("message.html", session, lang, 404, message="not_found")
        party = record.request.from_party
        if party.kind == "person" and party.number != session.pid:
            return self.page("message.html", session, lang, 403, message="wrong_person")
        if party.kind == "organisation" and not await self.ctx.representatives.may_represent(session.pid, party.number):
            return self.page("message.html", session, lang, 403, message="not_representative")
        return session, record

    # -- pages ------------------------------------------------------------------------------------

    async def login_page(self, request: Request[Any, Any, Any]) -> Response[str]:
        session = await self.session_of(request) or self.ctx.sessions.new(now=self.ctx.now())
        return self.page(
            "login.html", session, _lang(request), next=_safe_next(request.query_params.get("next")), error=None
        )

    async def login(self, request: Request[Any, Any, Any]) -> Response[str]:
        session = await self.session_of(request)
        data = await self.form(request, session)
        assert session is not None
        lang = _lang(request)
        try:
            person = synthetic_identity(str(data.get("pid", "")))
        except ValueError as exc:
            return self.page("login.html", session, lang, 400, next=_safe_next(data.get("next")), error=str(exc))
        log.info("person %s logged in", redact(person))
        if session.pid is not None:
            await self.ctx.session_store.end(session.sid, now=self.ctx.now())
        fresh = await self.logged_in(person)
        return self.redirect(_with_lang(_safe_next(data.get("next")), lang), fresh)

    async def logout(self, request: Request[Any, Any, Any]) -> Response[str]:
        session = await self.session_of(request)
        data = await self.form(request, session)
        if session is not None and session.pid is not None:
            await self.ctx.session_store.end(session.sid, now=self.ctx.now())
            log.info("person %s logged out", redact(session.pid))
        return self.redirect(
            "/login?" + urlencode({"next": _safe_next(data.get("next"))}), self.ctx.sessions.new(now=self.ctx.now())
        )

    async def request_page(self, request: Request[Any, Any, Any], consent_id: str) -> Response[str]:
        guarded = await self.guard(request, consent_id)
        if isinstance(guarded, Response):
            return guarded
        session, record = guarded
        lang = _lang(request)
        if record.status_at(self.ctx.now()) is not Status.CREATED:
            return self.page("message.html", session, lang, 409, message="answered")
        return self.page(
            "request.html",
            session,
            lang,
            record=record,
            rights=await self.rights_view(record, lang),
            bank=await self.requester(record, lang),
            valid_to=record.request.valid_to.strftime("%Y-%m-%d %H:%M UTC"),
        )

    async def answer(self, request: Request[Any, Any, Any], consent_id: str) -> Response[str]:
        data = await self.form(request, await self.session_of(request))
        guarded = await self.guard(request, consent_id)
        if isinstance(guarded, Response):
            return guarded
        _, record = guarded
        decision = data.get("decision")
        if decision not in ("accept", "reject"):
            raise ConsentError(400, "invalid_request", "decision must be accept or reject", "decision")
        new = Status.ACCEPTED if decision == "accept" else Status.REJECTED
        await change_status(self.ctx, record, new)
        log.info("consent %s %s by the person", record.id, new.value)
        return self.redirect(redirect_to_consumer(record.request.redirect_url, record.id, new))

    async def my_consents(self, request: Request[Any, Any, Any]) -> Response[str]:
        session = await self.session_of(request)
        lang = _lang(request)
        if session is None or session.pid is None:
            return self.to_login("/my", lang)
        now = self.ctx.now()
        rows = []
        for record in await self.ctx.store.list_records(from_urn=PERSON_URN + session.pid, limit=500):
            status = record.status_at(now)
            rows.append({
                "record": record, "status": status.value,
                "bank": await self.requester(record, lang),
                "resources": [RESOURCES[r.resource].title_en if lang == "en" else RESOURCES[r.resource].title
                              for r in record.request.rights],
                "valid_to": record.request.valid_to.strftime("%Y-%m-%d"), "revocable": status is Status.ACCEPTED,
            })  # fmt: skip
        return self.page("my.html", session, lang, rows=rows, innsyn_url=self.ctx.settings.innsyn_url)

    async def revoke(self, request: Request[Any, Any, Any], consent_id: str) -> Response[str]:
        await self.form(request, await self.session_of(request))
        guarded = await self.guard(request, consent_id)
        if isinstance(guarded, Response):
            return guarded
        session, record = guarded
        await change_status(self.ctx, record, Status.REVOKED)
        log.info("consent %s revoked by the person", record.id)
        # A withdrawal may mean the person fears misuse: every session of theirs ends, this browser gets a new one.
        assert session.pid is not None
        await self.ctx.session_store.end_person(session.pid, now=self.ctx.now())
        return self.redirect(_with_lang("/my", _lang(request)), await self.logged_in(session.pid))


def routes(ctx: Context) -> list[Any]:
    pages = Pages(ctx)

    @get("/login")
    async def login_page(request: Request[Any, Any, Any]) -> Response[str]:
        return await pages.login_page(request)

    @post("/login", status_code=303)
    async def login(request: Request[Any, Any, Any]) -> Response[str]:
        return await pages.login(request)

    @post("/logout", status_code=303)
    async def logout(request: Request[Any, Any, Any]) -> Response[str]:
        return await pages.logout(request)

    @get("/request/{consent_id:str}")
    async def request_page(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> Response[str]:
        return await pages.request_page(request, consent_id)

    @post("/request/{consent_id:str}", status_code=303)
    async def answer(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> Response[str]:
        return await pages.answer(request, consent_id)

    @get("/my")
    async def my_consents(request: Request[Any, Any, Any]) -> Response[str]:
        return await pages.my_consents(request)

    @post("/my/{consent_id:str}/revoke", status_code=303)
    async def revoke(request: Request[Any, Any, Any], consent_id: FromPath[str]) -> Response[str]:
        return await pages.revoke(request, consent_id)

    @get("/static/web/web.css", include_in_schema=False)
    async def stylesheet() -> Response[bytes]:
        """The stylesheet every party's pages share (opendsop.web), served by this party (no CDN)."""
        return Response(
            (STATIC / "web.css").read_bytes(), media_type=STATIC_FILES["web.css"],
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )  # fmt: skip

    return [login_page, login, logout, request_page, answer, my_consents, revoke, stylesheet]


__all__ = ["TEXTS", "Pages", "redirect_to_consumer", "routes"]
