"""A tiny ecosystem on free loopback ports, served from a background thread with its own event loop.

Tests talk to it like a second terminal would: over HTTP, or by running ``dsop`` in a subprocess
with ``DSOP_ECOSYSTEM`` pointing at its topology.  ``Gate`` holds one bank's transaction requests
until released, so a test can kill a consumer at a known point (no sleeps).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opendsop.ecosystem.runner import Running, start
from opendsop.ecosystem.topology import OPTIONAL_SERVICES, SERVICES, Topology, for_world, render
from opendsop.synth import generate

DSOP = str(Path(sys.executable).with_name("dsop"))


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tiny_topology(directory: Path, *, seed: int = 0) -> Topology:
    """The ``tiny`` world's topology on free ports, written to ``directory/ecosystem.toml``."""
    world = generate("tiny", seed=seed)
    parties = (*SERVICES, *OPTIONAL_SERVICES)
    ports = free_ports(len(parties) + len(world.banks))
    path = directory / "ecosystem.toml"
    topology = for_world(
        path,
        preset="tiny",
        seed=seed,
        banks=[(b.orgnr, b.name, b.control_api) for b in world.banks],
        ports=dict(zip(parties, ports, strict=False)),
        today=world.today.isoformat(),
    )  # pinned: the tests know this world's people and dates
    topology = dataclasses.replace(
        topology,
        banks=tuple(
            dataclasses.replace(bank, port=port)
            for bank, port in zip(topology.banks, ports[len(parties) :], strict=True)
        ),
    )
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(render(topology), encoding="utf-8")
    return topology


class Gate:
    """ASGI layer for one bank: while armed, a transactions request signals ``hit`` and waits for ``release``."""

    def __init__(self) -> None:
        self.armed = False
        self.hit = threading.Event()
        self.release = threading.Event()

    def wrap(self, app: Any) -> Any:
        async def gated(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if self.armed and scope["type"] == "http" and scope["path"].endswith("/transactions"):
                self.hit.set()
                await asyncio.to_thread(self.release.wait, 120)
            await app(scope, receive, send)

        return gated


class Background:
    """``start(topology)`` in a thread; ``running`` once ready, ``stop()`` ends it and joins."""

    def __init__(self, topology: Topology, wrap: Callable[[str, Any], Any] | None = None) -> None:
        self.topology, self.wrap = topology, wrap
        self.running: Running | None = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            try:
                async with start(self.topology, wrap=self.wrap) as running:
                    self.running = running
                    self._ready.set()
                    await self._stop.wait()
            except BaseException as error:  # reported to the test thread
                self.error = error
                self._ready.set()

        asyncio.run(main())

    def __enter__(self) -> Running:
        self._thread.start()
        self._ready.wait(300)
        if self.error is not None or self.running is None:
            raise RuntimeError(f"the ecosystem did not start: {self.error!r}")
        return self.running

    def __exit__(self, *_: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)


def dsop(topology: Topology, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``dsop ARGS`` in a subprocess, as the local ecosystem's agency (a second terminal)."""
    env = {**os.environ, "DSOP_ECOSYSTEM": str(topology.path), "COLUMNS": "200"}
    env.pop("DSOP_CONSUMER_ORGNO", None)
    return subprocess.run(
        [DSOP, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=topology.var_dir, check=False
    )


def dsop_background(topology: Topology, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DSOP_ECOSYSTEM": str(topology.path), "COLUMNS": "200"}
    env.pop("DSOP_CONSUMER_ORGNO", None)
    return subprocess.Popen(
        [DSOP, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=topology.var_dir
    )
