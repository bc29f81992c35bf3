"""The workshop the server opens with: the newest one, a fresh one, or the demo."""

from __future__ import annotations

import datetime as dt
import sys

from facilitator.fields import form_values
from facilitator.i18n import _, force_locale
from facilitator.mdtext import format_date
from facilitator.methods import ConfigError

DEMO_TITLE = "Demo: Runder Tisch Integration"


def create_demo(core) -> dict:
    """A demo workshop with one session of every installed method."""
    with force_locale("de"):
        workshop = core.workshops.create(
            {
                "title": DEMO_TITLE,
                "date": dt.date.today().isoformat(),
                "place": _("Town hall, meeting room 1"),
                "organiser": _("Integration office"),
                "language": "de",
                "privacy": "named",
            }
        )
        for slug, method in core.methods.items():
            data = form_values(method, None)
            data.update(method.demo_config())
            try:
                core.workshops.add_session(workshop["id"], slug, data)
            except ConfigError as exc:  # a plugin without a usable demo is left out
                print(f"Demo: skipped method {slug}: {exc}", file=sys.stderr)
    return workshop


def current_workshop(core, demo: bool = False) -> dict:
    """The workshop to print links for: the demo (``--demo``), else the newest.

    On a first start without workshops an empty one is created, so the join
    and projector links always point somewhere; the facilitator renames it.
    """
    workshops = core.workshops.all()
    if demo:
        for workshop in workshops:
            if workshop["title"] == DEMO_TITLE:
                return workshop
        return create_demo(core)
    if workshops:
        return workshops[0]
    today = dt.date.today().isoformat()
    with force_locale("de"):
        title = _("Workshop of %(date)s", date=format_date(today))
    return core.workshops.create({"title": title, "date": today, "language": "de"})
