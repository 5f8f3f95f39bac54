"""The Discord adapter: slash commands, components and announcements on top of ``bot.core``.

Only this package imports ``discord``. It normalises interactions into the
core's ``IncomingMessage`` and renders the neutral ``BotResponse`` as embeds,
link buttons and select menus within Discord's limits.
"""
from __future__ import annotations


def init_app(app) -> None:
    from bot.discord import views
    from bot.discord.directory import answer_choices_request
    from core import signals

    views.register(app)  # /admin/discord: server settings and problems for staff
    from bot.discord.ping_roles import ping_warnings_for_settings_page

    app.add_template_global(ping_warnings_for_settings_page, "discord_ping_warnings")
    # The broadcast settings page offers channels and roles by name (notifications never import us).
    signals.discord_choices_requested.connect(answer_choices_request)
