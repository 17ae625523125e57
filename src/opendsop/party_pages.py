"""The pages every party serves alike: ``/`` (who am I), ``/docs`` (API docs, offline), ``/metrics``.

* ``GET /`` — a small server-rendered page naming the party, its version and its links (API docs,
  health, metrics), so whoever opens a party's address in a browser sees what answers there;
* ``GET /docs`` — Swagger UI over the party's OpenAPI document, its script and stylesheet served by
  the party itself from the ``swagger-ui-bundle-v2`` package (``/docs/assets/…``): a bank's or an
  agency's network commonly blocks public CDNs, and the docs must work there (and offline).  Litestar's
  own documentation pages under ``/schema`` load their scripts from CDNs, so they redirect here (308);
  ``/schema/openapi.json`` stays;
* ``GET /redoc`` — the same document in ReDoc, its one script from the ``openapi-ui-bundles`` package;
* ``GET /metrics`` — for a party without metrics of its own, Prometheus counts of its answers by
  status class (the bank has its own, richer ``/metrics``);
* ``GET /health`` and ``/health/live`` — only where a party has no probes of its own
  (:mod:`opendsop.availability` serves them everywhere else).

A party keeps every path it routes itself: these answer only paths its app does not serve.
"""

from __future__ import annotations

import html
import json
import mimetypes
from importlib import metadata
from pathlib import Path
from typing import Any

from opendsop.clock import utc_now
from opendsop.serving import redact

# The Swagger UI files the docs page loads, all from the installed package (never a CDN); ReDoc's one script.
DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")
REDOC_ASSETS = ("redoc.standalone.js",)
ASSET_PREFIX = "/docs/assets/"
_STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")
# A party's pages for people, linked from its `/` when it serves them (opendsop.web).
UI_ENTRIES = (
    ("/ops", "Driftskonsoll / operations console"),
    ("/my", "Mine samtykker / my consents"),
    ("/start", "Saksbehandling / case handling"),
    ("/dodsbo", "Digitalt dødsbo / estates"),
    ("/innsyn", "Hvem har sett mine opplysninger / who looked me up"),
    ("/login", "Logg inn / log in"),
)


def version() -> str:
    """The installed opendsop version."""
    try:
        return metadata.version("opendsop")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def swagger_ui_directory() -> Path:
    """Where the installed ``swagger-ui-bundle-v2`` keeps Swagger UI's files."""
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def redoc_directory() -> Path:
    """Where the installed ``openapi-ui-bundles`` keeps ReDoc's standalone script."""
    from openapi_ui_bundles.redoc import static_path

    return Path(str(static_path))


def _asset(name: str) -> Path | None:
    if name in DOCS_ASSETS:
        return swagger_ui_directory() / name
    if name in REDOC_ASSETS:
        return redoc_directory() / name
    return None


def _routes(app: Any) -> set[str]:
    return set(getattr(app, "route_handler_method_map", {}) or {})


def _openapi_base(app: Any) -> str | None:
    config = getattr(app, "openapi_config", None)
    return (config.path or "/schema").rstrip("/") if config is not None else None


def home_page(title: str, party: str, bank: str | None, links: list[tuple[str, str]]) -> str:
    """The ``/`` page: the party, its version and its links (Norwegian / English)."""
    name = html.escape(title)
    who = html.escape(f"{party} {bank}" if bank else party)
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for label, href in links)
    return f"""<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>{name}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}}
code{{background:#f3f3f3;padding:0 .2rem}}</style></head>
<body>
  <h1>{name}</h1>
  <p>opendsop — DSOP-part / DSOP party <code>{who}</code>, versjon / version <code>{html.escape(version())}</code></p>
  <ul>
{items}
  </ul>
</body>
</html>
"""


def docs_page(title: str, openapi_url: str) -> str:
    """Swagger UI over ``openapi_url``, every asset from ``/docs/assets/`` on the same party."""
    name = html.escape(f"{title} — API")
    url = json.dumps(openapi_url).replace("<", "\\u003c")  # a JS string that cannot end the script element
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{name}</title>
<link rel="icon" type="image/png" href="{ASSET_PREFIX}favicon-32x32.png">
<link rel="stylesheet" href="{ASSET_PREFIX}swagger-ui.css"></head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSET_PREFIX}swagger-ui-bundle.js"></script>
<script src="{ASSET_PREFIX}swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({{url: {url}, dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"}});
</script>
</body>
</html>
"""


def redoc_page(title: str, openapi_url: str) -> str:
    """ReDoc over ``openapi_url``, its script from ``/docs/assets/`` on the same party (system fonts, no web fonts)."""
    name = html.escape(f"{title} — API")
    url = json.dumps(openapi_url).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="{ASSET_PREFIX}favicon-32x32.png">
<style>body{{margin:0;padding:0}}</style></head>
<body>
<div id="redoc"></div>
<script src="{ASSET_PREFIX}redoc.standalone.js"></script>
<script>
Redoc.init({url}, {{theme: {{typography: {{fontFamily: "system-ui, sans-serif",
  headings: {{fontFamily: "system-ui, sans-serif"}}}}}}}}, document.getElementById("redoc"));
</script>
</body>
</html>
"""


class PartyPages:
    """The shared pages for one party's app (see the module); :meth:`wrap` puts them in front of it."""

    def __init__(
        self, app: Any, party: str, *, bank: str | None = None, openapi_url: str | None = None, title: str | None = None
    ) -> None:
        self.app, self.party, self.bank = app, party, bank
        self.title = title or (f"{party} {bank}" if bank else party)
        self.schema_base = _openapi_base(app)  # Litestar's own pages there load from CDNs: sent to /docs
        self.openapi_url = openapi_url or (f"{self.schema_base}/openapi.json" if self.schema_base else None)
        self.started = utc_now().timestamp()
        self.answers = dict.fromkeys(_STATUS_CLASSES, 0)

    def wrap(self, inner: Any) -> Any:
        async def pages(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            answer = self._answer(scope) if scope.get("method") in ("GET", "HEAD") else None
            if answer is None:
                await inner(scope, receive, self._counting(send))
                return
            status, content_type, body = answer
            headers = [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"max-age=86400" if scope["path"].startswith(ASSET_PREFIX) else b"no-store"),
            ]
            if status == 308:
                headers.append((b"location", b"/docs"))
            await self._counting(send)({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})

        return pages

    def _counting(self, send: Any) -> Any:
        async def counted(message: Any) -> None:
            if message["type"] == "http.response.start":
                key = f"{message['status'] // 100}xx"
                if key in self.answers:
                    self.answers[key] += 1
            await send(message)

        return counted

    def _answer(self, scope: Any) -> tuple[int, str, bytes] | None:
        path: str = scope["path"]
        if (
            self.schema_base
            and (path == self.schema_base or path.startswith(self.schema_base + "/"))
            and not path.endswith(("/openapi.json", "/openapi.yaml", "/openapi.yml"))
        ):
            return 308, "text/plain; charset=utf-8", b"the API docs are at /docs\n"
        routes = _routes(self.app)
        if path in routes:
            return None  # the party's own route wins
        if path == "/":
            return (
                200,
                "text/html; charset=utf-8",
                home_page(self.title, self.party, self.bank, self._links(routes)).encode(),
            )
        if path in ("/docs", "/docs/") and self.openapi_url:
            return 200, "text/html; charset=utf-8", docs_page(self.title, self.openapi_url).encode()
        if path in ("/redoc", "/redoc/") and self.openapi_url:
            return 200, "text/html; charset=utf-8", redoc_page(self.title, self.openapi_url).encode()
        if path.startswith(ASSET_PREFIX) and self.openapi_url:
            name = path.removeprefix(ASSET_PREFIX)
            if (asset := _asset(name)) is None:
                return None
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith("javascript"):
                content_type += "; charset=utf-8"
            return 200, content_type, asset.read_bytes()
        if path == "/metrics":
            return 200, "text/plain; version=0.0.4; charset=utf-8", self._metrics().encode()
        if path in ("/health", "/health/live"):
            return 200, "application/json", b'{"status": "ok"}'
        return None

    def _links(self, routes: set[str]) -> list[tuple[str, str]]:
        links: list[tuple[str, str]] = [(label, path) for path, label in UI_ENTRIES if path in routes]
        if self.openapi_url:
            links += [
                ("API-dokumentasjon / API docs", "/docs"),
                ("API-dokumentasjon (ReDoc)", "/redoc"),
                ("OpenAPI (JSON)", self.openapi_url),
            ]
        links.append(("Helse / health (live)", "/health/live" if "/health/live" in routes else "/health"))
        if "/health/ready" in routes:
            links.append(("Klar / ready", "/health/ready"))
        links.append(("Metrikker / metrics", "/metrics"))
        return links

    def _metrics(self) -> str:
        labels = f'party="{self.party}"' + (f',bank="{self.bank}"' if self.bank else "")
        lines = [
            "# HELP dsop_http_responses_total Answers given, by status class.",
            "# TYPE dsop_http_responses_total counter",
        ]
        lines += [f'dsop_http_responses_total{{{labels},class="{key}"}} {count}' for key, count in self.answers.items()]
        lines += [
            "# HELP dsop_start_time_seconds When the party started (Unix time).",
            "# TYPE dsop_start_time_seconds gauge",
            f"dsop_start_time_seconds{{{labels}}} {self.started:.3f}",
        ]
        return redact("\n".join(lines) + "\n")


__all__ = [
    "ASSET_PREFIX",
    "DOCS_ASSETS",
    "REDOC_ASSETS",
    "PartyPages",
    "docs_page",
    "home_page",
    "redoc_directory",
    "redoc_page",
    "swagger_ui_directory",
    "version",
]
