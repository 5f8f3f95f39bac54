"""Per-user rich menus: the parents' menu for persona "parent", the default for everyone else.

Linking goes through the job queue (kind ``line_richmenu_link``): the
conversation only records that a user's persona changed, and the worker
calls the API, retrying on its own if LINE is briefly unavailable.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from linebot.v3.messaging import MessagingApi
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.line import queue
from bot.line.client import REQUEST_TIMEOUT, error_message, is_retryable
from bot.line.models import BotJob, LineRichMenu
from bot.line.richmenu import load_definitions, menu_for_persona
from notifications.models import Subscriber
from notifications.subscriptions import find_subscriber

log = logging.getLogger(__name__)

LINK_JOB_KIND = "line_richmenu_link"


def queue_link(session: Session, user_id: str, reason_key: str) -> None:
    """Add (without committing) a job that links the menu matching the user's persona.

    The job reads the persona when it runs, so quick changes end on the latest one.
    """
    job = queue.NewJob(f"richmenu:{user_id}:{reason_key}", {"user_id": user_id}, LINK_JOB_KIND)
    queue.insert_jobs(session.connection(), "line", [job])


def queue_relink_for(session: Session, personas: tuple[str, ...], menu_id: str) -> int:
    """After a deploy replaced a persona menu: queue a link job for each such LINE user."""
    if not personas:
        return 0
    users = session.scalars(
        select(Subscriber.external_id).where(
            Subscriber.channel == "line", Subscriber.status == "active", Subscriber.persona.in_(personas))
    ).all()
    jobs = [queue.NewJob(f"richmenu:{user}:{menu_id}", {"user_id": user}, LINK_JOB_KIND) for user in users]
    return queue.enqueue(session, "line", jobs)


def _apply(api: MessagingApi, user_id: str, menu_id: str | None) -> None:
    if menu_id is None:
        try:
            api.unlink_rich_menu_id_from_user(user_id, _request_timeout=REQUEST_TIMEOUT)
        except ApiException as exc:
            if exc.status != 404:  # nothing linked: already on the default menu
                raise
        return
    api.link_rich_menu_id_to_user(user_id, menu_id, _request_timeout=REQUEST_TIMEOUT)


def run_link_job(session: Session, api: MessagingApi, job: BotJob, _config: Mapping) -> queue.Outcome:
    """Link the menu of the user's current persona; the job's outcome (recorded by the caller)."""
    user_id = job.payload["user_id"]
    subscriber = find_subscriber(session, "line", user_id)
    menu = menu_for_persona(load_definitions(), subscriber.persona if subscriber else None)
    deployed = session.get(LineRichMenu, menu.key)
    if deployed is None:
        log.info("rich menu %r not deployed yet; run `monozukuri line richmenu deploy`", menu.key)
        return queue.Finished("skipped")
    try:
        _apply(api, user_id, None if menu.is_default else deployed.rich_menu_id)
    except ApiException as exc:
        if is_retryable(exc):
            return queue.Retry(error_message(exc))
        return queue.Finished("failed", error_message(exc))
    return queue.Finished()
