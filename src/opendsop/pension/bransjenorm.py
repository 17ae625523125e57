"""The pension base from lønnsarter: a configurable table in the manner of Finans Norge's bransjenorm.

Finans Norge's bransjenorm classes each a-melding lønnsart as part of the pensjonsgrunnlag or not; its exact
table is not public here, so the default below is **decided** (docs/decisions.md, "Bransjenorm table"): fixed
and hourly pay are in, the holiday-pay deduction reduces it, overtime, bonus, benefits in kind and pensions
are out.  An institution replaces it with its own (``load``: a TOML file ``[loennsarter]`` name = true/false).
A lønnsart missing from the table is left out and reported, so a new code never silently enters the base.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final

DEFAULT: Final[Mapping[str, bool]] = MappingProxyType(
    {
        "fastloenn": True,
        "timeloenn": True,
        "fastTillegg": True,
        "trekkILoennForFerie": True,
        "overtidsgodtgjoerelse": False,
        "bonus": False,
        "feriepenger": False,
        "elektroniskKommunikasjon": False,
        "ufoerepensjonFraAndreEnnFolketrygden": False,
    }
)


@dataclass(frozen=True, slots=True)
class Table:
    included: Mapping[str, bool]
    name: str = "default"

    def base(self, lines: Iterable[tuple[str, Decimal]]) -> tuple[Decimal, tuple[str, ...]]:
        """The month's pension base from (beskrivelse, beløp) lines, and the codes the table does not know."""
        total, unknown = Decimal(0), []
        for code, amount in lines:
            rule = self.included.get(code)
            if rule is None:
                unknown.append(code)
            elif rule:
                total += amount
        return total, tuple(sorted(set(unknown)))


DEFAULT_TABLE: Final = Table(DEFAULT)


def load(path: Path) -> Table:
    """A table from a TOML file: ``[loennsarter]`` with ``code = true|false``; ValueError naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not TOML ({error})") from None
    rows = data.get("loennsarter")
    if not isinstance(rows, dict) or not rows or not all(isinstance(v, bool) for v in rows.values()):
        raise ValueError(f"{path}: needs a [loennsarter] table of code = true|false")
    return Table(MappingProxyType(dict(rows)), name=path.name)


__all__ = ["DEFAULT", "DEFAULT_TABLE", "Table", "load"]
