"""Dot voting: collect options, vote with equal dots, reveal, run off, assign owners.

Only the hook implementations live here: the rules are in :mod:`.rules`, the
state machine in :mod:`.method`, its form in :mod:`.config`, what each role
sees in :mod:`.views` and the minutes section in :mod:`.minutes`.
"""

from facilitator import hookimpl

from .method import DotVotingMethod


@hookimpl
def facilitator_register_methods() -> list[DotVotingMethod]:
    """Provide the dot-voting method."""
    return [DotVotingMethod()]
