"""Turn submitted form data into a method's validated configuration.

Pure Python (no Flask): accepts a plain dict (JSON clients) or a Werkzeug
``MultiDict`` (HTML forms, where an unchecked checkbox is simply absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from facilitator.i18n import _
from facilitator.methods import ConfigError, Field, Method
from facilitator.model import MAX_TITLE


def parse_field(f: Field, raw: Any) -> Any:
    """Convert one raw value for ``f``; raise ``ValueError`` with a readable message."""
    label = str(f.label)
    if f.kind == "bool":
        if isinstance(raw, bool):
            return raw
        return str(raw).lower() in ("1", "true", "on", "yes") if raw is not None else False
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if f.required:
            raise ValueError(_("Please fill in “%(field)s”.", field=label))
        return f.default if f.default is not None else ([] if f.kind == "lines" else "")
    if f.kind == "int":
        if isinstance(raw, bool):
            raise ValueError(_("“%(field)s” must be a whole number.", field=label))
        try:
            value = int(raw) if not isinstance(raw, float) or raw.is_integer() else None
        except (TypeError, ValueError):
            value = None
        if value is None:
            raise ValueError(_("“%(field)s” must be a whole number.", field=label))
        if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
            raise ValueError(
                _("“%(field)s” must be between %(min)s and %(max)s.", field=label, min=f.min, max=f.max)
            )
        return value
    if f.kind == "lines":
        items = raw if isinstance(raw, list) else str(raw).splitlines()
        lines = [str(item).strip() for item in items if str(item).strip()]
        if f.max_items is not None and len(lines) > f.max_items:
            raise ValueError(_("“%(field)s”: at most %(max)d lines.", field=label, max=f.max_items))
        for line in lines:
            if f.max_length is not None and len(line) > f.max_length:
                raise ValueError(
                    _("“%(field)s”: each line at most %(max)d characters.", field=label, max=f.max_length)
                )
        return lines
    if not isinstance(raw, str):  # a person's input error, reported like the others
        raise ValueError(_("“%(field)s” must be text.", field=label))  # noqa: TRY004
    value = raw.strip()
    if f.kind == "choice":
        if value not in {key for key, _label in f.choices}:
            raise ValueError(_("Please choose a valid value for “%(field)s”.", field=label))
        return value
    if f.max_length is not None and len(value) > f.max_length:
        raise ValueError(
            _("“%(field)s” is too long (at most %(max)d characters).", field=label, max=f.max_length)
        )
    return value


def parse_config(method: Method, data: Mapping) -> tuple[str, dict]:
    """Return ``(title, config)`` from submitted data, validated by ``method``.

    :raises ConfigError: mapping field names to readable messages.
    """
    errors: dict[str, str] = {}
    title = data.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if not title:
        title = str(method.name)
    if len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(max)d characters).", max=MAX_TITLE)
    config: dict[str, Any] = {}
    for f in method.config_fields():
        try:
            config[f.name] = parse_field(f, data.get(f.name))
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise ConfigError(errors)
    return title, method.validate_config(config)


def form_values(method: Method, config: dict | None) -> dict[str, Any]:
    """Values to prefill a config form with: the given config or the defaults."""
    values: dict[str, Any] = {}
    for f in method.config_fields():
        value = (config or {}).get(f.name, f.default)
        if f.kind == "lines":
            value = "\n".join(value or [])
        values[f.name] = "" if value is None else value
    return values
