"""Who may send, receive and act on a resource: the resource registry's policy and role assignments.

A resource (``contracts.messaging.models.Resource``) lists the organisations that may send and
receive on it (``"*"`` any organisation, ``"person"`` any person as recipient) and the roles that
qualify a party too (a party qualifies when it holds the role *for itself*, e.g. a bank's own system
user holding ``A0294`` Transportløyvegaranti).  Acting *for* another party (Altinn's ``onBehalfOf``:
a system supplier sending for a bank, a caseworker organisation reading a person's letters) needs
an assignment from that party: one of the resource's roles, or the resource's own right
``urn:altinn:resource:<identifier>`` (Altinn's single-right delegation).  The functions here decide;
``Access`` fetches the facts and raises the platform's errors.
"""

from __future__ import annotations

from collections.abc import Collection

from opendsop.altinn.store import MessageStore
from opendsop.contracts.messaging.errors import InvalidRequest, NotAuthorized, UnknownResource
from opendsop.contracts.messaging.models import Resource
from opendsop.contracts.messaging.names import RESOURCE_RIGHT_URN, bare_party
from opendsop.standard.errors import InvalidIdentifier
from opendsop.standard.identifiers import validate_orgnr, validate_person_number

ANY_ORGANISATION = "*"
ANY_PERSON = "person"


def is_person(party: str) -> bool:
    return len(party) == 11


def listed(party: str, allowed: Collection[str]) -> bool:
    """``party`` is named in ``allowed``, or covered by ``*`` (organisations) / ``person`` (persons)."""
    return party in allowed or (ANY_PERSON if is_person(party) else ANY_ORGANISATION) in allowed


def may_send(resource: Resource, party: str, own_roles: Collection[str]) -> bool:
    return (
        party == resource.owner or listed(party, resource.senders) or bool(set(own_roles) & set(resource.sender_roles))
    )


def may_receive(resource: Resource, party: str, own_roles: Collection[str]) -> bool:
    return listed(party, resource.recipients) or bool(set(own_roles) & set(resource.recipient_roles))


def acting_roles(resource: Resource) -> set[str]:
    """The roles that let a holder act for a party on ``resource``."""
    return {*resource.sender_roles, *resource.recipient_roles, RESOURCE_RIGHT_URN + resource.identifier}


def may_act_for(resource: Resource, holder: str, party: str, assigned: Collection[str]) -> bool:
    return holder == party or bool(set(assigned) & acting_roles(resource))


def parse_party(value: str, what: str, *, synthetic_allowed: bool) -> str:
    """An organisation number or fødselsnummer/D-number from a URN, ``0192:…`` or bare digits."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{what} is empty; give urn:altinn:organization:identifier-no:<orgnr> or a person URN")
    bare = bare_party(value)
    try:
        if len(bare) == 11:
            return str(validate_person_number(bare, synthetic_allowed=synthetic_allowed).value)
        return validate_orgnr(bare, synthetic_allowed=synthetic_allowed)
    except InvalidIdentifier as error:
        raise InvalidRequest(
            f"{what} {value[:80]!r} is not a valid organisation or person number: {error.message}"
        ) from None


class Access:
    """The checks every operation makes, over the store's registry and assignments."""

    def __init__(self, store: MessageStore, *, synthetic_allowed: bool = True) -> None:
        self.store = store
        self.synthetic_allowed = synthetic_allowed

    def party(self, value: str, what: str) -> str:
        return parse_party(value, what, synthetic_allowed=self.synthetic_allowed)

    async def resource(self, identifier: str | None, kind: str) -> Resource:
        if not identifier or len(identifier) > 255:
            raise InvalidRequest("resourceId is required (1–255 characters)")
        resource = await self.store.resource(identifier)
        if resource is None:
            raise UnknownResource(f"no resource {identifier!r} in the resource registry; register it first")
        if kind not in resource.kinds:
            raise NotAuthorized(
                f"resource {identifier!r} is not open for {kind} (it allows: {', '.join(resource.kinds)})"
            )
        return resource

    async def acting_party(self, resource: Resource, holder: str, on_behalf_of: str | None) -> str:
        """The party the caller acts for: itself, or ``on_behalf_of`` when it holds a role for it."""
        if not on_behalf_of:
            return holder
        party = self.party(on_behalf_of, "onBehalfOf")
        if party != holder and not may_act_for(resource, holder, party, await self.store.roles_held(holder, party)):
            raise NotAuthorized(
                f"the caller holds no role for the party on resource {resource.identifier!r} "
                "(it needs one of the resource's roles, or its right, delegated by that party)"
            )
        return party

    async def check_sender(self, resource: Resource, party: str) -> None:
        if may_send(resource, party, ()):  # listed: no role look-up needed
            return
        if not may_send(resource, party, await self.store.roles_held(party, party)):
            raise NotAuthorized(f"organisation {party} may not send on resource {resource.identifier!r}")

    async def check_recipient(self, resource: Resource, party: str) -> None:
        if may_receive(resource, party, ()):
            return
        if not may_receive(resource, party, await self.store.roles_held(party, party)):
            shown = party if not is_person(party) else "the person"
            raise NotAuthorized(f"recipient {shown} has no right to receive on resource {resource.identifier!r}")


__all__ = ["Access", "acting_roles", "is_person", "listed", "may_act_for", "may_receive", "may_send", "parse_party"]
