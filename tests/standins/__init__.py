"""Local stand-ins of the LINE and Discord HTTP APIs for tests.

Modules (import what you need; nothing heavy is imported here):

* ``line_api.LineStandin`` - api.line.me / api-data.line.me, validated
  against shared/specs/line/*.yml
* ``line_webhook`` - signed, webhook.yml-conformant webhook bodies
* ``discord_api.DiscordStandin`` - discord.com/api/v10, validated against
  shared/specs/discord/openapi.json
* ``specs.specs_dir()`` - where the specs are; skips (or fails with
  REQUIRE_SHARED_SPECS=1) when they are missing
"""
