"""The installed methods by slug, with a readable error for an unknown one. Pure Python (no Flask)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from facilitator.errors import ActionError
from facilitator.i18n import _
from facilitator.methods import Method


class MethodRegistry(Mapping):
    """A read-only mapping slug -> :class:`Method`."""

    def __init__(self, methods: Mapping[str, Method]) -> None:
        self._methods = dict(methods)

    def __getitem__(self, slug: str) -> Method:
        return self._methods[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._methods)

    def __len__(self) -> int:
        return len(self._methods)

    def method(self, slug: str) -> Method:
        """The installed method ``slug``, or the error ``unknown_method``."""
        try:
            return self._methods[slug]
        except (KeyError, TypeError):
            raise ActionError("unknown_method", _("There is no method called %(slug)s.", slug=str(slug))) from None
