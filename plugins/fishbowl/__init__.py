"""Fishbowl: an inner circle of chairs with an open chair for the audience.

Only the hook implementations live here; see :mod:`.method` for the method,
:mod:`.rules` for the seat and queue rules.
"""

from facilitator_plugins.fishbowl.method import FishbowlMethod

from facilitator import hookimpl


@hookimpl
def facilitator_register_methods():
    """The fishbowl method."""
    return [FishbowlMethod()]
