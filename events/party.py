"""Party rules: who may come in one application, and how many seats it takes.

One function (``check_party``) used by the web form, the LINE conversation, the
Discord form and the service itself, so every channel refuses the same party
with the same Japanese message.
"""
from __future__ import annotations

from events.models import Event

MAX_PARTICIPANTS = 10  # per application when the event sets no limit of its own


class PartyProblem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message  # field: "adults" | "children" (where the form shows it)


def max_people(event: Event) -> int:
    return event.max_per_application or MAX_PARTICIPANTS


def min_adults(event: Event) -> int:
    if event.min_adults is not None:
        return event.min_adults
    return 1 if event.kind == "workshop" else 0


def takes_children(event: Event) -> bool:
    return event.kind == "workshop" or event.min_children > 0


def seats_needed(event: Event, adults: int, children: int) -> int:
    """Seats the party uses: accompanying adults only when the event counts them."""
    return children + (adults if event.adults_use_seats or not takes_children(event) else 0)


def _count_problem(adults: object, children: object) -> PartyProblem | None:
    for field, value in (("adults", adults), ("children", children)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return PartyProblem(field, "人数は0以上の数字で入力してください。")
    return None


def party_problem(event: Event, adults: int, children: int) -> PartyProblem | None:
    """The first rule this party breaks, or None."""
    problem = _count_problem(adults, children)
    if problem:
        return problem
    most, adults_needed = max_people(event), min_adults(event)
    if adults + children < 1:
        return PartyProblem("adults", "参加人数を1人以上にしてください。")
    if adults + children > most:
        unit = "大人と子どもあわせて" if takes_children(event) else ""
        return PartyProblem("adults", f"1回のお申し込みは{unit}{most}人までです（いまは{adults + children}人です）。")
    if adults < adults_needed:
        if adults_needed == 1 and event.kind == "workshop":
            return PartyProblem("adults", "お子さまと一緒に参加する大人（保護者）を1人以上にしてください。")
        return PartyProblem("adults", f"大人（保護者）を{adults_needed}人以上にしてください。")
    if children < event.min_children:
        return PartyProblem("children", f"この教室は子ども向けです。お子さまを{event.min_children}人以上にしてください。")
    if seats_needed(event, adults, children) < 1:
        return PartyProblem("children", "参加するお子さまの人数を入力してください。")
    return None


def check_party(event: Event, adults: int, children: int) -> None:
    """Raise ``PartyProblem`` when the party does not fit the event's rules."""
    problem = party_problem(event, adults, children)
    if problem:
        raise problem


def rules_text(event: Event) -> str:
    """The rules in one line for the event page and chat ("1組3名まで・お子さま1名以上")."""
    parts = [f"1組{max_people(event)}名まで"]
    if min_adults(event):
        parts.append(f"大人（保護者）{min_adults(event)}名以上")
    if event.min_children:
        parts.append(f"お子さま{event.min_children}名以上")
    if takes_children(event) and not event.adults_use_seats:
        parts.append("付き添いの大人は定員に数えません")
    return "・".join(parts)
