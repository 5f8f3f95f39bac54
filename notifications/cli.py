"""``monozukuri broadcast`` (fixed interface): queue a broadcast, print its id.

    monozukuri broadcast --article SLUG [--text TEXT] [--topic T ...]
                         [--channel line,discord,web] [--at ISO8601] [--urgent]

The worker delivers it. Without --topic an article goes to the topics of its
category (everyone when it has none; --everyone forces everyone).
"""
from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def register(subparsers) -> None:
    parser = subparsers.add_parser("broadcast", help="queue a broadcast (LINE, Discord, web); prints its id")
    parser.add_argument("--article", metavar="SLUG", help="the article to announce (its card is attached)")
    parser.add_argument("--text", default="", help="message text (optional with --article)")
    parser.add_argument("--topic", action="extend", nargs="+", default=[], metavar="T",
                        help="audience topics (default: the article's topics)")
    parser.add_argument("--persona", action="extend", nargs="+", default=[], metavar="P",
                        help="narrow the audience to these personas")
    parser.add_argument("--everyone", action="store_true", help="send to every subscriber")
    parser.add_argument("--channel", action="append", default=[], metavar="line,discord,web",
                        help="channels, comma separated (default: every channel that is set up)")
    parser.add_argument("--at", metavar="ISO8601", help="send later, e.g. 2027-01-15T09:00 (Japan time)")
    parser.add_argument("--urgent", action="store_true", help="ignore quiet hours")
    parser.add_argument("--over-quota", choices=("part", "wait"), metavar="part|wait",
                        help="when LINE's monthly quota is too small: send to part (LINE stops when it runs "
                             "out) or wait for next month; without it nothing is queued")
    parser.set_defaults(handler=_broadcast)


def parse_at(value: str | None) -> datetime | None:
    from core.cli import CommandError

    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--at の日時が読み取れません: {value!r}（例: 2027-01-15T09:00 または "
                           "2027-01-15T09:00+09:00）") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=JST)


def parse_channels(values: list[str]) -> list[str] | None:
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


def _audience(args, article) -> list[str]:
    from notifications.topics import topics_for_article

    if args.everyone or args.topic:
        return [] if args.everyone else list(args.topic)
    if article is None:
        return []
    event = getattr(article, "event", None)
    return list(topics_for_article(article.category, event.kind if event else None))


def _broadcast(args) -> int:
    from core.cli import CommandError, create_app
    from core.db import db
    from notifications.forms import find_article
    from notifications.service import BroadcastError, create_broadcast

    if args.everyone and args.topic:
        raise CommandError("--everyone と --topic は同時に指定できません")
    at, channels = parse_at(args.at), parse_channels(args.channel)
    app = create_app()
    with app.app_context():
        session = db.session
        try:
            article = find_article(session, args.article)
            topics = _audience(args, article)
            at = _quota_gate(session, app.config, args, channels, topics, at)
            broadcast = create_broadcast(
                session, article=article, text=args.text, topics=topics,
                personas=args.persona, channels=channels, at=at, urgent=args.urgent, origin="cli",
            )
        except BroadcastError as exc:
            session.rollback()
            raise CommandError(str(exc)) from None
        session.commit()
        _describe(broadcast)
    return 0


def _quota_gate(session, config, args, channels, topics, at):
    """Stop before anything is queued when LINE's remaining monthly quota is too small."""
    from core.cli import CommandError
    from notifications import quota_gate, validation

    used = channels if channels is not None else validation.available_channels(session, config, topics)
    check = quota_gate.over_quota(session, config, used, topics, args.persona)
    if check is None or args.over_quota == "part":
        return at
    if args.over_quota == "wait":
        return quota_gate.next_month_start()
    raise CommandError(
        f"{quota_gate.explain(check)} 選んでください: --over-quota part（残り{check.remaining:,}通の分だけ送る）、"
        "--over-quota wait（来月1日9:00に送る）、またはやめる（何もしない）")


def _describe(broadcast) -> None:
    from core.timefmt import datetime_ja

    print(broadcast.id)
    audience = "、".join(broadcast.topics) if broadcast.topics else "全員"
    print(f"配信を予約しました: #{broadcast.id}「{broadcast.title}」 チャンネル: {', '.join(broadcast.channels)} "
          f"対象: {audience} 配信開始: {datetime_ja(broadcast.send_at)}（ワーカーが配信します）", file=sys.stderr)
