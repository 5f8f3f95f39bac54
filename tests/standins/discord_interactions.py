"""Discord stand-in handlers for application commands and interactions
(callbacks, followups, the original response). Registered into
``discord_resources.HANDLERS`` on import.
"""
from __future__ import annotations

from .discord_resources import LOADING, build_message, edit_message, err, handler
from .http_standin import Reply

INTERACTION_ANSWER_SECONDS = 3  # the initial callback must come within 3 s of the interaction
INTERACTION_TOKEN_SECONDS = 15 * 60  # follow-ups and edits of the response: 15 minutes
# Interaction callback types that create the "original" response message.
MESSAGE_CALLBACKS = {4: False, 5: True}  # type -> loading (deferred)


# -- application commands ----------------------------------------------------------------
def _bulk_set(standin, ctx, guild_id: str | None) -> Reply:
    """Bulk overwrite: commands keep their id when name and type match,
    as Discord does, so re-syncing is idempotent."""
    app_id = ctx.params["application_id"]
    if app_id != standin.application_id:
        return err(403, 50001, "Missing Access")
    previous = {(c["name"], c["type"]): c for c in standin.commands.get((app_id, guild_id), [])}
    result = []
    for command in ctx.body:
        kind = command.get("type") or 1
        old = previous.get((command["name"], kind))
        entry = {"id": old["id"] if old else standin.snowflake(), "application_id": app_id,
                 "version": standin.snowflake(), "default_member_permissions": command.get(
                     "default_member_permissions"), "type": kind, "name": command["name"],
                 "description": command.get("description") or "", "nsfw": bool(command.get("nsfw")),
                 "options": command.get("options") or [], "integration_types": [0]}
        if command.get("name_localizations") is not None:
            entry["name_localizations"] = command["name_localizations"]
        if command.get("description_localizations") is not None:
            entry["description_localizations"] = command["description_localizations"]
        if guild_id is not None:
            entry["guild_id"] = guild_id
        else:
            entry["contexts"] = command.get("contexts")
        result.append(entry)
    standin.commands[(app_id, guild_id)] = result
    return Reply(200, result)


@handler("bulk_set_application_commands")
def bulk_set_global(standin, ctx) -> Reply:
    return _bulk_set(standin, ctx, None)


@handler("bulk_set_guild_application_commands")
def bulk_set_guild(standin, ctx) -> Reply:
    return _bulk_set(standin, ctx, ctx.params["guild_id"])


@handler("list_application_commands")
def list_global(standin, ctx) -> Reply:
    return Reply(200, standin.commands.get((ctx.params["application_id"], None), []))


@handler("list_guild_application_commands")
def list_guild(standin, ctx) -> Reply:
    return Reply(200, standin.commands.get((ctx.params["application_id"], ctx.params["guild_id"]), []))


# -- interactions ----------------------------------------------------------------------------
@handler("create_interaction_response")
def create_interaction_response(standin, ctx) -> Reply:
    state = standin.interactions.get(ctx.params["interaction_id"])
    if state is None or state["token"] != ctx.params["interaction_token"]:
        return err(404, 10062, "Unknown interaction")
    if state["response"] is None and standin.now() - state["issued_at"] > INTERACTION_ANSWER_SECONDS:
        return err(404, 10062, "Unknown interaction")  # what Discord answers to a callback after 3 s
    if state["response"] is not None:
        return err(400, 40060, "Interaction has already been acknowledged.")
    state["response"] = ctx.body
    kind = ctx.body["type"]
    message = None
    if kind in MESSAGE_CALLBACKS:
        data = dict(ctx.body.get("data") or {})
        if MESSAGE_CALLBACKS[kind]:
            data["flags"] = (data.get("flags") or 0) | LOADING
        message = build_message(standin, state["channel_id"] or "0", data, type=20,
                                application_id=standin.application_id, webhook_id=standin.application_id)
        state["original_id"] = message["id"]
    if ctx.call.query.get("with_response", ["false"])[0].lower() not in ("true", "1"):
        return Reply(204)
    interaction = {"id": ctx.params["interaction_id"], "type": 2}  # 2 = APPLICATION_COMMAND
    for key in ("channel_id", "guild_id"):
        if state[key]:
            interaction[key] = state[key]
    if message is not None:
        interaction.update({"response_message_id": message["id"],
                            "response_message_loading": bool(message["flags"] & LOADING),
                            "response_message_ephemeral": bool(message["flags"] & (1 << 6))})
    body = {"interaction": interaction}
    if message is not None and kind == 4:  # the spec only defines a resource for type 4
        body["resource"] = {"type": kind, "message": message}
    return Reply(200, body)


def _interaction_for(standin, ctx) -> tuple[dict | None, Reply | None]:
    """Interaction webhooks: id = application id, token = interaction token,
    usable once the interaction was acknowledged."""
    if ctx.params["webhook_id"] != standin.application_id:
        return None, err(404, 10015, "Unknown Webhook")
    state = next((s for s in standin.interactions.values() if s["token"] == ctx.params["webhook_token"]), None)
    if state is None or state["response"] is None:
        return None, err(404, 10015, "Unknown Webhook")
    if standin.now() - state["issued_at"] > INTERACTION_TOKEN_SECONDS:
        return None, err(401, 50027, "Invalid Webhook Token")
    return state, None


@handler("execute_webhook")
def execute_webhook(standin, ctx) -> Reply:
    state, refusal = _interaction_for(standin, ctx)
    if refusal:
        return refusal
    message = build_message(standin, state["channel_id"] or "0", ctx.body, application_id=standin.application_id,
                            webhook_id=standin.application_id)
    return Reply(200, message)


def _original(standin, ctx) -> tuple[dict | None, Reply | None]:
    state, refusal = _interaction_for(standin, ctx)
    if refusal:
        return None, refusal
    message = standin.messages.get(state["original_id"] or "")
    if message is None:
        return None, err(404, 10008, "Unknown Message")
    return message, None


@handler("get_original_webhook_message")
def get_original(standin, ctx) -> Reply:
    message, refusal = _original(standin, ctx)
    return refusal or Reply(200, message)


@handler("update_original_webhook_message")
def update_original(standin, ctx) -> Reply:
    message, refusal = _original(standin, ctx)
    return refusal or Reply(200, edit_message(message, ctx.body))


@handler("delete_original_webhook_message")
def delete_original(standin, ctx) -> Reply:
    message, refusal = _original(standin, ctx)
    if refusal:
        return refusal
    del standin.messages[message["id"]]
    return Reply(204)


@handler("update_webhook_message")
def update_followup(standin, ctx) -> Reply:
    _, refusal = _interaction_for(standin, ctx)
    if refusal:
        return refusal
    message = standin.messages.get(ctx.params["message_id"])
    if message is None or message.get("webhook_id") != standin.application_id:
        return err(404, 10008, "Unknown Message")
    return Reply(200, edit_message(message, ctx.body))
