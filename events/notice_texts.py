"""What applicants are told after registering: offers, reminders, the thank-you.

Each notice exists in two forms with the same facts: a chat message
(``BotResponse``, pushed on LINE/Discord) and a plain-text mail.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.models import Article
from core.db import utcnow
from core.timefmt import datetime_ja
from events import notify
from events.chat_actions import reg_choice
from events.models import Event, Registration
from messages.limits import MAX_CARD_TITLE, carousel
from messages.replies import BotResponse, Card, Confirm, Text
from messages.text import shorten

NEXT_STEP_CAMPAIGN = "next-step"
SUPPORT_SLUGS = ("employment-support", "scholarship-repayment-support")


@dataclass(frozen=True)
class Notice:
    subject: str
    response: BotResponse  # chat form
    mail_body: str  # mail form


def registration_path(registration: Registration) -> str:
    return f"/registrations/{registration.token}"


def _link(config: Mapping, registration: Registration, path: str, campaign: str) -> str:
    chat = notify.chat_user(registration.person_key)
    return notify.tracked(config, path, channel=chat[0] if chat else "web",
                          recipient=chat[1] if chat else None, campaign=campaign)


def facts(registration: Registration) -> str:
    event = registration.event
    people = f"大人{registration.adults}名" + (f"・子ども{registration.children}名" if registration.children else "")
    lines = [f"イベント：{event.title}", f"日時：{datetime_ja(event.starts_at)}"]
    if event.place:
        lines.append(f"会場：{event.place}")
    return "\n".join(lines + [f"人数：{people}"])


def _mail(greeting_name: str | None, body: str, link: str) -> str:
    name = f"{greeting_name} 様\n\n" if greeting_name else ""
    return (f"{name}{body}\n\nお申し込み内容の確認・キャンセル：\n{link}\n\n"
            "このメールは「大田区 新しいものづくり」のイベント受付から自動でお送りしています。")


def offer_notice(config: Mapping, registration: Registration) -> Notice:
    deadline = datetime_ja(registration.offer_expires_at) if registration.offer_expires_at else "お早め"
    link = _link(config, registration, registration_path(registration), "event-offer")
    body = (f"キャンセル待ちでお待ちいただいていた「{registration.event.title}」に空きが出ました。\n"
            f"{deadline}までに、参加されるかどうかをお知らせください。"
            "期限を過ぎると、次にお待ちの方にご案内します。\n\n" + facts(registration))
    key = registration.person_key
    question = Confirm(
        text="このお席で参加しますか？",
        yes=reg_choice(config, key, "参加する", "accept", registration.id, display_text="参加します"),
        no=reg_choice(config, key, "辞退する", "release", registration.id, display_text="辞退します"),
    )
    response = BotResponse([Text(body), question, Text(f"ウェブでも回答できます：\n{link}")])
    return Notice("【空きが出ました】" + registration.event.title, response, _mail(registration.name, body, link))


def reminder_notice(config: Mapping, registration: Registration, kind: str) -> Notice:
    when = "明日" if kind == "day_before" else "まもなく"
    link = _link(config, registration, registration_path(registration), f"event-{kind.replace('_', '-')}")
    body = (f"{when}「{registration.event.title}」です。お気をつけてお越しください。\n\n{facts(registration)}\n\n"
            "受付で、予約内容のページにあるQRコードをお見せください。"
            "行けなくなった場合は、ほかの方のためにキャンセルをお願いします。")
    card = Card(title=shorten(registration.event.title, MAX_CARD_TITLE), url=link, label="予約内容",
                body="受付用QRコードとキャンセル", button_label="予約内容とQRコード")
    response = BotResponse([Text(body), carousel([card], "予約内容とQRコード")])
    prefix = "【明日開催】" if kind == "day_before" else "【まもなく開催】"
    return Notice(prefix + registration.event.title, response, _mail(registration.name, body, link))


def _published(session: Session, *conditions) -> list[Article]:
    query = select(Article).where(Article.status == "published", Article.published_at <= utcnow(), *conditions)
    return list(session.scalars(query.order_by(Article.published_at.desc()).limit(3)))


def next_step_articles(session: Session, event: Event) -> list[Article]:
    """The company's own articles (its work and jobs), then the ward's support pages."""
    company = []
    if event.company_id:
        company = _published(session, Article.company_id == event.company_id, Article.category == "series")[:1]
    support = _published(session, Article.slug.in_(SUPPORT_SLUGS))
    return company + sorted(support, key=lambda a: SUPPORT_SLUGS.index(a.slug))


def thank_you_notice(session: Session, config: Mapping, registration: Registration) -> Notice:
    event = registration.event
    survey = _link(config, registration, registration_path(registration) + "/survey", "event-survey")
    steps = [(a, _link(config, registration, f"/articles/{a.slug}", NEXT_STEP_CAMPAIGN))
             for a in next_step_articles(session, event)]
    body = (f"「{event.title}」にご参加いただき、ありがとうございました。\n"
            "よろしければ、1分で終わるアンケートにご協力ください。")
    cards = [Card(title="アンケート（1分）", url=survey, label="アンケート", body="今日の感想を教えてください",
                  button_label="回答する")]
    cards += [Card(title=shorten(a.title, MAX_CARD_TITLE), url=url, label="次の一歩", button_label="読む")
              for a, url in steps]
    mail_links = "\n".join(f"・{a.title}\n  {url}" for a, url in steps)
    mail_body = f"{body}\n{survey}\n\n次の一歩に：\n{mail_links}" if steps else f"{body}\n{survey}"
    response = BotResponse([Text(body), carousel(cards, "アンケートと次の一歩")])
    return Notice("【ご参加ありがとうございました】" + event.title, response,
                  _mail(registration.name, mail_body, _link(config, registration, registration_path(registration), "event-thanks")))
