"""KPIs: what is measured, where it is stored, and how the dashboard reads it.

Raw events (kept ``KPI_RAW_RETENTION_DAYS`` days, default 90):
- ``kpi_page_views``: public HTML page views (kpi.pageviews → kpi.pagebuffer), no cookies;
  a per-day salted visitor hash (kpi.salts) instead of IP/user agent.
- ``kpi_clicks``: tracked bot links ``/r/<token>`` (channels.links, kpi.service.record_click).
- ``kpi_events``: follows/re-follows/blocks (bot core), Discord joins and commands,
  add-friend link opens ``/friend/<key>`` (kpi.inflow) — all through kpi.service.

Other domains are read by kpi.sources (subscribers, broadcast deliveries, event
registrations and attendance, the search query log). kpi.rollup turns all of it
into ``kpi_daily_metrics`` (one number per day and dimension; kpi.metrics lists
them); the dashboard (kpi.dashboard, kpi.report, kpi.charts) reads only those.
LINE's own per-unit statistics are fetched by kpi.insight into
``kpi_line_unit_stats``. The 13-week projection is kpi.projection.
"""
from __future__ import annotations


def init_app(app) -> None:
    from core import signals
    from kpi import assumptions_views, attribution, service, views  # noqa: F401  (assumptions_views: console pages)

    views.init_app(app)  # tracked links, /friend, /admin/kpi, page views
    signals.link_clicked.connect(service.record_click)
    signals.action_recorded.connect(attribution.on_action_recorded)
