"""応募・内定・就職: one click per person from the attendee list, consent, undo, and the counts they feed."""
from __future__ import annotations

from datetime import timedelta

from careers_helpers import attend, form_fields, login_as, page, rows
from sqlalchemy import select

from careers.models import Outcome, OutcomeConsent
from core.db import utcnow
from events import waitlist
from kpi import metrics as m
from kpi import rollup
from kpi.metrics import jst_day
from kpi.models import DailyMetric
from staff.models import AuditLog


def panel_of(html: str, registration_id: int) -> str:
    start = html.index(f'data-registration="{registration_id}"')
    return html[start:html.index("</div>", start)]


def click(client, event, registration, kind: str, *, key: str | None = None):
    """Press one of the row's buttons (応募 / 内定 / 就職) as the browser would post it."""
    html = page(client, f"/admin/events/{event.id}")
    fields = form_fields(panel_of(html, registration.id), near="outcome-buttons")
    response = client.post(f"/admin/careers/attendees/{registration.id}/outcome", data={
        **fields, "submission_key": key or fields["submission_key"], "kind": kind,
        "next": f"/admin/events/{event.id}"})
    assert response.status_code == 303
    return response


def consent(client, event, registration, action: str):
    html = page(client, f"/admin/events/{event.id}")
    fields = form_fields(panel_of(html, registration.id))
    return client.post(f"/admin/careers/attendees/{registration.id}/consent", data={
        "csrf_token": fields["csrf_token"], "action": action, "next": f"/admin/events/{event.id}"})


def test_each_confirmed_row_has_one_button_per_outcome_and_shows_consent(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    gone = attend(tour, "gone", "蒲田 花子")
    waitlist.cancel(session, gone)
    session.commit()
    html = page(ward, f"/admin/events/{tour.id}")
    panel = panel_of(html, taro.id)
    assert [f'value="{k}"' in panel for k in ("applied", "offered", "hired")] == [True, True, True]
    assert ">応募</button>" in panel and ">内定</button>" in panel and ">就職</button>" in panel
    assert 'data-consent="no"' in panel and "本人の同意を得た" in panel
    assert f'id="reg-{taro.id}"' in html
    assert f'data-registration="{gone.id}"' not in html  # a cancelled application has no outcome buttons


def test_one_click_records_today_with_the_events_company_anonymously(app, session, ward, tour, company):
    taro = attend(tour, "taro", "大田 太郎")
    response = click(ward, tour, taro, "applied")
    assert response.headers["Location"].endswith(f"/admin/events/{tour.id}#reg-{taro.id}")
    [outcome] = rows(session, Outcome)
    assert (outcome.kind, outcome.occurred_on, outcome.company_id) == ("applied", jst_day(), company.id)
    assert (outcome.consented, outcome.registration_id, outcome.person_label) == (False, None, None)
    assert outcome.channel == "web"
    after = page(ward, f"/admin/events/{tour.id}")
    assert "名前を残さず記録しました" in after and "光和精機" in after
    assert "いま名前を残さず記録した「応募」" in panel_of(after, taro.id)  # the undo of the click
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "careers.outcome_record"))
    assert entry.details["from"] == "attendee_list" and entry.details["consented"] is False


def test_with_consent_the_record_carries_the_name_and_is_listed_in_the_row(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    assert consent(ward, tour, taro, "give").status_code == 303
    [given] = rows(session, OutcomeConsent)
    assert given.registration_id == taro.id and "同意します" in given.wording and given.given_by_id
    form = page(ward, f"/admin/careers/outcomes?registration={taro.id}")
    assert 'name="consented" value="1" checked' in form  # the form for another day knows the consent too
    click(ward, tour, taro, "hired")
    [outcome] = rows(session, Outcome)
    assert (outcome.consented, outcome.registration_id, outcome.person_label) == (True, taro.id, "大田 太郎")
    panel = panel_of(page(ward, f"/admin/events/{tour.id}"), taro.id)
    assert 'data-consent="yes"' in panel and 'data-outcome="hired"' in panel and "同意を取り消す" in panel
    # The same outcome twice for one named person is a mistake: refused with a way out.
    click(ward, tour, taro, "hired")
    assert len(rows(session, Outcome)) == 1
    assert "もう記録してあります" in page(ward, f"/admin/events/{tour.id}")


def test_withdrawn_consent_makes_earlier_records_anonymous_but_still_counted(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    consent(ward, tour, taro, "give")
    click(ward, tour, taro, "applied")
    consent(ward, tour, taro, "withdraw")
    [outcome] = rows(session, Outcome)
    assert (outcome.consented, outcome.registration_id, outcome.person_label) == (False, None, None)
    [closed] = rows(session, OutcomeConsent)
    assert closed.withdrawn_at is not None and closed.withdrawn_by_id  # the log stays
    assert 'data-consent="no"' in panel_of(page(ward, f"/admin/events/{tour.id}"), taro.id)
    actions = set(session.scalars(select(AuditLog.action)))
    assert {"careers.consent_give", "careers.consent_withdraw"} <= actions


def test_a_double_click_records_once(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    html = page(ward, f"/admin/events/{tour.id}")
    fields = form_fields(panel_of(html, taro.id), near="outcome-buttons")
    for _ in range(2):
        ward.post(f"/admin/careers/attendees/{taro.id}/outcome",
                  data={**fields, "kind": "offered", "next": f"/admin/events/{tour.id}"})
    assert len(rows(session, Outcome)) == 1


def test_undo_removes_the_record_from_the_counts(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    click(ward, tour, taro, "hired")
    html = page(ward, f"/admin/events/{tour.id}")
    undo = panel_of(html, taro.id)
    [outcome] = rows(session, Outcome)
    fields = form_fields(undo[undo.index("outcome-undo"):])
    response = ward.post(f"/admin/careers/outcomes/{outcome.id}/undo", data={
        "csrf_token": fields["csrf_token"], "registration": str(taro.id), "next": f"/admin/events/{tour.id}"})
    assert response.status_code == 303 and rows(session, Outcome) == []
    assert "記録を取り消しました" in page(ward, f"/admin/events/{tour.id}")
    rollup.rollup_day(session, jst_day(), app.config["SECRET_KEY"])
    session.commit()
    assert session.scalar(select(DailyMetric).where(DailyMetric.metric == m.OUTCOMES)) is None


def test_recorded_outcomes_reach_the_work_stage(app, session, ward, tour, company):
    taro, hana = attend(tour, "taro", "大田 太郎"), attend(tour, "hana", "蒲田 花子")
    consent(ward, tour, taro, "give")
    click(ward, tour, taro, "hired")
    click(ward, tour, hana, "applied")
    rollup.rollup_day(session, jst_day(), app.config["SECRET_KEY"])
    session.commit()
    counted = dict(session.execute(select(DailyMetric.label, DailyMetric.value)
                                   .where(DailyMetric.metric == m.OUTCOMES, DailyMetric.ref_id == company.id)).all())
    assert counted == {"hired": 1, "applied": 1}


def test_only_confirmed_people_get_buttons_and_others_are_refused(app, session, ward, company):
    from careers_helpers import make_tour

    small = make_tour(session, company, title="定員1名の見学会")
    small.capacity = 1
    session.commit()
    first, waiting = attend(small, "first", "大田 太郎"), attend(small, "second", "蒲田 花子")
    assert waiting.status == "waitlisted"
    html = page(ward, f"/admin/events/{small.id}")
    assert f'data-registration="{first.id}"' in html and f'data-registration="{waiting.id}"' not in html
    token = form_fields(html)["csrf_token"]
    ward.post(f"/admin/careers/attendees/{waiting.id}/outcome",
              data={"csrf_token": token, "kind": "applied", "next": f"/admin/events/{small.id}"})
    assert rows(session, Outcome) == []
    assert "参加が確定している方だけ" in page(ward, f"/admin/events/{small.id}")


def test_an_unknown_kind_is_refused_in_japanese(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    click(ward, tour, taro, "promoted")
    assert rows(session, Outcome) == []
    assert "応募・内定・就職のどれか" in page(ward, f"/admin/events/{tour.id}")


def test_next_never_leads_off_the_console(app, session, ward, tour):
    taro = attend(tour, "taro", "大田 太郎")
    fields = form_fields(panel_of(page(ward, f"/admin/events/{tour.id}"), taro.id), near="outcome-buttons")
    for target in ("https://evil.example/admin/", "//evil.example/admin/", "/\\evil.example", "/public-page"):
        response = ward.post(f"/admin/careers/attendees/{taro.id}/outcome",
                             data={**fields, "submission_key": None, "kind": "applied", "next": target})
        location = response.headers["Location"]
        assert "evil" not in location and "/admin/careers/outcomes" in location


def test_staff_without_the_careers_role_cannot_record(app, session, tour):
    taro = attend(tour, "taro", "大田 太郎")
    contractor = app.test_client()
    login_as(contractor, "contractor")
    token = form_fields(page(contractor, "/admin/"))["csrf_token"]  # a token from a page it may open
    response = contractor.post(f"/admin/careers/attendees/{taro.id}/outcome",
                               data={"csrf_token": token, "kind": "hired", "next": "/admin/"})
    assert response.status_code == 403
    response = contractor.post(f"/admin/careers/attendees/{taro.id}/consent",
                               data={"csrf_token": token, "action": "give", "next": "/admin/"})
    assert response.status_code == 403
    assert rows(session, Outcome) == [] and rows(session, OutcomeConsent) == []


def test_the_panel_is_only_for_staff_who_may_record(app, session, tour):
    from careers.admin import attendee_panel

    taro = attend(tour, "taro", "大田 太郎")
    with app.test_request_context(f"/admin/events/{tour.id}"):  # nobody logged in
        assert attendee_panel([taro]) is None


def test_the_outcome_page_can_correct_any_record(app, session, ward, tour, company):
    taro = attend(tour, "taro", "大田 太郎")
    click(ward, tour, taro, "offered")
    listing = page(ward, "/admin/careers/outcomes")
    [outcome] = rows(session, Outcome)
    assert f"/admin/careers/outcomes/{outcome.id}/undo" in listing and "匿名" in listing
    fields = form_fields(listing)
    ward.post(f"/admin/careers/outcomes/{outcome.id}/undo",
              data={"csrf_token": fields["csrf_token"], "next": "/admin/careers/outcomes"})
    # Recorded again with the right day and company through the form.
    yesterday = (jst_day() - timedelta(days=1)).isoformat()
    fields = form_fields(page(ward, f"/admin/careers/outcomes?registration={taro.id}"))
    response = ward.post(f"/admin/careers/outcomes?registration={taro.id}", data={
        "csrf_token": fields["csrf_token"], "kind": "offered", "occurred_on": yesterday, "company_id": str(company.id)})
    assert response.status_code == 302
    [again] = rows(session, Outcome)
    assert again.occurred_on.isoformat() == yesterday and again.consented is False


def test_the_form_refuses_a_future_day_in_japanese(app, session, ward, tour, company):
    fields = form_fields(page(ward, "/admin/careers/outcomes"))
    future = (utcnow() + timedelta(days=3)).date().isoformat()
    response = ward.post("/admin/careers/outcomes", data={
        "csrf_token": fields["csrf_token"], "kind": "hired", "occurred_on": future, "company_id": str(company.id)})
    assert response.status_code == 400 and "未来の日付は記録できません" in response.get_data(as_text=True)
    response = ward.post("/admin/careers/outcomes", data={
        "csrf_token": fields["csrf_token"], "kind": "hired", "occurred_on": "昨日", "company_id": str(company.id)})
    assert response.status_code == 400 and "2026-07-01" in response.get_data(as_text=True)
    assert rows(session, Outcome) == []


def test_an_outcome_dated_today_in_japan_is_accepted_before_9_am(app, session, monkeypatch):
    """0:30 JST on 4 December is still 3 December in UTC: 'today' is Japan's day, not UTC's."""
    from datetime import UTC, date, datetime

    import pytest

    from careers import service

    monkeypatch.setattr(service, "utcnow", lambda: datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
    outcome = service.record_outcome(session, service.OutcomeForm("hired", date(2026, 12, 4), None, False))
    assert outcome.occurred_on == date(2026, 12, 4)
    with pytest.raises(service.CareersError):
        service.record_outcome(session, service.OutcomeForm("hired", date(2026, 12, 5), None, False))
