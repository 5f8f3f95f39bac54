"""Stickers, photos, videos, voice, files, map pins and unknown kinds: always a short answer.

The bot cannot look inside media (and keeps none of it); it says so kindly and shows
what it can do. A location finds the nearest upcoming events and companies open for
tours, by straight-line distance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from bot.core import menus
from bot.core.cards import event_card
from bot.core.turn import Turn
from content import service as content_service
from content.models import Company
from messages.limits import MAX_CARDS
from messages.replies import BotResponse, Cards, Text

STICKER = "スタンプありがとうございます！\n新しい記事は「新着」、工場見学や体験教室は「イベント」と送ってみてください。"
_MEDIA_NAMES = {"image": "写真", "video": "動画", "audio": "音声", "file": "ファイル"}
MEDIA = ("{name}を送ってくださりありがとうございます。ごめんなさい、このアカウントでは{name}の中身を確認できません"
         "（保存もしていません）。\n知りたいことを文字で送ってください。例：「旋盤」「工場見学」")
UNSUPPORTED = ("ごめんなさい、このメッセージの種類にはまだ対応していません。\n"
               "文字で送っていただくか、下のボタンから選んでください。")
LOCATION_TIP = "位置情報を送ると、近くのイベントや見学できる会社をお探しします。"
NEARBY_KM = 30.0  # farther than this is not "nearby" for an Ota City service
NEARBY_EVENTS = 3
NEARBY_COMPANIES = 5
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_text(km: float) -> str:
    return f"約{round(km * 1000, -1):.0f}m" if km < 1 else f"約{km:.1f}km"


@dataclass(frozen=True)
class Near:
    km: float
    item: object


def _where(item) -> tuple[float, float] | None:
    """An event's own coordinates, else its company's."""
    if getattr(item, "latitude", None) is not None and item.longitude is not None:
        return item.latitude, item.longitude
    company = getattr(item, "company", None)
    if company is not None and company.latitude is not None and company.longitude is not None:
        return company.latitude, company.longitude
    return None


def _nearest(items, lat: float, lng: float, limit: int) -> list[Near]:
    found = [Near(distance_km(lat, lng, *where), item) for item in items if (where := _where(item)) is not None]
    return sorted((n for n in found if n.km <= NEARBY_KM), key=lambda n: n.km)[:limit]


def nearby_events(turn: Turn, lat: float, lng: float) -> list[Near]:
    upcoming = content_service.upcoming_events(turn.session, limit=100, public_only=True)
    return _nearest(upcoming, lat, lng, NEARBY_EVENTS)


def nearby_companies(turn: Turn, lat: float, lng: float) -> list[Near]:
    companies = turn.session.scalars(select(Company).where(Company.open_for_tours.is_(True)))
    return _nearest(companies, lat, lng, NEARBY_COMPANIES)


def media(turn: Turn) -> BotResponse:
    kind = turn.message.media_type
    if kind == "sticker":
        return BotResponse([Text(STICKER)], menus.main_menu())
    text = MEDIA.format(name=_MEDIA_NAMES.get(kind, "ファイル"))
    return BotResponse([Text(f"{text}\n\n{LOCATION_TIP}")], menus.main_menu())


def unsupported(turn: Turn) -> BotResponse:
    return BotResponse([Text(UNSUPPORTED)], menus.main_menu())


def _company_lines(companies: list[Near]) -> str:
    return "\n".join(f"・{n.item.name}（{n.item.field}、{distance_text(n.km)}）" for n in companies)


def location(turn: Turn) -> BotResponse:
    lat, lng = turn.message.latitude, turn.message.longitude
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return unsupported(turn)
    events, companies = nearby_events(turn, lat, lng), nearby_companies(turn, lat, lng)
    if not events and not companies:
        text = f"送っていただいた場所から{NEARBY_KM:.0f}km以内に、ご案内できるイベントや見学先が見つかりませんでした。"
        return BotResponse([Text(text)], menus.event_choices() + menus.main_menu())
    response = BotResponse(quick_replies=menus.event_choices() + menus.main_menu())
    if events:
        lines = "\n".join(f"・{n.item.title}（{distance_text(n.km)}）" for n in events)
        response.add(Text(f"近くで開かれるイベントです（近い順）。\n{lines}"))
        cards = tuple(event_card(turn, n.item) for n in events)[:MAX_CARDS]
        response.add(Cards(cards, alt_text="近くのイベント"))
    if companies:
        response.add(Text(f"近くの見学できる会社です（近い順）。\n{_company_lines(companies)}\n"
                          "見学の相談は「就職・見学」から、またはサイトの会社ページからどうぞ。"))
    return response
