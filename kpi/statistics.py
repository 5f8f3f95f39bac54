"""The platforms' own statistics, fetched through each channel (the KPI side knows no platform)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from channels import registry


def fetch_channel_statistics(session, config: Mapping, today: date) -> dict[str, int | None]:
    """Rows stored per channel; None where a channel has no statistics or is off (caller commits)."""
    return {channel.name: channel.fetch_statistics(session, config, today)
            for channel in registry.all_channels(config)}


def setup_hints(config: Mapping) -> str:
    return "、".join(c.setup_hint() for c in registry.all_channels(config) if c.setup_hint())
