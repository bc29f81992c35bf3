"""Random identifiers: record ids, secrets, join codes people can type. Pure Python (no Flask)."""

from __future__ import annotations

import secrets
import string

JOIN_CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1L")


def new_id(prefix: str = "") -> str:
    """A short random id, unguessable enough to name records in URLs."""
    return prefix + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")


def new_secret() -> str:
    """An unguessable secret for tokens and keys."""
    return secrets.token_urlsafe(24)


def new_join_code(length: int = 6) -> str:
    """A join code people can type: no look-alike characters (O/0, I/1/L)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))
