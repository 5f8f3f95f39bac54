"""Outbound channels as plugins: one interface (``channels.base.Channel``), one registry.

The composer, the dispatcher, delivery reports, KPIs and templates iterate the
registry; none of them names a platform. A channel's module lives with its platform
adapter (``bot/line/channel.py``, ``bot/discord/channel.py``) or its domain
(``notifications/web_channel.py``) and is imported only by the registry, by name.

Adding a channel = one module with a ``Channel`` subclass named ``CHANNEL_CLASS`` +
one line in ``channels.registry.CHANNEL_PLUGINS`` + its settings in ``core.config``.
"""
