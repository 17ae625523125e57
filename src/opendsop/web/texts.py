"""The words every page shares, in bokmål (the default) and English; each app adds its own."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nb", "en")

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "skip": "Hopp til innholdet", "language": "English", "language_code": "en", "login": "Logg inn",
        "logout": "Logg ut", "logged_in_as": "Innlogget som", "error": "Feil", "errors_lead": "Skjemaet har feil:",
        "person_login": "Logg inn med ID-porten (test)", "staff_login": "Logg inn som ansatt",
        "person_lead": "Testinnlogging: bare syntetiske testidentiteter (Tenor, måned + 80) godtas.",
        "staff_lead": "Lokal innlogging for ansatte (OpenID Connect-formet). Bare syntetiske brukere.",
        "pid": "Fødselsnummer", "username": "Brukernavn", "csrf": "Skjemaet er utløpt eller mangler "
        "sikkerhetsnøkkel. Last siden på nytt og prøv igjen.", "not_found": "Siden finnes ikke.",
        "forbidden": "Du har ikke tilgang til denne siden.", "server_error": "Noe gikk galt hos oss. Feilen er "
        "logget; prøv igjen senere.", "bad_request": "Forespørselen kunne ikke behandles.",
        "login_required": "Du må logge inn.", "oidc_failed": "Innloggingen mislyktes; prøv igjen.",
        "unknown_user": "Ukjent bruker.", "home": "Forsiden", "footer": "opendsop — syntetiske testdata, "
        "ingen ekte personer.", "previous": "Forrige", "next": "Neste", "page": "Side", "of": "av",
        "filter": "Filtrer", "none": "Ingen.", "back": "Tilbake",
    },
    "en": {
        "skip": "Skip to content", "language": "Norsk (bokmål)", "language_code": "nb", "login": "Log in",
        "logout": "Log out", "logged_in_as": "Logged in as", "error": "Error", "errors_lead": "The form has errors:",
        "person_login": "Log in with ID-porten (test)", "staff_login": "Log in as staff",
        "person_lead": "Test login: only synthetic test identities (Tenor, month + 80) are accepted.",
        "staff_lead": "Local staff login (shaped like OpenID Connect). Synthetic users only.",
        "pid": "National identity number", "username": "Username", "csrf": "The form has expired or lacks its "
        "security token. Reload the page and try again.", "not_found": "The page does not exist.",
        "forbidden": "You do not have access to this page.", "server_error": "Something went wrong on our side. "
        "It is logged; try again later.", "bad_request": "The request could not be handled.",
        "login_required": "You must log in.", "oidc_failed": "The login failed; try again.",
        "unknown_user": "Unknown user.", "home": "Home", "footer": "opendsop — synthetic test data, no real "
        "persons.", "previous": "Previous", "next": "Next", "page": "Page", "of": "of",
        "filter": "Filter", "none": "None.", "back": "Back",
    },
}  # fmt: skip


def merged(*extra: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The shared words with each app's own on top, per language."""
    out = {lang: dict(words) for lang, words in TEXTS.items()}
    for texts in extra:
        for lang in LANGUAGES:
            out[lang].update(texts.get(lang, {}))
    return out


__all__ = ["LANGUAGES", "TEXTS", "merged"]
