"""The one list of outbound channels; everything else iterates it.

Plugins are named by module (imported here only, by name) so that no domain imports a
platform's channel module. ``EXTRA_CHANNEL_PLUGINS`` in the app config adds more
(tests add a channel that exists only in the tests this way).
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache

from channels.base import Channel

CHANNEL_PLUGINS: tuple[str, ...] = (
    "bot.line.channel",
    "bot.discord.channel",
    "notifications.web_channel",
    "bot.x.channel",
)


class UnknownChannel(KeyError):
    """A channel name no plugin provides."""


@cache
def _load(module_name: str) -> Channel:
    return importlib.import_module(module_name).CHANNEL_CLASS()


def _app_config() -> Mapping:
    from flask import current_app, has_app_context

    return current_app.config if has_app_context() else {}


def all_channels(config: Mapping | None = None) -> list[Channel]:
    """Every channel in registry order (the order of checkboxes, reports and charts).

    Without ``config`` the current app's is used (outside an app: the built-in channels).
    """
    extra = tuple((config if config is not None else _app_config()).get("EXTRA_CHANNEL_PLUGINS") or ())
    return [_load(name) for name in CHANNEL_PLUGINS + extra]


def names(config: Mapping | None = None) -> list[str]:
    return [channel.name for channel in all_channels(config)]


def labels(config: Mapping | None = None) -> dict[str, str]:
    return {channel.name: channel.label for channel in all_channels(config)}


def get(name: str, config: Mapping | None = None) -> Channel:
    for channel in all_channels(config):
        if channel.name == name:
            return channel
    raise UnknownChannel(name)
