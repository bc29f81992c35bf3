"""The two refusals a method or the core raises: a refused action, an invalid config.

Pure Python (no Flask).
"""

from __future__ import annotations


class ActionError(Exception):
    """An action was refused. Nothing changes; the sender gets ``code`` and ``message``.

    :param code: a short machine-readable code, e.g. ``"over_budget"``.
    :param message: a sentence a person can read (already translated).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)


class ConfigError(Exception):
    """A session configuration is invalid.

    :param errors: maps a field name (or ``""`` for the whole form) to a
        readable, translated message.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = {key: str(value) for key, value in errors.items()}
