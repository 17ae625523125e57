"""The bank's own error answers, beyond what ``standard.authorize`` decides (DSOP “eOppslag”).

Every error leaves the bank as plain ``application/json`` ``{"code", "message"}`` (Bank_v2.yaml
``Error``), never encrypted and never with a stack trace.  The rules core denies *well-formed*
requests with ``Denied`` values; these exceptions cover what happens around it:

=====================  ======  ========  ===============================================
exception              status  code      when
=====================  ======  ========  ===============================================
``Unauthenticated``    401     ACC-010   token missing, badly signed, expired, wrong aud
``Forbidden``          403     ACC-011   valid token without ``bits:kontoinformasjon``
``UnknownReference``   404     ACC-002   the accountReference was never issued to this consumer
``ReferenceNotHere``   404     ACC-003   issued, but not usable in this request (other case,
                                         ``dataNotDelivered``)
``MethodNotAllowed``   405     ACC-012   any method but GET
``NotAcceptable``      406     ACC-013   ``Accept`` names nothing the bank can send
``TooManyRequests``    429     ACC-022   the consumer's rate limit is used up (+ Retry-After)
``SourceUnavailable``  503     ACC-100   a source the bank depends on did not answer (its own
                                         database, CertPub, the registers, the issuer's or
                                         prosecution's keys); + Retry-After
(anything else)        500     ACC-500   a bug: logged with its traceback, answered plainly
=====================  ======  ========  ===============================================
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from opendsop.availability import RETRY_AFTER
from opendsop.standard import scopes
from opendsop.standard.errors import DsopError

JSON = "application/json"


class Unauthenticated(DsopError):
    code = "ACC-010"
    default_message = "The access token is missing or invalid"


class Forbidden(DsopError):
    code = "ACC-011"
    default_message = "The consumer is not authorised for this request"


class UnknownReference(DsopError):
    code = "ACC-002"
    default_message = "accountReference is unknown"


class ReferenceNotHere(DsopError):
    code = "ACC-003"
    default_message = "accountReference is not available for this request"


class MethodNotAllowed(DsopError):
    code = "ACC-012"
    default_message = "Only GET is supported"


class NotAcceptable(DsopError):
    code = "ACC-013"
    default_message = "The Accept header names no media type this bank can send"


class TooManyRequests(DsopError):
    code = "ACC-022"
    default_message = "Too many requests"

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class SourceUnavailable(DsopError):
    code = "ACC-100"
    default_message = "A source system did not answer"


INTERNAL_ERROR_CODE = "ACC-500"
INTERNAL_ERROR_MESSAGE = "Internal error; quote the CorrelationID when contacting the bank"

_encoder = msgspec.json.Encoder()


def error_body(code: str, message: str) -> bytes:
    """The Control API error body ``{"code": ..., "message": ...}``."""
    return _encoder.encode({"code": code, "message": message})


def error_headers(error: DsopError) -> Mapping[str, str]:
    """Extra headers an error answer carries (Retry-After, Allow, WWW-Authenticate)."""
    if isinstance(error, TooManyRequests):
        return {"Retry-After": str(error.retry_after)}
    if error.code == SourceUnavailable.code:  # also the prosecution's JwksUnavailable
        return RETRY_AFTER
    if isinstance(error, MethodNotAllowed):
        return {"Allow": "GET"}
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if isinstance(error, Forbidden):
        return {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scopes.ACCOUNT_INFORMATION}"'}
    return {}


__all__ = [
    "INTERNAL_ERROR_CODE",
    "INTERNAL_ERROR_MESSAGE",
    "JSON",
    "Forbidden",
    "MethodNotAllowed",
    "NotAcceptable",
    "ReferenceNotHere",
    "SourceUnavailable",
    "TooManyRequests",
    "Unauthenticated",
    "UnknownReference",
    "error_body",
    "error_headers",
]
