"""The prosecution's signing credential on disk: load it, or create a local test one on first start.

Layout of ``key_dir`` (all PEM, written by ``save``):

* ``signing-key.pem`` — the private key (PKCS#8);
* ``signing-chain.pem`` — the enterprise certificate, then its intermediates (root excluded);
* ``root.pem`` — the root that banks must pre-install to verify orders (informational);
* ``kid`` — the key id published in the JWKS and put in every order's header.

Every file is mode 0600 in a 0700 directory.

The certificate is a virksomhetssertifikat of Politiet (org.nr 915429785, the Politi participant of
DSOP “Security design”) with ``OU=Påtalemyndigheten`` and ``CN=Godkjenning av utleveringspålegg``
(``… TEST`` in test), as banks require in signature step 5 (DSOP Politi “Løsningsbeskrivelse”).

In ``test`` a missing credential is generated on first start: a fresh local root → intermediate →
signing certificate, saved as above.  In ``production`` nothing is generated; the operator
installs the real credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from opendsop.files import write_private
from opendsop.prosecution.orders import COMMON_NAME, ORGANISATIONAL_UNIT
from opendsop.prosecution.settings import Environment
from opendsop.trust.keys import key_from_certificate, key_from_pem, private_key_pem
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_pem, subject_value

POLITIET_ORGNO: Final = "915429785"
POLITIET_NAME: Final = "POLITIET"
KEY_FILE: Final = "signing-key.pem"
CHAIN_FILE: Final = "signing-chain.pem"
ROOT_FILE: Final = "root.pem"
KID_FILE: Final = "kid"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The credential that signs orders, its ``kid``, and (if known) the root that anchors it."""

    kid: str
    credential: Credential
    root: x509.Certificate | None = None


def default_kid(credential: Credential) -> str:
    """The RFC 7638 thumbprint of the certificate's public key."""
    kid = key_from_certificate(credential.certificate).kid
    assert kid is not None
    return kid


def create_signing_credential(
    ca: CertificateAuthority, *, now: datetime, environment: Environment, days: int = 730
) -> Credential:
    """A signing certificate for påtalemyndigheten issued by ``ca``."""
    return ca.issue_enterprise(
        POLITIET_ORGNO,
        organisation_name=POLITIET_NAME,
        organisational_unit=ORGANISATIONAL_UNIT,
        common_name=COMMON_NAME[environment],
        now=now,
        days=days,
        purpose="signing",
    )


def check_subject(credential: Credential, environment: Environment) -> None:
    """Refuse to sign with a certificate banks in ``environment`` would reject (step 5)."""
    cn, ou = subject_value(credential.certificate, "CN"), subject_value(credential.certificate, "OU")
    if (ou, cn) != (ORGANISATIONAL_UNIT, COMMON_NAME[environment]):
        raise ValueError(
            f"the signing certificate has OU={ou!r}, CN={cn!r}; the {environment} environment needs "
            f"OU={ORGANISATIONAL_UNIT!r}, CN={COMMON_NAME[environment]!r}"
        )


def save(directory: Path, key: SigningKey) -> None:
    """Every file 0600 in a 0700 directory, each written atomically (``opendsop.files``).

    The key comes last: its presence is what ``load_or_create`` takes for a complete credential.
    """
    write_private(directory / CHAIN_FILE, b"".join(certificate_pem(c) for c in key.credential.path()))
    if key.root is not None:
        write_private(directory / ROOT_FILE, certificate_pem(key.root))
    write_private(directory / KID_FILE, key.kid + "\n")
    write_private(directory / KEY_FILE, private_key_pem(key.credential.private_key))


def load(directory: Path) -> SigningKey:
    """Read a credential saved by ``save``; ``ValueError`` if the files do not fit together."""
    chain = x509.load_pem_x509_certificates((directory / CHAIN_FILE).read_bytes())
    private_key = key_from_pem((directory / KEY_FILE).read_bytes())
    native = private_key.private_key
    leaf_key = chain[0].public_key()
    if (
        not isinstance(native, rsa.RSAPrivateKey)
        or not isinstance(leaf_key, rsa.RSAPublicKey)
        or (native.public_key().public_numbers() != leaf_key.public_numbers())
    ):
        raise ValueError(f"{directory / KEY_FILE} is not the RSA key of the certificate in {CHAIN_FILE}")
    credential = Credential(private_key=private_key, certificate=chain[0], chain=tuple(chain[1:]))
    kid_path, root_path = directory / KID_FILE, directory / ROOT_FILE
    kid = kid_path.read_text(encoding="ascii").strip() if kid_path.exists() else default_kid(credential)
    root = x509.load_pem_x509_certificate(root_path.read_bytes()) if root_path.exists() else None
    return SigningKey(kid=kid, credential=credential, root=root)


def load_or_create(directory: Path, *, now: datetime, environment: Environment) -> SigningKey:
    """The saved credential, or in ``test`` a new local one (saved for the next start)."""
    if (directory / KEY_FILE).exists():
        key = load(directory)
    elif environment == "production":
        raise FileNotFoundError(
            f"no signing credential in {directory}: install {KEY_FILE} and {CHAIN_FILE} "
            "(production keys are never generated)"
        )
    else:
        root = CertificateAuthority.create_root("opendsop local test root", now=now)
        issuing = root.issue_intermediate("opendsop local test enterprise CA", now=now)
        credential = create_signing_credential(issuing, now=now, environment=environment)
        key = SigningKey(kid=default_kid(credential), credential=credential, root=root.certificate)
        save(directory, key)
    check_subject(key.credential, environment)
    return key


__all__ = [
    "POLITIET_ORGNO",
    "SigningKey",
    "check_subject",
    "create_signing_credential",
    "default_kid",
    "load",
    "load_or_create",
    "save",
]
