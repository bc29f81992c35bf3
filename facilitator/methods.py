"""The method contract: what a session method (a plugin) provides to the core.

A method is a state machine. The core owns workshops, participants, storage,
transport and minutes; a method owns only the rules of its format:

* :attr:`Method.fields` (or :meth:`Method.config_fields`) and
  :meth:`Method.validate_config` define and check the form the facilitator
  fills in when adding a session;
* :meth:`Method.initial_state` builds the session state from that config;
* each action is one method decorated with :func:`action`, which names the
  roles that may send it; it checks the payload and changes the state, or
  raises :class:`ActionError` (the stored state is then left as it was);
* the lifecycle hooks (:meth:`Method.activated`, :meth:`Method.left`,
  :meth:`Method.closed`, :meth:`Method.participant_left`,
  :meth:`Method.participant_removed`) let it react when the room moves;
* :meth:`Method.view` says what one role (and one participant) may see;
* :meth:`Method.minutes` writes the session's section of the minutes.

**The one rule for state copies**: every call that receives ``state`` gets the
method's own fresh copy, decoded from storage for this call alone. Change it
in place and return it (or return ``None``, which means "the state I was
given, as I changed it"). After a refusal the core throws the copy away, so a
handler may raise half-way through without undoing anything. Never keep a
reference to a state between calls.

States are plain JSON-serialisable dicts (tuples come back as lists). Pure
Python (no Flask). A method never touches sockets,
rooms or files; what it needs from the core it asks of ``ctx``
(:class:`MethodContext`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from facilitator.errors import ActionError, ConfigError
from facilitator.fields import Field

#: The roles a connection can have. Organisers only read the archive.
ROLES = ("facilitator", "participant", "projector")
#: The role of actions the core sends itself: scheduled actions and results of
#: long computations (see :meth:`MethodContext.schedule` and
#: :meth:`MethodContext.compute`). No connection can have it.
SYSTEM = "system"

__all__ = ["SYSTEM", "ActionError", "ActionSpec", "Actor", "ConfigError", "Field", "Method",
           "MethodContext", "action"]


@dataclass(frozen=True)
class Actor:
    """Who sends an action or looks at a view.

    ``participant_id`` is set for participants only. ``label`` is how this
    person may be shown to others in the workshop's privacy mode (a name in
    named mode, the type of organisation or a pseudonym in anonymous mode).
    """

    role: str
    participant_id: str | None = None
    label: str = ""
    org_type: str = ""


@dataclass(frozen=True)
class ActionSpec:
    """One declared action: its name, who may send it, and the function handling it."""

    name: str
    roles: tuple[str, ...]
    handler: Callable[..., dict | None]


def action(*roles: str, name: str | None = None) -> Callable:
    """Declare a method's action and who may send it, where it is handled.

    ::

        @action("participant", "facilitator")
        def add_option(self, state, payload, actor, ctx):
            ...

    The action's name is the function's name (or ``name=``). The handler gets
    the method's own copy of the state (see the module docstring), the payload
    (a dict, not yet checked: check it), the :class:`Actor` and the
    :class:`MethodContext`. It returns the new state or ``None`` (the changed
    copy), or raises :class:`ActionError`. Add ``SYSTEM`` to ``roles`` for
    actions the core sends itself (scheduled actions, computation results).
    """
    unknown = set(roles) - {*ROLES, SYSTEM}
    if not roles or unknown:
        raise ValueError(f"@action needs roles from {ROLES + (SYSTEM,)}, got {roles!r}")

    def decorate(function: Callable) -> Callable:
        function.__facilitator_action__ = (name or function.__name__, tuple(roles))
        return function

    return decorate


class MethodContext(Protocol):
    """What the core offers a method while it applies an action, reacts or renders.

    Attributes:

    * ``workshop_id``, ``session_id``; ``config`` (the validated config);
      ``language`` (the workshop's language);
    * ``privacy``: the workshop's privacy mode (:data:`facilitator.vocabulary.PRIVACY_MODES`):
      ``"named"`` (names and organisations may appear), ``"anonymous"`` (no
      names: labels are pseudonyms, ``organisation`` is empty) or
      ``"chatham"`` (Chatham House: names in the room, but views for the
      projector and the minutes record what was said, never who said it).
      A removed participant is "removed participant" in every mode
      (:meth:`label` does it); see ``docs/plugins.md``, "Privacy modes";
    * ``speaking_time``: whether the facilitator chose per-person speaking time
      for the minutes (the workshop's protocol settings). Show time per person
      only when it is ``True`` and ``privacy`` is not ``"chatham"``.

    Everything a method stages here (agreements, status changes, timers,
    computations) is stored together with the new state, or not at all if the
    action is refused.
    """

    workshop_id: str
    session_id: str
    config: dict
    language: str
    privacy: str
    speaking_time: bool

    def now(self) -> float:
        """Seconds since the epoch (a fake clock in tests)."""

    def participants(self) -> list[dict]:
        """Participants present (joined, not removed, not left): dicts with ``id``,
        ``label``, ``org_type``, ``org_type_label``, ``organisation`` (``""``
        unless the mode is named) and ``connected`` (a phone is online right now; read only)."""

    def participant(self, participant_id: str) -> dict | None:
        """One participant of this workshop as in :meth:`participants`, plus
        ``present`` (False once removed or left); ``None`` if unknown."""

    def label(self, participant_id: str) -> str:
        """How a participant may be named in this workshop's privacy mode ("removed
        participant" for someone the facilitator removed, in every mode)."""

    def org_type_label(self, org_type: str) -> str:
        """The translated name of a type of organisation."""

    def record_agreement(self, what: str, who_person: str = "", who_org: str = "",
                         due: str = "", review: str = "", follow_up: str = "") -> str:
        """Stage an agreement for the ledger; returns its id.

        ``due``/``review`` are ISO dates (``YYYY-MM-DD``) or empty; ``follow_up``
        names who follows it up (the "Kümmerer"). Checked by the ledger's rules
        (:class:`ActionError` when invalid). The facilitator can edit it later.
        """

    def agreements(self) -> list[dict]:
        """The ledger's agreements of this session, as currently edited."""

    def earlier_agreements(self, workshop_ids: list[str] | None = None,
                           statuses: tuple[str, ...] = ("open", "in_progress")) -> list[dict]:
        """Agreements of *other* workshops on this server with one of ``statuses``
        (all other workshops, or those in ``workshop_ids``), oldest first; each
        with ``workshop_title`` and ``workshop_date``."""

    def earlier_sessions(self) -> list[dict]:
        """The other sessions of *this method* on this server that have started:
        those of other workshops and the other sessions of this workshop (never
        the current one), newest first (by when they were first started).

        Each is ``{"workshop_id", "workshop_title", "workshop_date",
        "session_id", "title", "status", "started", "closed", "state"}``:
        ``status`` is ``"active"``, ``"pending"`` (left, may resume) or
        ``"closed"``; ``started``/``closed`` are epoch seconds or ``None``;
        ``state`` is a deep copy of that session's state as stored. Read-only
        (nothing you change goes back) and read once per context, on the first
        call. A session's state is that method's own layout, possibly of an
        older version of the method: read it defensively."""

    def set_agreement_status(self, agreement_id: str, status: str, note: str = "",
                             due: str | None = None) -> None:
        """Stage a status change (``open``, ``in_progress``, ``done``, ``dropped``)
        with a note, and optionally a new due date, of any agreement on this
        server. The change is dated and kept in the agreement's history."""

    def schedule(self, key: str, at: float, action: str, payload: dict | None = None) -> None:
        """Send this session the action ``action`` (role ``SYSTEM``) at epoch time ``at``.

        Fired once, also if the server was restarted in between (then as soon
        as it runs again), while the session is active; scheduling the same
        ``key`` again replaces the timer.
        """

    def cancel(self, key: str) -> None:
        """Cancel the timer ``key`` (no error if there is none)."""

    def compute(self, key: str, function: Callable[..., Any], *args: Any, then: str) -> None:
        """Run ``function(*args)`` after this action is stored, without holding the
        core's lock (other workshops and phones go on), then send its result to
        this session as the action ``then`` (role ``SYSTEM``) with the payload
        ``{"key": key, "result": <return value>}`` or ``{"key": key, "error":
        <message>}``. ``args`` and the result must be JSON-serialisable; the
        work is started again after a restart. A newer ``compute`` with the same
        key supersedes an older one (its result is not delivered).
        """

    def reply(self, data: dict) -> None:
        """Add data to the acknowledgement the sender receives (e.g. a new id)."""


class Method:
    """Base class of a session method. Subclass it and declare actions with :func:`action`.

    Class attributes:

    * ``slug``: unique identifier, lowercase letters/digits/``-``; also the
      template folder name (``templates/<slug>/participant.html`` etc.).
    * ``name`` / ``description``: shown to the facilitator (lazy-translated).
    * ``fields``: the configuration form (:class:`facilitator.Field`, keyword
      arguments only), besides the session title.
    * ``actions``: filled in from the :func:`action` declarations: name ->
      :class:`ActionSpec`. Do not set it by hand.
    * ``root``: folder holding ``templates/`` and ``static/``; defaults to the
      folder of the module that defines the subclass.
    """

    slug: ClassVar[str] = ""
    name: ClassVar[Any] = ""
    description: ClassVar[Any] = ""
    fields: ClassVar[tuple[Field, ...]] = ()
    actions: ClassVar[dict[str, ActionSpec]] = {}
    root: ClassVar[Path | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the :func:`action` declarations of the class and its bases."""
        super().__init_subclass__(**kwargs)
        actions: dict[str, ActionSpec] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                declared = getattr(value, "__facilitator_action__", None)
                if declared:
                    action_name, roles = declared
                    actions[action_name] = ActionSpec(action_name, roles, getattr(cls, attribute))
        cls.actions = actions

    # -- configuration ----------------------------------------------------
    def config_fields(self) -> list[Field]:
        """The fields of the configuration form: :attr:`fields` unless overridden."""
        return list(self.fields)

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

    def apply(self, state: dict, action: str, payload: dict, actor: Actor,
              ctx: MethodContext) -> dict:
        """Run the handler declared for ``action``; the core has checked name and role.

        Override only to wrap every action (e.g. to translate your own rule
        errors into :class:`ActionError`); call ``super().apply`` inside.
        """
        spec = self.actions[action]
        result = spec.handler(self, state, payload, actor, ctx)
        return state if result is None else result

    def view_scope(self, old: dict, new: dict, action: str) -> str:
        """Whose phone can look different after ``action`` took ``old`` to ``new``.

        Return ``"actor"`` when only the sender's own phone (plus the facilitator's
        and projector's views) can change, e.g. a hidden vote; the core then leaves
        every other phone alone, which keeps a busy vote cheap. ``old`` is a
        shallow copy: compare top-level fields only. The default, ``"everyone"``,
        is always correct.
        """
        return "everyone"

    # -- lifecycle ----------------------------------------------------------
    # Each gets the method's own copy of the state (return it or None) and may
    # stage through ``ctx`` like an action; none may refuse.
    def activated(self, state: dict, ctx: MethodContext) -> dict | None:
        """The room moved into this session (first start, resume, or reopening)."""
        return None

    def left(self, state: dict, ctx: MethodContext) -> dict | None:
        """The room left this session for another one or the lobby (it may come back)."""
        return None

    def closed(self, state: dict, ctx: MethodContext) -> dict | None:
        """The facilitator closed the session: stop clocks, finish open turns."""
        return None

    def participant_left(self, state: dict, participant_id: str,
                         ctx: MethodContext) -> dict | None:
        """A participant left the workshop on their phone; by default like a removal."""
        return self.participant_removed(state, participant_id, ctx)

    def participant_removed(self, state: dict, participant_id: str,
                            ctx: MethodContext) -> dict | None:
        """The facilitator removed a participant. The core already refuses their
        actions and leaves them out of ``ctx.participants()``; drop them from
        queues, chairs or tallies here."""
        return None

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
