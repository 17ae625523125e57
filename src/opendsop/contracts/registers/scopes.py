"""The registers' access-token scopes and API base paths, as the registers serve them and callers ask for them."""

from __future__ import annotations

from typing import Final

SCOPE_FOLKEREGISTER: Final = "folkeregister:read"
SCOPE_KONKURS: Final = "konkursvarsel:read"
SCOPE_ENHETSREGISTER: Final = "enhetsregister:read"
FOLKEREGISTER: Final = "/folkeregisteret/api/v1"
KONKURS: Final = "/konkursvarsel/api/konkursvarsler"
ENHETSREGISTER: Final = "/enhetsregisteret/api"

__all__ = ["ENHETSREGISTER", "FOLKEREGISTER", "KONKURS", "SCOPE_ENHETSREGISTER", "SCOPE_FOLKEREGISTER", "SCOPE_KONKURS"]
