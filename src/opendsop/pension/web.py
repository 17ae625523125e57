"""A read-only page of the institution's sync record (``GET /sync``): per employer the months ``dsop otp sync``
recorded, how many employees were listed and stored, and whether each month is done (DSOP "Ajourhold av OTP").
Counts only, no person, so the page needs no login; it reads the same store the sync writes.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import jinja2
from litestar import Litestar, MediaType, Response, get

from opendsop.pension.store import PensionStore
from opendsop.serving import create_engine

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "pages"), autoescape=True, undefined=jinja2.StrictUndefined
)


def create_app(*, database_url: str, institution: str) -> Litestar:
    store = PensionStore(create_engine(database_url))

    @get("/sync", media_type=MediaType.HTML)
    async def sync_page() -> Response[str]:
        rows = await store.overview(institution)
        employers = [(employer, list(months)) for employer, months in groupby(rows, key=lambda r: r["employer"])]
        html = _TEMPLATES.get_template("sync.html").render(institution=institution, employers=employers)
        return Response(html, media_type=MediaType.HTML, headers={"Content-Security-Policy": "default-src 'none'"})

    async def startup() -> None:
        await store.create_schema()

    return Litestar(
        route_handlers=[sync_page],
        on_startup=[startup],
        on_shutdown=[store.close],
        openapi_config=None,
        logging_config=None,  # the project's logging, not Litestar's
    )


__all__ = ["create_app"]
