# SPDX-License-Identifier: Apache-2.0
"""``dsop ui screenshots``: every actor's pages of a running ``dsop up``, one PNG per page.

A real browser (Debian's Chromium under Playwright; Playwright never downloads one here) logs in as
each actor with the synthetic logins ``dsop up`` prints, acts as the actor would (starts a Konkurs
case and waits for the banks, runs a Vergekontroll batch, fetches an estate's overview) and writes a
full-page PNG of each page under ``var/screenshots`` (or ``--out``).  The login helpers here are the
ones the browser tests use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
)  # fmt: skip
CASE_TIMEOUT_MS = 120_000

app = typer.Typer(help="Every actor's pages in a real browser.", no_args_is_help=True)


@app.callback()
def ui() -> None:
    """Every actor's pages in a real browser (a group, so that `dsop ui screenshots` names its command)."""


def staff_login(page: Any, base: str, username: str, target: str | None = None) -> None:
    """The local OIDC-shaped staff login of the app at ``base`` (its prefix included)."""
    page.goto(f"{base}/login" + (f"?next={target}" if target else ""))
    page.get_by_label("Brukernavn").fill(username)
    page.locator("section[aria-labelledby=staff-login] button").click()
    page.wait_for_load_state()


def person_login(page: Any, base: str, pid: str, target: str = "/dodsbo") -> None:
    """The ID-porten stand-in of the app at ``base``."""
    page.goto(f"{base}/login?next={target}")
    page.get_by_label("Fødselsnummer").fill(pid)
    page.locator("section[aria-labelledby=person-login] button").click()
    page.wait_for_load_state()


def wait_for_case(page: Any, timeout: float = CASE_TIMEOUT_MS) -> None:
    """The case page reloads itself when the last bank has answered (its downloads then show)."""
    page.locator("h2", has_text="Last ned").wait_for(timeout=timeout)


def wait_until_gone(page: Any, selector: str, *, tries: int = 480) -> None:
    """Reload until ``selector`` (a "fetching …" marker) is gone: the pages without live updates.  A case
    still running after ``tries`` reloads (about two minutes) is an error, not a page to go on with."""
    for _ in range(tries):
        if page.locator(selector).count() == 0:
            return
        page.wait_for_timeout(250)
        page.reload()
    raise TimeoutError(f"{page.url}: {selector} still there after {tries} reloads")


@dataclass
class Scene:
    """What the stories need: the topology, its world and who owns which accounts."""

    topology: Any
    population: Any
    owned: dict[str, list[Any]]

    @property
    def agency(self) -> str:
        return str(self.topology.url("agency-ui"))


Shot = Callable[[str], None]


def _case_handler(scene: Scene, page: Any, shot: Shot) -> None:
    agency = scene.agency
    staff_login(page, agency, "bobestyrer")
    shot("home")
    page.goto(f"{agency}/cases/new/konkurs")
    shot("new-konkurs")
    debtor = next((b.debtor_id for b in scene.population.bankruptcies
                   if b.notice_type == "aapning" and scene.owned.get(b.debtor_id)), None)  # fmt: skip
    if debtor is None:
        return
    page.get_by_label("Skyldner").fill(debtor)
    page.get_by_role("button", name="Start saken").click()
    wait_for_case(page)
    shot("case")
    links = page.locator("table a[href*='/accounts/']")
    if links.count():
        links.first.click()
        shot("account")
    page.goto(f"{agency}/cases")
    shot("cases")


def _police(scene: Scene, page: Any, shot: Shot) -> None:
    staff_login(page, scene.agency, "etterforsker", "/cases/new/politi")
    shot("order-form")


def _controller(scene: Scene, page: Any, shot: Shot) -> None:
    from opendsop.clock import oslo_today
    from opendsop.ecosystem.tour import wards_to_control

    year = oslo_today().year - 1
    chosen = wards_to_control(scene.population.guardianships, scene.owned, set(), year)[:2]
    staff_login(page, scene.agency, "vergekontroll", "/verge")
    shot("form")
    if not chosen:
        return
    batch = "ward,guardian\n" + "".join(f"{g.ward_id},{g.guardian_id}\n" for g in chosen)
    page.get_by_label("Kontrollår").fill(str(year))
    page.get_by_label("Batchfil").set_input_files(
        files=[{"name": "batch.csv", "mimeType": "text/csv", "buffer": batch.encode()}]
    )
    page.get_by_role("button", name="Kjør kontrollen").click()
    page.wait_for_url("**/verge/*")
    wait_until_gone(page, ".ward .status-running")
    shot("result")


def _heir(scene: Scene, page: Any, shot: Shot) -> None:
    from opendsop.ecosystem.pages import heir_registry

    heirs = heir_registry(scene.population).estates
    if not heirs:
        return
    person_login(page, scene.agency, next(iter(heirs)))
    shot("estates")
    page.locator("ul.cards a").first.click()
    fetch = page.get_by_role("button", name="Hent oversikt fra bankene")
    if fetch.count():
        fetch.click()
    wait_until_gone(page, "p.status-running")
    shot("estate")


def _bank(scene: Scene, page: Any, shot: Shot) -> None:
    topology = scene.topology
    first = next((b for b in topology.banks if getattr(b, "control_api", True)), topology.banks[0])
    ops = f"http://{topology.host}:{first.port}/ops"
    staff_login(page, ops, "drift")
    shot("ops")
    for path in ("requests", "konkurs", "limits"):
        page.goto(f"{ops}/{path}")
        shot(f"ops-{path}")
    page.goto(f"http://{topology.host}:{first.port}/")
    shot("home")


def _citizen(scene: Scene, page: Any, shot: Shot) -> None:
    consent = scene.topology.url("consent")
    person = next(p.person_id for p in scene.population.persons
                  if p.date_of_death is None and p.invalid_reason is None)  # fmt: skip
    page.goto(f"{consent}/login?next=/my")
    shot("login")
    page.get_by_label("Fødselsnummer").fill(person)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/my")
    shot("my-consents")


STORIES: tuple[tuple[str, Callable[[Scene, Any, Shot], None]], ...] = (
    ("agency", _case_handler), ("police", _police), ("verge", _controller), ("heir", _heir), ("bank", _bank),
    ("citizen", _citizen),
)  # fmt: skip


def take(topology: Any, out: Path, *, chromium: Path = CHROMIUM, only: tuple[str, ...] | None = None) -> list[Path]:
    """Log in as each actor (or those named in ``only``), act, and write a PNG per page under ``out``."""
    from playwright.sync_api import sync_playwright

    from opendsop.ecosystem.runner import world_of

    world = world_of(topology)
    population = world.population() if world.preset.shard_count == 1 else next(world.shards(1))
    owned: dict[str, list[Any]] = {}
    for account in population.accounts:
        owned.setdefault(account.owner_id, []).append(account)
    scene = Scene(topology, population, owned)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=list(ARGS))
        try:
            for name, story in STORIES:
                if only is not None and name not in only:
                    continue
                context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
                context.set_default_timeout(30_000)
                page = context.new_page()

                def shot(label: str, name: str = name, page: Any = page) -> None:
                    path = out / f"{name}-{label}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written.append(path)

                try:
                    story(scene, page, shot)
                finally:
                    context.close()
        finally:
            browser.close()
    return written


@app.command("screenshots")
def screenshots(
    topology: Annotated[
        Path | None, typer.Option(help="The ecosystem's topology (default: as `dsop up` finds it)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Directory for the PNGs (default: var/screenshots)")] = None,
    chromium: Annotated[Path, typer.Option(help="The Chromium to drive")] = CHROMIUM,
) -> None:
    """Log in as every actor of a running `dsop up` and write a PNG of each page."""
    from opendsop.ecosystem import discovery
    from opendsop.ecosystem.topology import read

    if not chromium.exists():
        typer.echo(f"error: {chromium} does not exist — install Chromium (apt-get install -y chromium)", err=True)
        raise typer.Exit(2)
    found = read(discovery.find(topology))
    target = out or found.var_dir / "screenshots"
    try:
        written = take(found, target, chromium=chromium)
    except Exception as error:  # Playwright's errors: a page that did not answer as the story expects
        if type(error).__module__.startswith("playwright"):
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            typer.echo(f"error: {first[:200]} — is `dsop up` running for {found.path}?", err=True)
            raise typer.Exit(2) from None
        raise
    for path in written:
        typer.echo(str(path))


__all__ = [
    "ARGS",
    "CHROMIUM",
    "STORIES",
    "Scene",
    "app",
    "person_login",
    "staff_login",
    "take",
    "wait_for_case",
    "wait_until_gone",
]
