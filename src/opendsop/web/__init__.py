"""The shared web layer every party's pages use: one layout and component set, sessions, CSRF, login.

Server-rendered with Litestar and Jinja2, working with plain HTML forms (JavaScript only adds live
progress), bokmål by default and English on request, every number and date in Norwegian format:

* ``kit`` — :class:`WebKit`: templates (``templates/layout.html`` and the ``components.html`` macros:
  tables, forms with per-field errors, pager, status), security headers, language, errors, rendering;
* ``sessions`` — signed HttpOnly SameSite cookies with expiry, CSRF tokens bound to the session;
* ``identity`` and ``login`` — the ID-porten stand-in for persons (synthetic identities only) and a
  local OIDC-shaped staff login with roles per organisation;
* ``formatting`` — ``1 327 502,16`` and ``04.05.2026``;
* ``static/`` — the stylesheet and the live-progress script, served by each app (no CDN).
"""

from opendsop.web.formatting import day, moment, number
from opendsop.web.identity import ROLE_LETTERS, ROLE_OPERATIONS, StaffDirectory, StaffUser, service_role
from opendsop.web.kit import SECURITY_HEADERS, LoginRequired, PageError, WebKit, safe_next
from opendsop.web.sessions import SessionCodec, WebSession

__all__ = [
    "ROLE_LETTERS",
    "ROLE_OPERATIONS",
    "SECURITY_HEADERS",
    "LoginRequired",
    "PageError",
    "SessionCodec",
    "StaffDirectory",
    "StaffUser",
    "WebKit",
    "WebSession",
    "day",
    "moment",
    "number",
    "safe_next",
    "service_role",
]
