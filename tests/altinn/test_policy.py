"""Resource policies and role assignments: one row per rule, then the registry over HTTP."""

from __future__ import annotations

import pytest

from opendsop.altinn.policy import may_act_for, may_receive, may_send
from opendsop.contracts.messaging import errors as E
from opendsop.contracts.messaging.models import DecisionRequest, FileTransferInitialize, Resource, RoleAssignment
from opendsop.contracts.messaging.names import TRANSPORT_GUARANTEE_ROLE
from tests.altinn.conftest import AGENCY, BANK, GUARANTEE, OTHER_BANK, PERSON, SVV, Harness

pytestmark = pytest.mark.anyio

GUARANTEES = Resource(
    identifier="svv",
    owner=SVV,
    title="Transportløyvegaranti",
    senders=[SVV],
    recipients=[SVV],
    sender_roles=[TRANSPORT_GUARANTEE_ROLE],
    recipient_roles=[TRANSPORT_GUARANTEE_ROLE],
)
LETTERS = Resource(identifier="letters", owner=AGENCY, title="Brev", senders=[AGENCY], recipients=["*"])
TO_PEOPLE = Resource(identifier="people", owner=AGENCY, title="Brev", recipients=["person"])


@pytest.mark.parametrize(
    ("rule", "resource", "party", "roles", "allowed"),
    [
        ("the owner sends", GUARANTEES, SVV, set(), True),
        ("a listed sender sends", LETTERS, AGENCY, set(), True),
        ("an unlisted organisation does not send", LETTERS, BANK, set(), False),
        ("a holder of a sender role sends", GUARANTEES, BANK, {TRANSPORT_GUARANTEE_ROLE}, True),
        ("another role does not qualify", GUARANTEES, BANK, {"DAGL"}, False),
    ],
)
def test_who_may_send(rule: str, resource: Resource, party: str, roles: set[str], allowed: bool) -> None:
    assert may_send(resource, party, roles) is allowed, rule


@pytest.mark.parametrize(
    ("rule", "resource", "party", "roles", "allowed"),
    [
        ("'*' lets any organisation receive", LETTERS, BANK, set(), True),
        ("'*' does not cover persons", LETTERS, PERSON, set(), False),
        ("'person' lets any person receive", TO_PEOPLE, PERSON, set(), True),
        ("'person' does not cover organisations", TO_PEOPLE, BANK, set(), False),
        ("a listed recipient receives", GUARANTEES, SVV, set(), True),
        ("a holder of a recipient role receives (A0294)", GUARANTEES, BANK, {TRANSPORT_GUARANTEE_ROLE}, True),
        ("without the role a guarantor receives nothing", GUARANTEES, OTHER_BANK, set(), False),
    ],
)
def test_who_may_receive(rule: str, resource: Resource, party: str, roles: set[str], allowed: bool) -> None:
    assert may_receive(resource, party, roles) is allowed, rule


@pytest.mark.parametrize(
    ("rule", "holder", "party", "assigned", "allowed"),
    [
        ("a party acts for itself", BANK, BANK, set(), True),
        ("a delegated resource right lets a supplier act", OTHER_BANK, BANK, {"urn:altinn:resource:svv"}, True),
        ("one of the resource's roles lets a holder act", PERSON, BANK, {TRANSPORT_GUARANTEE_ROLE}, True),
        ("a right on another resource does not", OTHER_BANK, BANK, {"urn:altinn:resource:letters"}, False),
        ("no assignment, no acting", OTHER_BANK, BANK, set(), False),
    ],
)
def test_who_may_act_for_whom(rule: str, holder: str, party: str, assigned: set[str], allowed: bool) -> None:
    assert may_act_for(GUARANTEES, holder, party, assigned) is allowed, rule


async def test_the_registry_owner_registers_and_parties_delegate_only_their_own_rights(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    svv, bank, other = h.client(SVV), h.client(BANK), h.client(OTHER_BANK)
    assert (await svv.resource(GUARANTEE)).owner == SVV
    with pytest.raises(E.NotAuthorized):
        await bank.put_resource(Resource(identifier=GUARANTEE, owner=BANK, title="taken"))
    mine = Resource(identifier="bank-own", owner=BANK, title="Own", senders=[BANK], recipients=["*"])
    assert await bank.put_resource(mine) == mine
    assert "bank-own" in {r.identifier for r in await other.resources()}

    decision = await other.decide(DecisionRequest(subject=OTHER_BANK, resource=GUARANTEE, action="receive"))
    assert decision.decision == "NotApplicable"
    with pytest.raises(E.NotAuthorized):
        await other.assign_role(RoleAssignment(holder=OTHER_BANK, party=OTHER_BANK, role=TRANSPORT_GUARANTEE_ROLE))
    await bank.assign_role(RoleAssignment(holder=OTHER_BANK, party=BANK, role=TRANSPORT_GUARANTEE_ROLE))
    decision = await other.decide(DecisionRequest(subject=OTHER_BANK, party=BANK, resource=GUARANTEE, action="receive"))
    assert decision.decision == "Permit"
    assert RoleAssignment(holder=OTHER_BANK, party=BANK, role=TRANSPORT_GUARANTEE_ROLE) in await bank.roles(BANK)
    with pytest.raises(E.UnknownResource):
        await bank.initialize_file_transfer(
            FileTransferInitialize(file_name="x.zip", resource_id="no-such", recipients=[SVV])
        )
