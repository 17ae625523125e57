"""JWE compact serialization for response bodies (DSOP “Security design”, RFC 7516/7518).

Banks encrypt every HTTP 200 body to the consumer's CertPub encryption
certificate and send it as ``application/jose``. The public pages leave
``alg``/``enc`` open (DSOP “Security design” does not say), so both are configurable; the default is
RSA-OAEP-256 + A256GCM, and Altinn's hinted A128CBC-HS256 is accepted on
decryption.

Decisions:
- RSA-OAEP / RSA-OAEP-256 with AES-GCM or AES-CBC-HMAC-SHA2 is implemented
  directly on ``cryptography`` (one pass, no size caps sized for small tokens:
  a 1000-transaction page is ~0.5 MB). ECDH-ES (P-256) is delegated to joserfc.
  RSA1_5 and ``dir`` are never accepted.
- The decrypting side names the ``alg`` and ``enc`` it accepts and checks
  them before touching the key. Every failure after that (wrong recipient,
  flipped ciphertext or tag bit, bad padding) is one indistinguishable
  ``DecryptionError(reason="decryption_failed")``; on an RSA unwrap failure a
  random CEK is used so the failure surfaces at the tag check (RFC 7516 §11.5).
- A certificate recipient's imported key and ``x5t#S256`` come from a bounded
  per-certificate cache (``RecipientKeys``, in :mod:`opendsop.trust.recipients`,
  re-exported here). The protected header is built once per distinct
  (alg, enc, cty, x5t#S256, kid).
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import secrets
import struct
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe as jose_jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from opendsop.trust.errors import DecryptionError, TrustError
from opendsop.trust.keys import MIN_RSA_BITS, as_jwk
from opendsop.trust.recipients import RecipientKeys

__all__ = [
    "DEFAULT_ALG",
    "DEFAULT_ENC",
    "KEY_ALGORITHMS",
    "CONTENT_ENCRYPTIONS",
    "RecipientKeys",
    "decrypt_compact",
    "encrypt_compact",
    "encrypt_compact_bytes",
    "unverified_jwe_header",
]

DEFAULT_ALG = "RSA-OAEP-256"
DEFAULT_ENC = "A256GCM"
_RSA_ALGS: dict[str, type[hashes.HashAlgorithm]] = {"RSA-OAEP": hashes.SHA1, "RSA-OAEP-256": hashes.SHA256}
# Padding objects only hold parameters: one per alg serves every call.
_OAEP = {
    alg: padding.OAEP(mgf=padding.MGF1(hash_cls()), algorithm=hash_cls(), label=None)
    for alg, hash_cls in _RSA_ALGS.items()
}
_ECDH_ALGS = ("ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW")
KEY_ALGORITHMS = (*_RSA_ALGS, *_ECDH_ALGS)
# enc -> (CEK bytes, IV bytes, tag bytes, HMAC hash or None for GCM)
_ENCS: dict[str, tuple[int, int, int, Any]] = {
    "A128GCM": (16, 12, 16, None),
    "A192GCM": (24, 12, 16, None),
    "A256GCM": (32, 12, 16, None),
    "A128CBC-HS256": (32, 16, 16, hashlib.sha256),
    "A192CBC-HS384": (48, 16, 24, hashlib.sha384),
    "A256CBC-HS512": (64, 16, 32, hashlib.sha512),
}
CONTENT_ENCRYPTIONS = tuple(_ENCS)
# A response page is well under this; it bounds memory for hostile input.
MAX_JWE_LENGTH = 64 * 1024 * 1024
_B64URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class _LargeRegistry(jose_jwe.JWERegistry):
    """joserfc's registry caps ciphertext at 64 KB; response pages are larger."""

    max_ciphertext_length = MAX_JWE_LENGTH


# base64url <-> standard base64 by one bytes.translate (C speed); any byte outside
# the base64url alphabet (and ".") becomes "!", which a single memchr then finds.
_TO_STANDARD = bytes(b if b in _B64URL_ALPHABET + b"." else ord("!") for b in range(256)).translate(
    bytes.maketrans(b"-_", b"+/")
)
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64encode(data: bytes | memoryview) -> memoryview:
    """base64url without padding, as a view (no copy for stripping "=")."""
    encoded = binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE)
    return memoryview(encoded)[: len(encoded) - encoded[-2:].count(b"=")]


def _b64decode(segment: bytes | memoryview, what: str) -> bytes:
    """Decode a segment already mapped to the standard alphabet by ``_TO_STANDARD``."""
    if len(segment) % 4 == 1:
        raise DecryptionError(f"JWE {what} is not valid base64url", reason="malformed")
    if len(segment) % 4:
        segment = b"".join((segment, b"=" * (-len(segment) % 4)))
    try:
        return binascii.a2b_base64(segment)
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - ruled out by the checks above
        raise DecryptionError(f"JWE {what} is not valid base64url", reason="malformed") from exc


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


def _split(token: str | bytes) -> list[memoryview]:
    if isinstance(token, str):
        if not token.isascii():
            raise DecryptionError("JWE must be ASCII", reason="malformed")
        token = token.encode("ascii")
    if not isinstance(token, (bytes, bytearray)):
        raise DecryptionError("JWE must be a string", reason="malformed")
    if len(token) > MAX_JWE_LENGTH:
        raise DecryptionError(f"JWE is longer than {MAX_JWE_LENGTH} bytes", reason="malformed")
    standard = bytes(token).strip().translate(_TO_STANDARD)
    if b"!" in standard:
        raise DecryptionError("JWE holds characters outside base64url", reason="malformed")
    # Slices of one memoryview: the 0.5 MB ciphertext segment is not copied.
    view = memoryview(standard)
    parts: list[Any] = []
    start = 0
    while (dot := standard.find(b".", start)) != -1 and len(parts) < 5:
        parts.append(view[start:dot])
        start = dot + 1
    parts.append(view[start:])
    if len(parts) != 5:
        raise DecryptionError(
            f"JWE compact serialization has 5 dot-separated segments, got {len(parts)}", reason="malformed"
        )
    return parts


def _parse_header(segment: bytes | memoryview) -> dict[str, Any]:
    raw = _b64decode(segment, "header")
    try:
        header = json.loads(raw, object_pairs_hook=_unique_object)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise DecryptionError(f"JWE header is not valid JSON: {exc}", reason="malformed") from exc
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str) or not isinstance(header.get("enc"), str):
        raise DecryptionError('JWE header must be an object with string "alg" and "enc"', reason="malformed")
    return header


def unverified_jwe_header(token: str | bytes) -> dict[str, Any]:
    """The protected header of a compact JWE (e.g. to pick a key by ``kid``), unauthenticated."""
    return _parse_header(_split(token)[0])


# -- content encryption ------------------------------------------------------------


def _cbc_hmac_tag(enc: str, mac_key: bytes, aad: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    _, _, tag_len, digest = _ENCS[enc]
    al = struct.pack(">Q", len(aad) * 8)  # RFC 7518 §5.2.2.1: AAD length in bits
    mac = hmac.new(mac_key, aad, digest)
    mac.update(iv)
    mac.update(ciphertext)
    mac.update(al)
    return mac.digest()[:tag_len]


def _seal(enc: str, cek: bytes, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes | memoryview, bytes]:
    key_len, iv_len, tag_len, digest = _ENCS[enc]
    iv = secrets.token_bytes(iv_len)
    if digest is None:
        sealed = memoryview(AESGCM(cek).encrypt(iv, plaintext, aad))  # views: no copy of a large body
        return iv, sealed[:-tag_len], bytes(sealed[-tag_len:])
    half = key_len // 2
    pad = 16 - len(plaintext) % 16  # PKCS#7, RFC 7518 §5.2.2.1
    padded = b"".join((plaintext, bytes((pad,)) * pad))
    encryptor = Cipher(algorithms.AES(cek[half:]), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded)
    encryptor.finalize()  # whole blocks in: nothing buffered
    return iv, ciphertext, _cbc_hmac_tag(enc, cek[:half], aad, iv, ciphertext)


def _open(enc: str, cek: bytes, aad: bytes, iv: bytes, ciphertext: bytes, tag: bytes) -> bytes:
    key_len, iv_len, tag_len, digest = _ENCS[enc]
    failed = DecryptionError("JWE could not be decrypted (wrong key or tampered data)", reason="decryption_failed")
    if len(iv) != iv_len or len(tag) != tag_len or len(cek) != key_len:
        raise failed
    if digest is None:
        # The streaming GCM interface takes the tag separately: no ciphertext+tag copy.
        decryptor = Cipher(algorithms.AES(cek), modes.GCM(iv, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        plaintext = decryptor.update(ciphertext)
        try:
            decryptor.finalize()
        except InvalidTag as exc:
            raise failed from exc
        return plaintext
    half = key_len // 2
    # Authenticate before decrypting: no padding oracle.
    if not hmac.compare_digest(_cbc_hmac_tag(enc, cek[:half], aad, iv, ciphertext), tag):
        raise failed
    if not ciphertext or len(ciphertext) % 16:
        raise failed
    cbc_decryptor = Cipher(algorithms.AES(cek[half:]), modes.CBC(iv)).decryptor()
    padded = cbc_decryptor.update(ciphertext)
    cbc_decryptor.finalize()
    # Already authenticated, so checking the padding here leaks nothing useful.
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != bytes((pad,)) * pad:
        raise failed
    return padded[:-pad]


# -- recipients and protected headers ----------------------------------------------


_RECIPIENTS = RecipientKeys()


def _header(alg: str, enc: str, content_type: str | None, thumbprint: str | None, kid: str | None) -> dict[str, Any]:
    header: dict[str, Any] = {"alg": alg, "enc": enc}
    if content_type is not None:
        header["cty"] = content_type
    if thumbprint is not None:
        header["x5t#S256"] = thumbprint
    if kid is not None:
        header["kid"] = kid
    return header


@lru_cache(maxsize=256)
def _protected_header(alg: str, enc: str, content_type: str | None, thumbprint: str | None, kid: str | None) -> bytes:
    """The base64url protected header (also the AAD)."""
    header = _header(alg, enc, content_type, thumbprint, kid)
    return bytes(_b64encode(json.dumps(header, separators=(",", ":")).encode("utf-8")))


# -- public API --------------------------------------------------------------------


def encrypt_compact(
    plaintext: bytes,
    recipient: Any,
    *,
    alg: str = DEFAULT_ALG,
    enc: str = DEFAULT_ENC,
    kid: str | None = None,
    content_type: str | None = "application/json",
) -> str:
    """Encrypt ``plaintext`` to ``recipient`` (a public JWK or an ``x509.Certificate``) as compact JWE.

    The header carries ``kid`` (given, or the JWK's own) and, for a certificate,
    ``x5t#S256`` so the consumer can find the matching private key.
    """
    return encrypt_compact_bytes(plaintext, recipient, alg=alg, enc=enc, kid=kid, content_type=content_type).decode(
        "ascii"
    )


def encrypt_compact_bytes(
    plaintext: bytes,
    recipient: Any,
    *,
    alg: str = DEFAULT_ALG,
    enc: str = DEFAULT_ENC,
    kid: str | None = None,
    content_type: str | None = "application/json",
) -> bytes:
    """:func:`encrypt_compact` as ASCII bytes, ready to send (no copy through ``str`` of a large body)."""
    if alg not in KEY_ALGORITHMS:
        raise TrustError(
            f"JWE alg {alg!r} is not supported; use one of {', '.join(KEY_ALGORITHMS)}", reason="unsupported_alg"
        )
    if enc not in _ENCS:
        raise TrustError(f"JWE enc {enc!r} is not supported; use one of {', '.join(_ENCS)}", reason="unsupported_enc")
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    thumbprint: str | None = None
    key: RSAKey | ECKey | OctKey
    if isinstance(recipient, x509.Certificate):
        key, thumbprint = _RECIPIENTS.get(recipient)
        key_kid = None
    else:
        key = as_jwk(recipient)
        key_kid = key.kid
    if key.get("use") not in (None, "enc"):
        raise TrustError(f"key {key.kid!r} is not an encryption key", reason="key_mismatch")
    header_kid = kid if kid is not None else key_kid
    if alg in _ECDH_ALGS:
        if not isinstance(key, ECKey):
            raise TrustError(f"{alg} needs an EC P-256 key", reason="key_mismatch")
        public = ECKey.import_key(key.public_key)
        return jose_jwe.encrypt_compact(
            _header(alg, enc, content_type, thumbprint, header_kid),
            bytes(plaintext),
            public,
            registry=_LargeRegistry(algorithms=[alg, enc]),
        ).encode("ascii")
    native = key.public_key if isinstance(key, RSAKey) else None
    if not isinstance(native, rsa.RSAPublicKey):
        raise TrustError(f"{alg} needs an RSA key", reason="key_mismatch")
    if native.key_size < MIN_RSA_BITS:
        raise TrustError(f"RSA key of {native.key_size} bits is too weak", reason="weak_key")
    cek = secrets.token_bytes(_ENCS[enc][0])
    encrypted_key = native.encrypt(cek, _OAEP[alg])
    header_b64 = _protected_header(alg, enc, content_type, thumbprint, header_kid)
    iv, ciphertext, tag = _seal(enc, cek, header_b64, bytes(plaintext))
    return b".".join((header_b64, _b64encode(encrypted_key), _b64encode(iv), _b64encode(ciphertext), _b64encode(tag)))


def _decryption_key(private_key: Any, header: dict[str, Any]) -> Any:
    if isinstance(private_key, KeySet):
        kid = header.get("kid")
        matches = [k for k in private_key.keys if kid is None or k.kid == kid]
        if not matches:
            raise DecryptionError(f"no key with kid {str(kid)[:80]!r}", reason="unknown_kid")
        return matches[0]
    return as_jwk(private_key)


def decrypt_compact(
    token: str,
    private_key: Any,
    *,
    algorithms: Collection[str] = (DEFAULT_ALG,),
    encryptions: Collection[str] = (DEFAULT_ENC, "A128CBC-HS256"),
) -> bytes:
    """Decrypt a compact JWE with ``private_key`` and return the plaintext.

    ``alg`` must be in ``algorithms`` and ``enc`` in ``encryptions`` (and both
    supported here). Raises :class:`DecryptionError` with reason ``malformed``,
    ``unsupported_alg``, ``unsupported_enc``, ``key_mismatch`` or ``decryption_failed``.
    """
    # A bare string would turn "in" into a substring test ("RSA-OAEP" in "RSA-OAEP-256").
    allowed_algs = {algorithms} if isinstance(algorithms, str) else set(algorithms)
    allowed_encs = {encryptions} if isinstance(encryptions, str) else set(encryptions)
    parts = _split(token)
    header = _parse_header(parts[0])
    alg, enc = header["alg"], header["enc"]
    if alg not in allowed_algs or alg not in KEY_ALGORITHMS:
        raise DecryptionError(f"JWE alg {alg[:30]!r} is not accepted here", reason="unsupported_alg")
    if enc not in allowed_encs or enc not in _ENCS:
        raise DecryptionError(f"JWE enc {enc[:30]!r} is not accepted here", reason="unsupported_enc")
    if "zip" in header or "crit" in header:
        raise DecryptionError('JWE uses "zip" or "crit", which are not supported', reason="malformed")
    try:
        key = _decryption_key(private_key, header)
    except TrustError as exc:
        raise DecryptionError(exc.message, reason=exc.reason) from exc
    if isinstance(key, OctKey) or key.private_key is None:
        raise DecryptionError("decryption needs a private key", reason="key_mismatch")
    if alg in _ECDH_ALGS:
        return _decrypt_ecdh(b".".join(parts).translate(_TO_URLSAFE), key, alg, enc)
    native = key.private_key
    if not isinstance(native, rsa.RSAPrivateKey):
        raise DecryptionError(f"{alg} needs an RSA private key", reason="key_mismatch")
    encrypted_key = _b64decode(parts[1], "encrypted key")
    iv = _b64decode(parts[2], "initialization vector")
    ciphertext = _b64decode(parts[3], "ciphertext")
    tag = _b64decode(parts[4], "authentication tag")
    try:
        cek = native.decrypt(encrypted_key, _OAEP[alg])
    except ValueError:
        cek = b""
    if len(cek) != _ENCS[enc][0]:
        # RFC 7516 §11.5: carry on with a random CEK so this failure looks like any other.
        cek = secrets.token_bytes(_ENCS[enc][0])
    # The AAD is the header exactly as sent, i.e. back in the base64url alphabet.
    return _open(enc, cek, bytes(parts[0]).translate(_TO_URLSAFE), iv, ciphertext, tag)


def _decrypt_ecdh(token: bytes, key: Any, alg: str, enc: str) -> bytes:
    if not isinstance(key, ECKey) or not isinstance(key.private_key, ec.EllipticCurvePrivateKey):
        raise DecryptionError(f"{alg} needs an EC private key", reason="key_mismatch")
    try:
        return jose_jwe.decrypt_compact(token, key, registry=_LargeRegistry(algorithms=[alg, enc])).plaintext or b""
    except (JoseError, ValueError, TypeError, KeyError, InvalidTag) as exc:
        raise DecryptionError(
            "JWE could not be decrypted (wrong key or tampered data)", reason="decryption_failed"
        ) from exc
