# SPDX-License-Identifier: Apache-2.0
"""The ZIP of a DSVE shipment, packed and read safely (in memory; the checks of its content are standard.dsve's).

Reading refuses what could hurt a receiver: more than 20 entries, entries outside the top level,
names repeated (case-insensitively), entries or totals beyond the size limits (the sizes a header
claims are not trusted: each entry is read to at most its limit).  Every refusal is ``DSVE-004``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from opendsop.standard.dsve.errors import DsveError

MAX_FILES = 20
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024


def pack(files: Mapping[str, bytes]) -> bytes:
    """The ZIP of ``files`` (deflated, deterministic timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def unzip(payload: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DsveError("DSVE-004", "the payload is not a ZIP file") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_FILES:
            raise DsveError("DSVE-004", f"the ZIP holds {len(infos)} files; at most {MAX_FILES}")
        total = 0
        files: dict[str, bytes] = {}
        for info in infos:
            name = info.filename
            if "/" in name or "\\" in name or name.startswith(".") or not name.strip():
                raise DsveError("DSVE-004", f"ZIP entry {name[:80]!r}: files must lie at the top level")
            if name.lower() in (existing.lower() for existing in files):
                raise DsveError("DSVE-004", f"ZIP entry {name[:80]!r} appears twice")
            if info.file_size > MAX_FILE_BYTES:
                raise DsveError("DSVE-004", f"ZIP entry {name[:80]!r} is larger than {MAX_FILE_BYTES} bytes")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise DsveError("DSVE-004", f"the ZIP expands to more than {MAX_TOTAL_BYTES} bytes")
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)  # the header's size may lie: read at most the limit
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
                raise DsveError("DSVE-004", f"ZIP entry {name[:80]!r} cannot be read") from None
            if len(data) > MAX_FILE_BYTES:
                raise DsveError("DSVE-004", f"ZIP entry {name[:80]!r} is larger than {MAX_FILE_BYTES} bytes")
            files[name] = data
        return files


__all__ = ["MAX_FILES", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "pack", "unzip"]
