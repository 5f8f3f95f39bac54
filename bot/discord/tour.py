"""``/tour``: register (event select menu → form → consent → confirm), view, cancel.

Discord cannot ask for a name in chat the way LINE does, so a modal collects
participants, name and contact in one go; the rest is the shared core.
The 申し込む button on event cards (a core postback) opens the same form.
"""
from __future__ import annotations

import logging

import discord

from bot.core.messages import BotResponse
from bot.discord import customid, interactions, tour_flow, wording
from bot.discord import limits as L
from bot.discord.layout import layout
from events.validation import CONTACT_MAX, NAME_MAX

log = logging.getLogger(__name__)
MODAL_TITLE = 45  # Discord's limit for a modal title
FORM_MINUTES = 15


async def register(interaction: discord.Interaction) -> None:
    await interactions.defer(interaction, ephemeral=True)
    message = interactions.incoming(interaction, "postback", data="a=reg&s=list")
    messages = await interaction.client.bridge.run(tour_flow.event_picker, message)
    await interactions.send(interaction, messages, ephemeral=True)


async def view(interaction: discord.Interaction) -> None:
    await interactions.postback(interaction, "a=reg&s=mine", ephemeral=True, command="tour view")


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


async def open_form(interaction: discord.Interaction, event_id: int | None) -> None:
    message = interactions.incoming(interaction, "postback", data="a=reg&s=form")
    checked = await interaction.client.bridge.run(tour_flow.form_check, message, event_id)
    if isinstance(checked, BotResponse):
        await interactions.send(interaction, layout(checked), ephemeral=True)
        return
    form_id = f"{customid.TOUR_FORM}{checked.event_id}:{interaction.id}"
    await interaction.response.send_modal(TourForm(checked, form_id))


class TourForm(discord.ui.Modal):
    """Participants, name and contact; consent and confirmation follow as buttons."""

    def __init__(self, spec: tour_flow.FormSpec, custom_id: str) -> None:
        title = L.cut(wording.FORM_TITLE.format(title=spec.title), MODAL_TITLE)
        super().__init__(title=title, timeout=FORM_MINUTES * 60, custom_id=custom_id)
        self.event_id = spec.event_id
        workshop = spec.kind == "workshop"
        self.adults_input = discord.ui.TextInput(label="大人（保護者）の人数" if workshop else "参加する人数",
                                           placeholder="1〜10の数字", default="1", min_length=1, max_length=4)
        self.add_item(self.adults_input)
        self.kids_input = None
        if workshop:
            self.kids_input = discord.ui.TextInput(label="子どもの人数", placeholder="0〜9の数字", default="1",
                                                 min_length=1, max_length=4)
            self.add_item(self.kids_input)
        self.name_input = discord.ui.TextInput(label="代表の方のお名前（受付で確認します）", max_length=NAME_MAX)
        self.contact_input = discord.ui.TextInput(label="連絡先（メールアドレスか電話番号）", max_length=CONTACT_MAX,
                                            placeholder="中止など急なお知らせのためにお聞きしています")
        self.add_item(self.name_input)
        self.add_item(self.contact_input)

    def values(self) -> tour_flow.FormValues:
        return tour_flow.FormValues(adults=self.adults_input.value, name=self.name_input.value, contact=self.contact_input.value,
                                    children=self.kids_input.value if self.kids_input is not None else None)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interactions.defer(interaction, ephemeral=True)
        message = interactions.incoming(interaction, "postback", data="a=reg&s=form")
        messages = await interaction.client.bridge.run(tour_flow.accept_form, message, self.event_id, self.values())
        await interactions.send(interaction, messages, ephemeral=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        log.error("registration form failed", exc_info=error)
        await interactions.say(interaction, wording.COMMAND_FAILED)


