"""The method contract: what a session method (a plugin) provides to the core.

A method is a state machine. The core owns workshops, participants, storage,
transport and minutes; a method owns only the rules of its format:

* :meth:`Method.config_fields` and :meth:`Method.validate_config` define and
  check the form the facilitator fills in when adding a session;
* :meth:`Method.initial_state` builds the session state from that config;
* :attr:`Method.actions` names the actions and which roles may send them;
  :meth:`Method.apply` checks one action and returns the new state, or raises
  :class:`ActionError` (the state is then left as it was);
* :meth:`Method.view` says what one role (and one participant) may see;
* :meth:`Method.minutes` writes the session's section of the minutes.

States are plain JSON-serialisable dicts; the core persists them after every
accepted action and broadcasts fresh views. A method never touches sockets,
rooms or files. Agreements go to the core's ledger through
:meth:`MethodContext.record_agreement`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

#: The roles the core knows. Organisers only read the archive.
ROLES = ("facilitator", "participant", "projector")


class ActionError(Exception):
    """An action was refused. Nothing changes; the sender gets ``code`` and ``message``.

    :param code: a short machine-readable code, e.g. ``"over_budget"``.
    :param message: a sentence a person can read (already translated).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ConfigError(Exception):
    """A session configuration is invalid.

    :param errors: maps a field name (or ``""`` for the whole form) to a
        readable, translated message.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Actor:
    """Who sends an action or looks at a view.

    ``participant_id`` is set for participants only. ``label`` is how this
    person may be shown to others in the workshop's privacy mode (a name in
    named mode, the type of organisation in anonymous mode).
    """

    role: str
    participant_id: str | None = None
    label: str = ""
    org_type: str = ""


@dataclass
class Field:
    """One field of a method's configuration form.

    ``kind`` is one of ``text``, ``textarea``, ``int``, ``bool``, ``choice``,
    ``lines`` (a textarea whose non-empty lines become a list of strings) and
    ``file`` (an uploaded UTF-8 text file, e.g. a CSV or earlier minutes, given
    to the method as a string; ``max_length`` bounds its characters).
    The core renders the form, converts and checks types, bounds and lengths
    (see :func:`facilitator.forms.parse_config`), then calls
    :meth:`Method.validate_config` for checks across fields.
    """

    name: str
    label: Any
    kind: str = "text"
    default: Any = None
    required: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int | None = 200
    max_items: int | None = 50
    choices: list[tuple[str, Any]] = field(default_factory=list)
    help: Any = ""


class MethodContext(Protocol):
    """What the core offers a method while it applies an action or renders.

    Attributes: ``session_id``, ``config`` (the validated config),
    ``language`` (the workshop's language), ``privacy`` (``"named"`` or
    ``"anonymous"``).
    """

    session_id: str
    config: dict
    language: str
    privacy: str

    def now(self) -> float:
        """Seconds since the epoch (a fixed clock in tests)."""

    def participants(self) -> list[dict]:
        """Participants present (joined, not removed): dicts with ``id``,
        ``label``, ``org_type``, ``org_type_label`` and ``connected``."""

    def label(self, participant_id: str) -> str:
        """How a participant may be named in this workshop's privacy mode."""

    def org_type_label(self, org_type: str) -> str:
        """The translated name of a type of organisation."""

    def record_agreement(
        self,
        what: str,
        who_person: str = "",
        who_org: str = "",
        due: str = "",
        review: str = "",
    ) -> str:
        """Stage an agreement for the ledger; returns its id.

        It is stored only if the action succeeds. ``due``/``review`` are ISO
        dates (``YYYY-MM-DD``) or empty. The facilitator can edit it later.
        """

    def agreements(self) -> list[dict]:
        """The ledger's agreements of this session, as currently edited."""

    def reply(self, data: dict) -> None:
        """Add data to the acknowledgement the sender receives (e.g. a new id)."""


class Method:
    """Base class of a session method. Subclass it and override what you need.

    Class attributes:

    * ``slug``: unique identifier, lowercase letters/digits/``-``; also the
      template folder name (``templates/<slug>/participant.html`` etc.).
    * ``name`` / ``description``: shown to the facilitator (lazy-translated).
    * ``actions``: maps each action name to the tuple of roles that may send it.
    * ``root``: folder holding ``templates/`` and ``static/``; defaults to the
      folder of the module that defines the subclass.
    """

    slug: str = ""
    name: Any = ""
    description: Any = ""
    actions: ClassVar[dict[str, tuple[str, ...]]] = {}
    root: Path | None = None

    # -- configuration ----------------------------------------------------
    def config_fields(self) -> list[Field]:
        """The fields of the configuration form (besides the session title)."""
        return []

    def validate_config(self, config: dict) -> dict:
        """Check the converted config across fields; return it (maybe normalised).

        :raises ConfigError: when the combination is invalid.
        """
        return config

    def demo_config(self) -> dict:
        """Form data (``title`` and field values) for the session in ``serve --demo``."""
        return {}

    # -- state machine ----------------------------------------------------
    def initial_state(self, config: dict) -> dict:
        """Return the JSON-serialisable state a new session starts in."""
        return {}

    def apply(
        self, state: dict, action: str, payload: dict, actor: Actor, ctx: MethodContext
    ) -> dict:
        """Apply one action and return the new state.

        ``state`` is the method's own copy: mutate it freely. The core has
        already checked that ``action`` is in :attr:`actions` and that the
        actor's role may send it; the method validates ``payload``.

        :raises ActionError: to refuse; the stored state stays unchanged.
        """
        from facilitator.i18n import _

        raise ActionError("unknown_action", _("This session has no such action."))

    def view_scope(self, old: dict, new: dict, action: str) -> str:
        """Whose phone can look different after ``action`` took ``old`` to ``new``.

        Return ``"actor"`` when only the sender's own phone (plus the facilitator's
        and projector's views) can change, e.g. a hidden vote; the core then leaves
        every other phone alone, which keeps a busy vote cheap. ``old`` is a
        shallow copy: compare top-level fields only. The default, ``"everyone"``,
        is always correct.
        """
        return "everyone"

    def participant_removed(self, state: dict, participant_id: str, ctx: MethodContext) -> dict:
        """The facilitator removed a participant: return the state without them."""
        return state

    # -- what people see --------------------------------------------------
    def view(self, state: dict, role: str, actor: Actor | None, ctx: MethodContext) -> dict:
        """Return what ``role`` (and, for participants, ``actor``) may see.

        The result is sent to clients as JSON and passed to the role's
        template as ``view``. Never include what the role must not see.
        """
        return {}

    def minutes(self, state: dict, ctx: MethodContext) -> str:
        """Return this session's minutes section as Markdown (without its heading)."""
        return ""

    # -- plumbing -----------------------------------------------------------
    def root_dir(self) -> Path:
        """The folder holding this method's ``templates/`` and ``static/``."""
        if self.root is not None:
            return Path(self.root)
        return Path(inspect.getfile(type(self))).resolve().parent

    def template_name(self, role: str) -> str:
        """The template rendered for ``role``: ``<slug>/<role>.html``."""
        return f"{self.slug}/{role}.html"
