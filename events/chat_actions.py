"""Signed postbacks of the event registration conversation (action ``reg``).

Payload: ``a=reg&s=<step>&i=<id>&v=<value>&g=<signature>``. ``i`` is an event,
draft or registration id depending on the step; the signature (see
``events.signing``) binds step, id and value to the chat user the button was
sent to, so edited ids or values and buttons from someone else's chat fail.

Steps:
  start  i=event          begin (or restart) a registration for an event
  adults i=draft v=n      number of adults (tours: participants)
  kids   i=draft v=n      number of children (workshops)
  agree  i=draft v=1|0    consent to the purpose of use / stop
  ok     i=draft v=1|0    confirm the registration / stop
  mine                    予約確認 (unsigned: it only shows the user's own data)
  cancel i=reg [v=1|0]    ask to cancel / confirmed / kept
  accept i=reg            take an offered seat
  release i=reg [v=1|0]   ask to give up an offered seat / confirmed / kept
"""
from __future__ import annotations

from collections.abc import Mapping

from events.signing import postback_signature, postback_signature_ok
from messages.limits import action
from messages.postback import Postback
from messages.replies import Choice

ACTION = "reg"


def user_key(channel: str, user_id: str) -> str:
    return f"{channel}:{user_id}"


def reg_choice(config: Mapping, key: str, label: str, step: str, ref: int | None = None,
               value: object = None, display_text: str | None = None) -> Choice:
    """A signed ``reg`` postback button for the chat user ``key`` ("line:U123")."""
    signature = postback_signature(config["SECRET_KEY"], key, step, ref or "", "" if value is None else value)
    return action(label, ACTION, display_text=display_text, s=step, i=ref, v=value, g=signature)


def signed_ok(config: Mapping, key: str, data: Postback) -> bool:
    return postback_signature_ok(config["SECRET_KEY"], key, data.get("g"), data.get("s"), data.get("i"), data.get("v"))


def ref_of(data: Postback) -> int | None:
    raw = data.get("i")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def apply_buttons(turn, event) -> tuple[Choice, ...]:
    """The 申し込む button of an event card, while the event takes applications."""
    from events.service import is_open

    if not is_open(event):
        return ()
    key = user_key(turn.channel, turn.user_id)
    return (reg_choice(turn.config, key, "申し込む", "start", event.id, display_text=f"「{event.title[:40]}」に申し込む"),)
