"""Round table (Runder Tisch): agenda with time boxes, speakers list, consent and review of earlier agreements.

Only the hook implementations live here; see :mod:`.method` for the method,
:mod:`.speakers`, :mod:`.consent`, :mod:`.stats` and :mod:`.review` for the
pure rules.
"""

from facilitator_plugins.roundtable.method import RoundTable

from facilitator import hookimpl


@hookimpl
def facilitator_register_methods():
    """The round table method."""
    return [RoundTable()]
