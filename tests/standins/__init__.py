"""Local stand-ins of the LINE and Discord HTTP APIs for tests.

Modules (import what you need; nothing heavy is imported here):

* ``line_api.LineStandin`` - api.line.me / api-data.line.me, validated
  against shared/specs/line/*.yml
* ``line_limits`` / ``line_rules`` - LINE's documented limits beyond the schema
  (lengths in UTF-16 units, https images, colours, aspect ratios, URI schemes...)
* ``line_webhook`` - signed, webhook.yml-conformant webhook bodies
* ``discord_api.DiscordStandin`` - discord.com/api/v10, validated against
  shared/specs/discord/openapi.json; ``discord_components_rules`` adds the
  documented component rules
* ``discord_gateway.DiscordGateway`` - the gateway websocket (HELLO, IDENTIFY,
  READY, dispatch, RESUME) for a real discord.py client
* every stand-in has a clock: ``advance(seconds)`` expires reply tokens (LINE,
  1 min) and interactions (Discord: 3 s to answer, 15 min for follow-ups)
* ``specs.specs_dir()`` - where the specs are; skips (or fails with
  REQUIRE_SHARED_SPECS=1) when they are missing
"""
