"""The console's event form: read what staff typed, check every field, say what is wrong in Japanese."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.timefmt import JST
from events.models import EVENT_KINDS, EVENT_STATUSES, SELECTIONS, Event
from events.party import MAX_PARTICIPANTS

TEXT_FIELDS = ("title", "place", "map_url", "audience")
NUMBER_FIELDS = ("capacity", "age_min", "age_max", "max_per_application", "min_adults", "min_children")
ALL_FIELDS = ("kind", "selection", "status", "start_date", "start_time", "end_time", "deadline_date",
              "deadline_time", "company_id", *TEXT_FIELDS, *NUMBER_FIELDS, "adults_use_seats", "confirm_by_link")
LIMITS = {"title": 200, "place": 300, "map_url": 500, "audience": 200}
_MAP_URL = re.compile(r"^https://[^\s]+$")


@dataclass
class EventForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def _jst_parts(value: datetime | None) -> tuple[str, str]:
    if value is None:
        return "", ""
    local = value.astimezone(JST)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def form_of(event: Event | None) -> EventForm:
    """The form filled with an event's current values (or the defaults of a new one)."""
    if event is None:
        return EventForm({"kind": "workshop", "selection": "first_come", "status": "open", "capacity": "10",
                          "min_children": "0", "adults_use_seats": "yes"})
    start_date, start_time = _jst_parts(event.starts_at)
    deadline_date, deadline_time = _jst_parts(event.deadline)
    values = {"kind": event.kind, "selection": event.selection, "status": event.status, "start_date": start_date,
              "start_time": start_time, "end_time": _jst_parts(event.ends_at)[1], "deadline_date": deadline_date,
              "deadline_time": deadline_time, "company_id": str(event.company_id or "")}
    values.update({name: getattr(event, name) or "" for name in TEXT_FIELDS})
    values.update({name: "" if getattr(event, name) is None else str(getattr(event, name)) for name in NUMBER_FIELDS})
    values["adults_use_seats"] = "yes" if event.adults_use_seats else ""
    values["confirm_by_link"] = "yes" if event.confirm_by_link else ""
    return EventForm(values)


def _number(form: EventForm, name: str, low: int, high: int, required: bool = False) -> int | None:
    raw = unicodedata.normalize("NFKC", form.values.get(name, "")).strip().removesuffix("人").removesuffix("名")
    if raw == "":
        if required:
            form.errors[name] = "数字を入力してください。"
        return None
    if not re.fullmatch(r"[0-9]{1,5}", raw) or not low <= int(raw) <= high:
        form.errors[name] = f"{low}〜{high}の数字で入力してください。"
        return None
    return int(raw)


def _when(form: EventForm, date_field: str, time_field: str, required: bool) -> datetime | None:
    raw_date, raw_time = form.values.get(date_field, "").strip(), form.values.get(time_field, "").strip()
    if not raw_date and not required:  # an optional date left empty (its time alone means nothing)
        return None
    try:
        day = date.fromisoformat(raw_date)
        clock = time.fromisoformat(raw_time or "00:00")
    except ValueError:
        form.errors[date_field] = "日付と時刻を正しく入力してください（例：2026-12-20 と 10:00）。"
        return None
    return datetime.combine(day, clock, tzinfo=JST)


def _choice(form: EventForm, name: str, choices: Mapping[str, str]) -> str:
    value = form.values.get(name, "")
    if value not in choices:
        form.errors[name] = "選択肢から選んでください。"
    return value


def _texts(form: EventForm) -> dict[str, str]:
    texts = {}
    for name in TEXT_FIELDS:
        value = " ".join(form.values.get(name, "").split())
        if len(value) > LIMITS[name]:
            form.errors[name] = f"{LIMITS[name]}文字以内で入力してください（いま{len(value)}文字です）。"
        texts[name] = value
    if not texts["title"]:
        form.errors["title"] = "イベント名を入力してください。"
    if texts["map_url"] and not _MAP_URL.match(texts["map_url"]):
        form.errors["map_url"] = "地図のリンクは https:// で始まるURLを入力してください。"
    return texts


def _numbers(form: EventForm) -> dict[str, int | None]:
    numbers = {
        "capacity": _number(form, "capacity", 1, 10000, required=True),
        "age_min": _number(form, "age_min", 0, 18), "age_max": _number(form, "age_max", 0, 18),
        "max_per_application": _number(form, "max_per_application", 1, 40),
        "min_adults": _number(form, "min_adults", 0, 10), "min_children": _number(form, "min_children", 0, 10) or 0,
    }
    if numbers["age_min"] is not None and numbers["age_max"] is not None and numbers["age_min"] > numbers["age_max"]:
        form.errors["age_max"] = "対象年齢の上限は、下限と同じかそれより上にしてください。"
    most = numbers["max_per_application"] or MAX_PARTICIPANTS
    if (numbers["min_adults"] or 0) + numbers["min_children"] > most:
        form.errors["max_per_application"] = "必要な大人と子どもの人数の合計が、1組の上限を超えています。"
    return numbers


def _times(form: EventForm, numbers: dict) -> dict[str, datetime | None]:
    starts = _when(form, "start_date", "start_time", required=True)
    ends = _when(form, "start_date", "end_time", required=False) if form.values.get("end_time") else None
    deadline = _when(form, "deadline_date", "deadline_time", required=False)
    if starts and ends and ends <= starts:
        form.errors["end_time"] = "終了時刻は開始時刻より後にしてください。"
    if starts and deadline and deadline >= starts:
        form.errors["deadline_date"] = "申し込みの締め切りは開催日時より前にしてください。"
    if form.values.get("selection") == "lottery" and deadline is None and "deadline_date" not in form.errors:
        form.errors["deadline_date"] = "抽選のイベントには、抽選を行う締め切り日時が必要です。"
    return {"starts_at": starts, "ends_at": ends, "deadline": deadline}


def read_event_form(data: Mapping[str, str], company_ids: set[int]) -> tuple[EventForm, dict | None]:
    """The form as typed and, when every field is fine, the event's new values."""
    form = EventForm({name: str(data.get(name, ""))[:600] for name in ALL_FIELDS})
    fields: dict = {"kind": _choice(form, "kind", EVENT_KINDS), "selection": _choice(form, "selection", SELECTIONS),
                    "status": _choice(form, "status", EVENT_STATUSES)}
    fields.update(_texts(form))
    fields.update(_numbers(form))
    fields.update(_times(form, fields))
    company = form.values.get("company_id", "")
    fields["company_id"] = int(company) if company.isdigit() and int(company) in company_ids else None
    if company and fields["company_id"] is None:
        form.errors["company_id"] = "会社は一覧から選んでください。"
    fields["adults_use_seats"] = form.values.get("adults_use_seats") == "yes"
    fields["confirm_by_link"] = form.values.get("confirm_by_link") == "yes"
    return form, (None if form.errors else fields)
