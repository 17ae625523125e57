"""A party's own ``serve`` command: uvicorn's lines and the party's are JSON naming the party, Ctrl-C ends it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

DSOP = str(Path(sys.executable).with_name("dsop"))


@pytest.mark.timeout(120)
def test_certpub_serve_logs_json_lines_naming_the_party_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DSOP_CERTPUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'certpub.db'}"}
    process = subprocess.Popen(
        [DSOP, "certpub", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        for line in process.stderr:  # until uvicorn says it listens
            lines.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            pytest.fail("certpub serve ended before serving:\n" + "".join(lines))
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert home.status_code == 200 and "certpub" in home.text
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    lines += rest.splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    assert {record["party"] for record in records} == {"certpub"}
    assert any(
        record["logger"] == "uvicorn.access" and '"GET / HTTP/1.1" 200' in record["message"] for record in records
    )
    assert process.returncode == 0
    assert not [record for record in records if record["level"] == "ERROR"]
