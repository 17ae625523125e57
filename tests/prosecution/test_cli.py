"""``dsop eo issue`` prints an order that a bank accepts (DSOP Politi “Løsningsbeskrivelse”)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from typer.testing import CliRunner

from opendsop.contracts.extradition_order import verify_extradition_order
from opendsop.prosecution.cli import app
from opendsop.prosecution.keystore import ROOT_FILE, load
from opendsop.prosecution.orders import jwks_document
from opendsop.trust.pki import TrustStore

ARGS = [
    "issue", "--party-id", "15108695088", "--mandate", "savnet", "--from", "2024-01-01", "--to", "2024-12-31",
    "--grant", "accountDetails,transactions", "--all-roles", "--district", "1:Oslo politidistrikt",
    "--approved-by", "pa-4711:Kari Nordmann",
]  # fmt: skip


def test_issue_prints_a_jws_that_verifies(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*ARGS, "--key-dir", str(tmp_path), "--validity-days", "10"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    key = load(tmp_path)
    root = x509.load_pem_x509_certificate((tmp_path / ROOT_FILE).read_bytes())
    # The CLI reads the real clock; verify a minute later.
    now = datetime.now(UTC) + timedelta(minutes=1)
    order = verify_extradition_order(
        token, TrustStore(roots=(root,)), now=now, jwks=jwks_document([(key.kid, key.credential)])
    )
    assert order.mandate == "Straffeprosessloven §210 (3) andre punktum"
    assert (order.account_details, order.transactions, order.cards, order.roles) == (True, True, False, False)
    assert order.only_primary_owner is False
    assert (order.district.district_id, order.district.district_label) == ("1", "Oslo politidistrikt")
    assert order.approval.approved_by_role == "Politiadvokat"
    assert order.expires_at - order.approval.approval_timestamp == timedelta(days=10)


def test_an_unknown_grant_is_a_usage_error(tmp_path: Path) -> None:
    args = [*ARGS, "--key-dir", str(tmp_path)]
    args[args.index("accountDetails,transactions")] = "accountDetails,everything"
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "everything" in result.output


def test_an_order_that_would_be_refused_is_not_issued(tmp_path: Path) -> None:
    args = [*ARGS, "--key-dir", str(tmp_path)]
    args[args.index("2024-01-01")] = "2001-01-01"
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "10 years" in result.output
