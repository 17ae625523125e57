"""Who may log in to the pages: persons through an ID-porten stand-in, staff through a local OIDC provider.

Persons (ID-porten, level "high"): the stand-in takes a person number and accepts only a valid
*synthetic* one (Tenor: month + 80), so it can never be used to act as a real person; production mode
has no such login at all (a real deployment puts ID-porten in front).

Staff (a case handler, a guardianship controller, a bank's operations team) log in through
:class:`LocalOidc`, shaped like OpenID Connect Core 1.0's "Authentication using the Authorization
Code Flow": the login form is the provider's authorization endpoint; it answers with a one-time ``code`` bound to
the client, the redirect URI and a ``state`` the app signed for this browser session; the app's
callback exchanges the code for the ID token's claims (``sub``, ``name``, ``org``, ``roles``).  The
provider runs inside the app (a stand-in for the organisation's own IdP, e.g. Entra ID or Keycloak),
so nothing leaves the process; swapping in a real IdP replaces :class:`LocalOidc` only.

Roles are per organisation: ``service:<key>`` may start cases of that DSOP service (Konkurs, OED …),
``letters`` may answer digital letters, ``operations`` may read the bank's operations console,
``heir`` is never a staff role (heirs are persons, see the estate pages).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from opendsop.standard.errors import InvalidIdentifier
from opendsop.standard.identifiers import validate_person_number

ROLE_LETTERS = "letters"
ROLE_OPERATIONS = "operations"


def service_role(service: str) -> str:
    return f"service:{service}"


def synthetic_person(value: str) -> str:
    """The person number typed on the login page, if it is a valid synthetic (Tenor) number."""
    number = value.strip().replace(" ", "")
    try:
        party = validate_person_number(number, synthetic_allowed=True)
    except InvalidIdentifier as exc:
        raise ValueError(exc.message) from None
    if not party.synthetic:
        raise ValueError("only synthetic test identities (Tenor, month + 80) can log in here")
    return party.value


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A staff account of the local IdP: synthetic, never a real employee."""

    username: str
    name: str
    org: str
    roles: tuple[str, ...]

    def claims(self) -> dict[str, object]:
        return {"sub": self.username, "name": self.name, "org": self.org, "roles": list(self.roles)}


class StaffDirectory:
    """The staff accounts the local IdP knows, by username."""

    def __init__(self, users: Iterable[StaffUser]) -> None:
        self.users = {user.username: user for user in users}

    def get(self, username: str) -> StaffUser | None:
        return self.users.get(username.strip().lower())

    def of(self, org: str) -> list[StaffUser]:
        return [user for user in self.users.values() if user.org == org]


@dataclass(frozen=True, slots=True)
class _Grant:
    user: StaffUser
    client_id: str
    redirect_uri: str
    nonce: str
    expires: datetime


class OidcError(ValueError):
    """An authorization code that is unknown, used, expired or presented by another client (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description = error, description


class LocalOidc:
    """The authorization-code half of OpenID Connect over a :class:`StaffDirectory` (see the module)."""

    def __init__(self, directory: StaffDirectory, *, code_lifetime: timedelta = timedelta(seconds=60)) -> None:
        self.directory = directory
        self.code_lifetime = code_lifetime
        self._codes: dict[str, _Grant] = {}

    def authorize(self, username: str, *, client_id: str, redirect_uri: str, nonce: str, now: datetime) -> str:
        """A one-time code for ``username`` (the user authenticated at the provider), else :class:`OidcError`."""
        user = self.directory.get(username)
        if user is None:
            raise OidcError("access_denied", "unknown user")
        self._codes = {code: grant for code, grant in self._codes.items() if grant.expires > now}
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Grant(user, client_id, redirect_uri, nonce, now + self.code_lifetime)
        return code

    def token(self, code: str, *, client_id: str, redirect_uri: str, now: datetime) -> Mapping[str, object]:
        """The ID token's claims for ``code`` (single use)."""
        grant = self._codes.pop(code, None)
        if grant is None or grant.expires <= now:
            raise OidcError("invalid_grant", "the authorization code is unknown, used or expired")
        if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
            raise OidcError("invalid_grant", "the code was issued to another client or redirect URI")
        return grant.user.claims() | {"nonce": grant.nonce, "iat": int(now.timestamp())}


__all__ = [
    "ROLE_LETTERS",
    "ROLE_OPERATIONS",
    "LocalOidc",
    "OidcError",
    "StaffDirectory",
    "StaffUser",
    "service_role",
    "synthetic_person",
]
