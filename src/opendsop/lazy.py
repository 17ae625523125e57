"""A package's public names imported on first use (PEP 562), so `dsop <command> --help` need not load a party.

>>> __getattr__ = exports("opendsop.example", {"dumps": "json"})
>>> __getattr__("dumps").__name__
'dumps'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """The module ``__getattr__`` of ``package``: each name in ``where`` comes from the module it maps to,
    imported the first time it is asked for and then kept in the package's namespace."""

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        module = sys.modules.get(package)
        if module is not None:
            setattr(module, name, value)
        return value

    return __getattr__


__all__ = ["exports"]
