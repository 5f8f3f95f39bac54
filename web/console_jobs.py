"""The domains' maintenance jobs behind the console's buttons (run by the worker).

Each runner takes (app, session, progress) and returns one Japanese result line, or raises
``staff.console_jobs.JobError`` with what staff should do. ``progress(done, total)`` shows
how far it is in the console while it runs; runners call it between their own commits.
"""
from __future__ import annotations

from staff.console_jobs import JobError, JobKind, add_job_kind


def _quiet(done: int, total: int | None = None) -> None:
    """Progress reported to nobody (a runner called directly, e.g. from a test)."""


def clear_demo_kpi(app, session, progress=_quiet) -> str:
    from kpi.demo import clear_demo_in_batches

    removed = clear_demo_in_batches(session, progress)
    return f"デモのKPIデータを削除しました（{removed:,}件）。実際のデータだけが残っています。"


def deploy_rich_menus(app, session, progress=_quiet) -> str:
    from bot.line.client import is_configured
    from bot.line.richmenu_deploy import deploy

    if not is_configured(app.config):
        raise JobError("LINEが設定されていないため、リッチメニューを配置できません（システム担当者にご相談ください）")
    report = deploy(session, app.config, progress)
    session.commit()
    return f"LINEのリッチメニューを配置しました（新規 {len(report.created or [])}、再利用 {len(report.reused or [])}）。"


def deploy_liff_forms(app, session, progress=_quiet) -> str:
    from bot.line.client import is_configured
    from bot.line.liff_apps import LiffDeployError, deploy

    if not is_configured(app.config):
        raise JobError("LINEが設定されていないため、フォームを反映できません（システム担当者にご相談ください）")
    progress(0, 1)
    try:
        report = deploy(session, app.config)
    except LiffDeployError as exc:
        raise JobError("サイトの公開アドレスが https ではないため、LINEのフォームを反映できません"
                       "（システム担当者にご相談ください）") from exc
    return (f"LINEのフォーム（受信設定・申し込み）を反映しました（新規 {len(report.created)}、更新 {len(report.updated)}、"
            f"変更なし {len(report.unchanged)}）。リッチメニューから開くには、続けてリッチメニューを配置してください。")


def sync_discord(app, session, progress=_quiet) -> str:
    from bot.discord.runner import sync_commands_once
    from bot.discord.scheduled import sync_events

    if not app.config.get("DISCORD_BOT_TOKEN"):
        raise JobError("Discordが設定されていないため、同期できません（システム担当者にご相談ください）")
    progress(0, 1)
    sync_commands_once(app, None)
    progress(1, 1)  # the commands; then one step per event
    report = sync_events(session, app.config, progress=lambda done, total: progress(1 + done, 1 + total))
    session.commit()
    if report.skipped:
        return f"Discordのコマンドを登録しました。イベント: {report.skipped}"
    return (f"Discordのコマンドを登録し、イベントを同期しました（新規 {len(report.created)}、更新 {len(report.updated)}、"
            f"失敗 {len(report.failed)}）。")


def rebuild_search_index(app, session, progress=_quiet) -> str:
    from core.db import db
    from search.index import get_index
    from search.indexer import rebuild

    count = rebuild(get_index(app).store, db.engine, workers=0, progress=progress)
    return f"検索の索引を作り直しました（{count:,}件の記事・イベント）。"


JOBS = (
    JobKind("kpi_demo_clear", "デモのKPIデータを削除する", "説明用のデモの数値を消して、実際の数値だけにします。", clear_demo_kpi),
    JobKind("line_liff", "LINEのフォームを反映する", "LINEの中で開く受信設定・申し込みフォームを最新にします。",
            deploy_liff_forms),
    JobKind("line_richmenu", "LINEのリッチメニューを配置する", "トーク画面下のメニューを最新の内容にします。", deploy_rich_menus),
    JobKind("discord_sync", "Discordのコマンドとイベントを同期する", "スラッシュコマンドとイベント予定をDiscordに反映します。",
            sync_discord),
    JobKind("search_reindex", "検索の索引を作り直す", "検索結果がおかしいときに、全記事から索引を作り直します。",
            rebuild_search_index),
)


def register(app) -> None:
    for kind in JOBS:
        add_job_kind(app, kind)
