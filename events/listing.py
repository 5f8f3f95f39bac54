"""The public /events list filtered by kind and by the child's school stage."""
from __future__ import annotations

from events.alert_stages import fits_stages
from events.models import EVENT_KINDS, SCHOOL_STAGES, Event

EVENT_FILTERS = {"kinds": EVENT_KINDS, "stages": {key: label for key, (label, _l, _h) in SCHOOL_STAGES.items()}}


def filter_events(events: list[Event], kind: str = "", stage: str = "") -> list[Event]:
    """Unknown filter values are ignored (a hand-edited URL still shows the list); cancelled events are not listed."""
    events = [e for e in events if e.status != "cancelled"]
    if kind in EVENT_KINDS:
        events = [e for e in events if e.kind == kind]
    if stage in SCHOOL_STAGES:
        events = [e for e in events if (e.age_min is not None or e.age_max is not None) and fits_stages(e, [stage])]
    return events
