# SPDX-License-Identifier: Apache-2.0
"""Expected failures of any ``dsop`` command as one line, ``error: <what> — <fix>`` (exit code 2).

The table maps the project's known exception types — by their qualified names, so that this module
imports none of the parties — to a sentence naming the cause and, where one can be named, the fix.
An exception not in the table is a bug and keeps its traceback; ``dsop --debug …`` shows the
traceback of an expected failure too.  Ctrl-C ends a command with one line saying how to resume it
(exit code 130, the shell's convention for SIGINT).
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable

import typer
from typer import _click as click  # typer's own copy of click: its contexts and exceptions are these

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
START_IT = "is the ecosystem running? Start it with `dsop up`"


class Interrupted(Exception):
    """Ctrl-C stopped a command; ``resume`` says how to carry on from where it stopped."""

    def __init__(self, resume: str) -> None:
        super().__init__(resume)
        self.resume = resume


def _message(error: BaseException) -> str:
    return str(getattr(error, "message", None) or error)


def _parameter(error: BaseException) -> str:
    parameter = getattr(error, "parameter", None)
    return f" ({parameter})" if parameter else ""


def _invalid_input(error: BaseException) -> str:
    return f"{_message(error)} — check the identifier you gave"


def _register_unavailable(error: BaseException) -> str:
    return f"the registers did not answer: {_message(error)} — {START_IT}"


def _token(error: BaseException) -> str:
    if getattr(error, "status", None) is None:  # nobody answered at the token endpoint
        return f"token service: {_message(error)} — {START_IT}"
    return f"token service: {_message(error)} — check the agency's client registration and keys"


def _bank(error: BaseException) -> str:
    return f"{error} — the case is recorded: `dsop case resume <AccountInfoRequestID>` asks again"


def _refused(error: BaseException) -> str:
    return f"refused{_parameter(error)}: {_message(error)} — nothing was sent; correct it and run again"


def _relations(error: BaseException) -> str:
    return f"the relations hub answered {error} — {START_IT}, or check the agency's access to KAR"


def _dsop(error: BaseException) -> str:
    code = getattr(error, "code", "")
    return f"{_message(error)}{_parameter(error)} [{code}] — correct it and run again"


def _unknown_case(error: BaseException) -> str:
    return f"{_message(error)} — give the AccountInfoRequestID a case printed when it ran"


def _as_is(error: BaseException) -> str:
    """Messages that already name the cause and the fix."""
    return _message(error)


def _validation(error: BaseException) -> str:
    errors = error.errors()  # type: ignore[attr-defined]  # pydantic.ValidationError
    first = errors[0] if errors else {"loc": (), "msg": str(error)}
    where = ".".join(str(part) for part in first.get("loc", ()))
    title = getattr(error, "title", "settings")
    return (
        f"{title}: {where}: {first.get('msg')} — set it in the environment, or run from a directory with "
        f"var/ecosystem.toml (`dsop up`) or name one with DSOP_ECOSYSTEM"
    )


def _unreachable(error: BaseException) -> str:
    try:
        url = str(error.request.url)  # type: ignore[attr-defined]  # httpx.RequestError
    except RuntimeError:
        url = "a party"
    return f"cannot reach {url} ({type(error).__name__}) — {START_IT}"


def _garbage(error: BaseException) -> str:
    return f"a party answered something unreadable: {error} — check that the URL points at the right party"


def _os_error(error: BaseException) -> str:
    assert isinstance(error, OSError)
    name = error.filename or ""
    if error.errno == errno.ENOENT:
        parent = os.path.dirname(str(name)) or "."
        fix = f"create {parent} first" if not os.path.isdir(parent) else "check the path"
        return f"{name}: no such file or directory — {fix}"
    if error.errno == errno.EADDRINUSE:
        return f"{error.strerror} — stop what uses the port, or choose another one"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{name}: permission denied — choose a place you may write to"
    return f"{name or type(error).__name__}: {error.strerror or error} — check the path"


# the most specific type first: the first entry in a failure's MRO wins (tests/test_cli_start.py checks each name
# still names a class, so a class that moves cannot silently fall back to a traceback)
KNOWN: dict[str, Callable[[BaseException], str]] = {
    "opendsop.contracts.registers.errors.InvalidInput": _invalid_input,
    "opendsop.contracts.registers.errors.RegisterUnavailable": _register_unavailable,
    "opendsop.contracts.registers.errors.RegisterError": _as_is,
    "opendsop.contracts.errors.TokenError": _token,
    "opendsop.consumer.errors.BankError": _bank,
    "opendsop.contracts.errors.ConsumerError": _as_is,
    "opendsop.consumer.workflows._base.WorkflowRefused": _refused,
    "opendsop.consumer.workflows._base.RelationsError": _relations,
    "opendsop.consumer.cases.CaseConflict": _as_is,
    "opendsop.pension.client.PensionError": _as_is,
    "opendsop.consumer.exports.model.UnknownCase": _unknown_case,
    "opendsop.standard.errors.DsopError": _dsop,
    "opendsop.standard.dsve.errors.DsveError": _dsop,
    "opendsop.standard.fraud.FraudError": _dsop,
    "opendsop.ecosystem.topology.TopologyError": _as_is,
    "opendsop.ecosystem.runner.EcosystemError": _as_is,
    "opendsop.ecosystem.load.WorldMismatch": _as_is,
    "opendsop.ecosystem.provision.CorruptedVar": _as_is,
    "opendsop.ecosystem.discovery.NoEcosystem": _as_is,
    "opendsop.backoffice.settings.BackofficeError": _as_is,
    "pydantic_core._pydantic_core.ValidationError": _validation,
    "httpx.TransportError": _unreachable,
    "httpx.DecodingError": _garbage,
    "json.decoder.JSONDecodeError": _garbage,
    "msgspec.DecodeError": _garbage,
    "builtins.OSError": _os_error,
}


def describe(error: BaseException) -> str | None:
    """``<what> — <fix>`` for an expected failure, None for anything else (a bug: keep its traceback)."""
    for kind in type(error).__mro__:
        line = KNOWN.get(f"{kind.__module__}.{kind.__qualname__}")
        if line is not None:
            return line(error)
    return None


def debugging() -> bool:
    """Whether ``dsop --debug`` asked for tracebacks."""
    ctx = click.globals.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def _quiet_late_threads() -> None:
    """After Ctrl-C a database driver's thread may still finish its call and find the event loop closed:
    that is the interruption, not news (its traceback would bury the one line)."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if not (isinstance(args.exc_value, RuntimeError) and "Event loop is closed" in str(args.exc_value)):
            previous(args)

    threading.excepthook = hook


def handled(error: BaseException) -> int | None:
    """Print the one line of an expected failure and give its exit code; None: re-raise it."""
    if isinstance(error, (typer.Exit, typer.Abort, click.exceptions.ClickException)):
        return None
    if isinstance(error, (Interrupted, KeyboardInterrupt)):
        _quiet_late_threads()
    if isinstance(error, Interrupted):
        typer.echo(f"interrupted — {error.resume}", err=True)
        return EXIT_INTERRUPTED
    if isinstance(error, KeyboardInterrupt):
        typer.echo("interrupted — nothing was left half-done; run the command again", err=True)
        return EXIT_INTERRUPTED
    if debugging():
        return None
    line = describe(error)
    if line is None:
        return None
    typer.echo(f"error: {line}", err=True)
    return EXIT_ERROR


__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "KNOWN", "Interrupted", "debugging", "describe", "handled"]
