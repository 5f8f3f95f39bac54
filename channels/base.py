"""The interface every outbound channel implements, and the neutral values it exchanges."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from markupsafe import Markup

from channels.outcome import Outcome

# How a broadcast reaches people on a channel:
#  "subscribers"  – one outbox row per chunk of the channel's subscribers (LINE multicast);
#  "destinations" – one row per place to post (a Discord channel with its role pings);
#  "timeline"     – our own web timeline: written as delivered the moment it starts.
Fanout = Literal["subscribers", "destinations", "timeline"]


@dataclass(frozen=True)
class Quota:
    """A platform's message allowance this month."""

    limit: int | None  # None = no monthly limit
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@dataclass(frozen=True)
class Destination:
    """One place a broadcast is posted to (e.g. a Discord channel, with roles to ping)."""

    target: str
    mentions: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Delivery:
    """One claimed outbox row with what is needed to send it (safe to hand to threads)."""

    broadcast_id: int
    retry_key: str
    payload: Any
    recipients: Sequence[str]
    target: str | None
    mentions: tuple[str, ...]
    unit: str | None
    segment: str | None = None  # the audience segment whose message variant ``payload`` is


class Sender(Protocol):
    def send(self, delivery: Delivery) -> Outcome: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ChannelPreview:
    """What the composer shows for one channel: its rendering and notes for staff."""

    channel: str
    label: str
    html: Markup
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # what staff must read before sending (e.g. the quota would run out)


class Channel:
    """An outbound channel. Subclasses set the class attributes and override what applies."""

    name: ClassVar[str]  # stored in broadcasts.channels, outbox rows and tracked links
    label: ClassVar[str]  # Japanese, shown to staff and on the public timeline
    fanout: ClassVar[Fanout] = "destinations"
    chunk_size: ClassVar[int] = 1  # recipients per outbox row ("subscribers" fan-out)
    counts_people: ClassVar[bool] = False  # reports count recipients (True) or posts (False)
    quota_limited: ClassVar[bool] = False  # an outcome "quota" stops the rest of the broadcast here
    paced: ClassVar[bool] = False  # requests share the worker's rate limit (DeliverySettings)
    public: ClassVar[bool] = False  # what went out here is shown on the web timeline
    chat: ClassVar[bool] = False  # people subscribe here and can be sent a personal push
    needs_approval: ClassVar[bool] = False  # a broadcast using it waits for a ward approval (承認待ち)
    # Reach is known only from the platform's own statistics (X: impressions, stored by
    # fetch_statistics in kpi_post_stats); while none are fetched the KPIs show it as unknown.
    reach_reported: ClassVar[bool] = False

    # -- settings --------------------------------------------------------------------------
    def configured(self, config: Mapping) -> bool:
        return True

    def setup_hint(self) -> str:
        """Japanese: what an operator sets to switch the channel on."""
        return ""

    def unavailable_reason(self, session, config: Mapping, topics: Sequence[str]) -> str | None:
        """Why a broadcast on these topics cannot use the channel now (Japanese), or None."""
        if not self.configured(config):
            return f"{self.label}が設定されていないため配信できません（{self.setup_hint()}）"
        return None

    # -- composing ---------------------------------------------------------------------------
    def render(self, config: Mapping, draft) -> Any:
        """A broadcast's neutral draft as this platform's JSON payload (stored per channel)."""
        return None

    def render_response(self, config: Mapping, response) -> Any:
        """A neutral bot response (reminders, offers) as this platform's payload."""
        return None

    def check_draft(self, config: Mapping, draft) -> str | None:
        """Why this platform would refuse the draft (Japanese, e.g. too long), or None."""
        return None

    def show(self, session, draft, topics: Sequence[str]) -> Markup:
        """HTML of the draft as people see it on this platform (console previews and reports)."""
        return Markup("")

    def preview(self, session, config: Mapping, draft, topics: Sequence[str],
                personas: Sequence[str]) -> ChannelPreview:
        """The composer's view: the rendering plus what staff should know before sending."""
        return ChannelPreview(self.name, self.label, self.show(session, draft, topics))

    # -- fan-out and sending -----------------------------------------------------------------
    def destinations(self, session, topics: Sequence[str]) -> list[Destination]:
        """Where a "destinations" broadcast goes for these topics."""
        return []

    def sender(self, config: Mapping, timeout: float) -> Sender | None:
        """A sender for the worker, or None when the channel is not configured."""
        return None

    def quota(self, config: Mapping) -> Quota | None:
        """This month's allowance, when the platform has one and tells us (None otherwise)."""
        return None

    def post_url(self, config: Mapping, external_ref: str | None) -> str | None:
        """The public address of what was posted (linked from the web timeline), if any."""
        return None

    # -- reports and KPIs ----------------------------------------------------------------------
    def reach(self, session, topics: Sequence[str], personas: Sequence[str]) -> int | None:
        """People a broadcast would reach here, or None when the platform cannot tell."""
        return None

    def form_url(self, session, config: Mapping, form: str, params: Mapping[str, object] | None = None) -> str | None:
        """A link that opens one of our forms inside this platform's app ("settings", "register"),
        already knowing who the person is; None when the channel has no such forms (LINE: LIFF)."""
        return None

    def fetch_statistics(self, session, config: Mapping, today) -> int | None:
        """Store the platform's own statistics for the KPIs (caller commits); returns rows
        stored, or None when the channel has none or is not configured."""
        return None
