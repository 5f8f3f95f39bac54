"""``/tour``: register (event select menu → form → consent → confirm), view, cancel.

Discord cannot ask for a name in chat the way LINE does, so a modal collects
participants, name and contact in one go; the rest is the shared core.
The 申し込む button on event cards (a core postback) opens the same form.
"""
from __future__ import annotations

import logging

import discord

from bot.discord import customid, interactions, tour_flow, wording
from bot.discord import limits as L
from bot.discord.layout import layout
from events.validation import CONTACT_MAX, NAME_MAX
from messages.replies import BotResponse

log = logging.getLogger(__name__)
MODAL_TITLE = 45  # Discord's limit for a modal title
FORM_MINUTES = 15
ADULTS, CHILDREN, NAME, CONTACT = "adults", "children", "name", "contact"  # form input custom ids


@interactions.guarded
async def register(interaction: discord.Interaction) -> None:
    await interactions.defer(interaction, ephemeral=True)
    message = interactions.incoming(interaction, "postback", data="a=reg&s=list")
    messages = await interaction.client.bridge.run(tour_flow.event_picker, message)
    await interactions.send(interaction, messages, ephemeral=True)


async def view(interaction: discord.Interaction) -> None:
    await interactions.postback(interaction, "a=reg&s=mine", ephemeral=True, command="tour view")


@interactions.guarded
async def cancel(interaction: discord.Interaction) -> None:
    await interactions.defer(interaction, ephemeral=True)
    message = interactions.incoming(interaction, "postback", data="a=reg&s=mine")
    messages = await interaction.client.bridge.run(tour_flow.cancel_picker, message)
    await interactions.send(interaction, messages, ephemeral=True)


async def intercept(interaction: discord.Interaction, data: str) -> bool:
    """A core 申し込む button: open the form instead of the chat questions. True when handled.

    Anyone may apply for a public event, so the form opens for whoever pressed
    the button (the core's signature binds it to the user the list was shown to).
    """
    event_id = tour_flow.start_postback_event(interaction.client.bridge.config, data)
    if event_id is None:
        return False
    await open_form(interaction, event_id)
    return True


@interactions.guarded
async def open_form(interaction: discord.Interaction, event_id: int | None) -> None:
    message = interactions.incoming(interaction, "postback", data="a=reg&s=form")
    checked = await interaction.client.bridge.run(tour_flow.form_check, message, event_id)
    if isinstance(checked, BotResponse):
        await interactions.send(interaction, layout(checked), ephemeral=True)
        return
    form_id = f"{customid.TOUR_FORM}{checked.event_id}:{interaction.id}"
    await interaction.response.send_modal(registration_form(checked, form_id))


def _number_input(custom_id: str, label: str, placeholder: str) -> discord.ui.TextInput:
    return discord.ui.TextInput(custom_id=custom_id, label=label, placeholder=placeholder, default="1",
                                min_length=1, max_length=4)


def registration_form(spec: tour_flow.FormSpec, custom_id: str) -> discord.ui.Modal:
    """Participants, name and contact; consent and confirmation follow as buttons.

    Inputs have fixed custom ids and the answer is read from the submission
    itself (``on_modal``), so a form sent before a restart still works.
    """
    title = L.cut(wording.FORM_TITLE.format(title=spec.title), MODAL_TITLE)
    form = discord.ui.Modal(title=title, timeout=FORM_MINUTES * 60, custom_id=custom_id)
    workshop = spec.kind == "workshop"
    most = spec.max_people
    form.add_item(_number_input(ADULTS, "大人（保護者）の人数" if workshop else "参加する人数", f"1〜{most}の数字"))
    if workshop:
        form.add_item(_number_input(CHILDREN, "子どもの人数", f"0〜{most - 1}の数字"))
    form.add_item(discord.ui.TextInput(custom_id=NAME, label="代表の方のお名前（受付で確認します）", max_length=NAME_MAX))
    form.add_item(discord.ui.TextInput(custom_id=CONTACT, label="連絡先（メールアドレスか電話番号）", max_length=CONTACT_MAX,
                                       placeholder="中止など急なお知らせのためにお聞きしています"))
    return form


def submitted_values(data: dict) -> tour_flow.FormValues:
    """The answers of a MODAL_SUBMIT, by input custom id (rows or labels around the inputs)."""
    answers: dict[str, str] = {}
    for component in data.get("components") or []:
        inner = [component["component"]] if "component" in component else component.get("components") or []
        for item in inner:
            if isinstance(item, dict) and item.get("custom_id"):
                answers[item["custom_id"]] = str(item.get("value") or "")
    return tour_flow.FormValues(adults=answers.get(ADULTS, ""), children=answers.get(CHILDREN),
                                name=answers.get(NAME, ""), contact=answers.get(CONTACT, ""))


def form_event(custom_id: str) -> int | None:
    """The event of ``tour:form:<event id>:<nonce>``."""
    return customid.event_ref(custom_id.rsplit(":", 1)[0], customid.TOUR_FORM)


@interactions.guarded
async def on_modal(interaction: discord.Interaction) -> None:
    data = interaction.data or {}
    event_id = form_event(str(data.get("custom_id") or ""))
    if event_id is None:
        return  # not our form
    await interactions.defer(interaction, ephemeral=True)
    message = interactions.incoming(interaction, "postback", data="a=reg&s=form")
    messages = await interaction.client.bridge.run(tour_flow.accept_form, message, event_id, submitted_values(data))
    await interactions.send(interaction, messages, ephemeral=True)
