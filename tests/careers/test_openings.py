"""Positions and internships that ward staff enter from the company's information."""
from __future__ import annotations

from careers_helpers import form_fields, login_as, page, rows
from sqlalchemy import select

from careers.models import Opening
from staff.models import AuditLog


def add(ward, company, **data):
    fields = form_fields(page(ward, f"/admin/careers/companies/{company.id}"))
    return ward.post(f"/admin/careers/companies/{company.id}", data={"csrf_token": fields["csrf_token"], **data})


def test_an_opening_entered_by_staff_appears_on_the_company_page(app, session, company, ward):
    assert "光和精機" in page(ward, "/admin/careers/")
    response = add(ward, company, kind="position", title="旋盤オペレーター見習い", description="未経験可")
    assert response.status_code == 302
    [opening] = rows(session, Opening)
    assert (opening.company_id, opening.kind, opening.active) == (company.id, "position", True)
    public = page(app.test_client(), f"/companies/{company.slug}")
    assert "旋盤オペレーター見習い" in public and "求人（正社員・契約など）" in public
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "careers.opening_save"))
    assert entry.details == {"company": "光和精機", "title": "旋盤オペレーター見習い"}


def test_closing_an_opening_takes_it_off_the_page(app, session, company, ward):
    add(ward, company, kind="internship", title="夏の職場体験")
    [opening] = rows(session, Opening)
    token = form_fields(page(ward, f"/admin/careers/companies/{company.id}"))["csrf_token"]
    assert ward.post(f"/admin/careers/openings/{opening.id}/close", data={"csrf_token": token}).status_code == 302
    assert rows(session, Opening)[0].active is False
    assert "夏の職場体験" not in page(app.test_client(), f"/companies/{company.slug}")
    assert "終了" in page(ward, f"/admin/careers/companies/{company.id}")  # staff still see it


def test_missing_or_bad_fields_are_explained_in_japanese(app, session, company, ward):
    response = add(ward, company, kind="position", title="  ", description="")
    assert response.status_code == 400 and "名前（例：旋盤オペレーター見習い）を入力してください。" in response.get_data(as_text=True)
    response = add(ward, company, kind="lunch", title="昼食会", description="")
    assert response.status_code == 400 and "種類を選んでください。" in response.get_data(as_text=True)
    response = add(ward, company, kind="position", title="長" * 201, description="")
    assert response.status_code == 400 and "200字" in response.get_data(as_text=True)
    assert rows(session, Opening) == []


def test_unknown_companies_and_openings_are_404(app, session, company, ward):
    token = form_fields(page(ward, "/admin/careers/"))["csrf_token"]
    assert ward.get("/admin/careers/companies/9999").status_code == 404
    assert ward.post("/admin/careers/openings/9999/close", data={"csrf_token": token}).status_code == 404


def test_only_ward_staff_manage_openings(app, session, company):
    contractor = app.test_client()
    login_as(contractor, "contractor")
    assert contractor.get(f"/admin/careers/companies/{company.id}").status_code == 403
    assert app.test_client().get("/admin/careers/").status_code == 302  # to the login page
