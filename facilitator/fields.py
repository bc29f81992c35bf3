"""The fields of a method's configuration form, and how submitted values become a config.

A method declares its form as a list of :class:`Field` s; the core renders it,
reads uploaded files with :func:`decode_upload` and converts and checks every
value with :func:`parse_config` before the method's own
:meth:`~facilitator.methods.Method.validate_config` runs.

Pure Python (no Flask): importing this module imports no Flask. Submitted data is a plain
dict (JSON clients) or a Werkzeug ``MultiDict`` (HTML forms, where an unchecked
checkbox is simply absent).
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facilitator.errors import ConfigError

if TYPE_CHECKING:
    from facilitator.methods import Method

#: The kinds of field the core can render and convert.
FIELD_KINDS = ("text", "textarea", "int", "bool", "choice", "lines", "file")

#: The length limit (in characters) of a kind when a field sets no ``max_length``:
#: for ``lines`` it bounds each line, for ``file`` the whole decoded text (a CSV
#: of 300 groups or the minutes of a long workshop fit easily).
DEFAULT_MAX_LENGTH: dict[str, int] = {
    "text": 200,
    "textarea": 5_000,
    "lines": 200,
    "file": 500_000,
}

#: What a file field's picker offers when the field sets no ``accept``.
DEFAULT_ACCEPT = ".csv,.md,.json,.txt,text/*"

#: Field names the core uses itself on every config form.
RESERVED_NAMES = frozenset({"title"})

#: Characters allowed in an uploaded text besides printable ones.
_ALLOWED_CONTROLS = frozenset("\t\n")


def _(text: str, /, **variables: object) -> str:
    """Translate through :mod:`facilitator.i18n`, imported only when a text is needed."""
    from facilitator.i18n import _ as gettext

    return gettext(text, **variables)


@dataclass(frozen=True, kw_only=True)
class Field:
    """One field of a method's configuration form (keyword arguments only).

    ``kind`` is one of :data:`FIELD_KINDS`:

    * ``text``: one line of text; ``textarea``: text with line breaks;
    * ``int``: a whole number between ``min`` and ``max`` (each optional);
    * ``bool``: a checkbox;
    * ``choice``: one of ``choices``, a sequence of ``(key, label)`` pairs;
    * ``lines``: a textarea whose non-empty lines become a list of strings
      (at most ``max_items``; ``max_length`` bounds each line);
    * ``file``: an uploaded text file (CSV, Markdown, earlier minutes, …),
      given to the method as a string; ``accept`` is the file picker's hint.

    ``max_length`` is the limit in characters; ``None`` means the kind's
    default from :data:`DEFAULT_MAX_LENGTH` (see :attr:`limit`).

    :raises ValueError: naming the field when the declaration is inconsistent.
    """

    name: str
    label: Any
    kind: str = "text"
    default: Any = None
    required: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    max_items: int | None = 50
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""
    accept: str | None = None

    def __post_init__(self) -> None:
        where = f"Field {self.name!r}"
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"{where}: the name must be an identifier (letters, digits, _)")
        if self.kind not in FIELD_KINDS:
            raise ValueError(
                f"{where}: unknown kind {self.kind!r} (choose one of {', '.join(FIELD_KINDS)})"
            )
        choices = tuple(tuple(choice) for choice in self.choices)
        if any(len(choice) != 2 for choice in choices):
            raise ValueError(f"{where}: choices must be (key, label) pairs")
        object.__setattr__(self, "choices", choices)
        if self.kind == "choice":
            if not choices:
                raise ValueError(f"{where}: a choice field needs choices")
            if self.default is not None and self.default not in {key for key, _label in choices}:
                raise ValueError(f"{where}: the default {self.default!r} is not one of the choices")
        elif choices:
            raise ValueError(f"{where}: only a choice field has choices")
        for bound in ("min", "max"):
            value = getattr(self, bound)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{where}: {bound} must be a whole number")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{where}: min ({self.min}) is greater than max ({self.max})")
        for limit in ("max_length", "max_items"):
            value = getattr(self, limit)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{where}: {limit} must be a positive whole number or None")
        if self.kind == "int" and self.default is not None:
            if isinstance(self.default, bool) or not isinstance(self.default, int):
                raise ValueError(f"{where}: the default of an int field must be a whole number")
            if (self.min is not None and self.default < self.min) or (
                self.max is not None and self.default > self.max
            ):
                raise ValueError(f"{where}: the default {self.default} is outside min/max")
        if self.kind == "lines" and isinstance(self.default, list):
            object.__setattr__(self, "default", tuple(self.default))  # frozen: no shared list
        if self.kind == "file":
            if self.accept is None:
                object.__setattr__(self, "accept", DEFAULT_ACCEPT)
        elif self.accept is not None:
            raise ValueError(f"{where}: only a file field has accept")

    @property
    def limit(self) -> int | None:
        """The effective length limit: ``max_length`` or the kind's default (``None``: no limit)."""
        if self.max_length is not None:
            return self.max_length
        return DEFAULT_MAX_LENGTH.get(self.kind)


def check_fields(fields: Iterable[Any], plugin_name: str) -> None:
    """Check a method's field list when its plugin loads.

    :raises ValueError: naming the plugin and the field for an entry that is not a
        :class:`Field`, a name used twice, or a name the core reserves (``title``).
    """
    seen: set[str] = set()
    for position, f in enumerate(fields, start=1):
        if not isinstance(f, Field):
            raise ValueError(  # noqa: TRY004 -- one error type for every faulty declaration
                f"Plugin {plugin_name!r}: field #{position} ({f!r}) is not a facilitator.fields.Field"
            )
        if f.name in RESERVED_NAMES:
            raise ValueError(f"Plugin {plugin_name!r}: field {f.name!r} is reserved by the core")
        if f.name in seen:
            raise ValueError(f"Plugin {plugin_name!r}: field {f.name!r} appears twice")
        seen.add(f.name)


def _unreadable(field_label: Any) -> ValueError:
    return ValueError(
        _("“%(field)s” could not be read: save it as CSV (UTF-8) or plain text.", field=str(field_label))
    )


def decode_upload(data: bytes, field_label: Any) -> str:
    """The text of an uploaded file, with line breaks normalised to ``\\n``.

    Reads UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
    text") and Windows-1252 (what Excel writes as CSV on German Windows).

    :raises ValueError: a translated sentence naming the field when the file is
        binary or not readable as text (NUL bytes, undecodable bytes, control
        characters other than tab and line breaks).
    """
    if data.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8",)
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # the codec reads and drops the BOM
    elif b"\x00" in data:
        raise _unreadable(field_label)  # binary, or UTF-16 without a BOM
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise _unreadable(field_label)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in _ALLOWED_CONTROLS for char in text
    ):
        raise _unreadable(field_label)
    return text


def _check_text(value: str, label: str) -> str:
    """``value`` if it is valid Unicode (no lone surrogate), else a readable ``ValueError``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("“%(field)s” contains characters that are not text.", field=label)) from None
    return value


def _limit(f: Any) -> int | None:
    """The effective length limit of ``f`` (also for fields declared the old way)."""
    return f.limit if isinstance(f, Field) else f.max_length


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
        if f.default is None:
            return [] if f.kind == "lines" else ""
        return list(f.default) if f.kind == "lines" else f.default
    limit = _limit(f)
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
        lines = [_check_text(str(item).strip(), label) for item in items if str(item).strip()]
        if f.max_items is not None and len(lines) > f.max_items:
            raise ValueError(_("“%(field)s”: at most %(max)d lines.", field=label, max=f.max_items))
        for line in lines:
            if limit is not None and len(line) > limit:
                raise ValueError(
                    _("“%(field)s”: each line at most %(max)d characters.", field=label, max=limit)
                )
        return lines
    if not isinstance(raw, str):  # a person's input error, reported like the others
        raise ValueError(_("“%(field)s” must be text.", field=label))  # noqa: TRY004
    value = _check_text(raw, label).strip()
    if f.kind == "choice":
        if value not in {key for key, _label in f.choices}:
            raise ValueError(_("Please choose a valid value for “%(field)s”.", field=label))
        return value
    if f.kind in ("textarea", "file"):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if limit is not None and len(value) > limit:
        raise ValueError(
            _("“%(field)s” is too long (at most %(max)d characters).", field=label, max=limit)
        )
    return value


def parse_config(method: Method, data: Mapping) -> tuple[str, dict]:
    """Return ``(title, config)`` from submitted data, validated by ``method``.

    :raises ConfigError: mapping field names to readable messages.
    """
    from facilitator.validation import MAX_TITLE

    errors: dict[str, str] = {}
    title = data.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if not title:
        title = str(method.name)
    if len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(max)d characters).", max=MAX_TITLE)
    else:
        try:
            _check_text(title, _("Title of the session"))
        except ValueError as exc:
            errors["title"] = str(exc)
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
