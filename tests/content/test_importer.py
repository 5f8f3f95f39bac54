"""``content import``: idempotent, all-or-nothing, clear errors, clean images, events."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest
from PIL import Image
from sqlalchemy import func, select

from content.demo import DEMO_DIR
from content.frontmatter import ImportError_
from content.importer import import_path
from content.markdown import plain_text
from content.models import CATEGORIES, Article, Company, Tag
from events.models import Event


def _media(app) -> Path:
    return Path(app.instance_path) / "media"


def _run(app, session, root: Path):
    return import_path(session, root, _media(app))


def _counts(session) -> tuple[int, int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Article, Tag, Event, Company))


def _article(folder: Path, name: str, front: str, body: str = "本文です。") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("---\n" + dedent(front).strip() + "\n---\n" + body + "\n", encoding="utf-8")
    return path


GOOD = """
    title: よい記事
    slug: good-article
    category: news
    published_at: 2026-04-01T10:00:00+09:00
    tags: [町工場, ニュース]
"""


def _photo_with_exif(path: Path) -> None:
    image = Image.new("RGB", (1200, 800), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x0132] = "2026:01:01 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (35.0, 33.0, 42.0)  # latitude of a (made-up) home
    gps[3], gps[4] = "E", (139.0, 43.0, 0.0)
    image.save(path, "JPEG", exif=exif.tobytes())


# --- idempotency ---------------------------------------------------------------


def test_reimport_is_idempotent(app, session, tmp_path):
    _article(tmp_path, "a.md", GOOD)
    first = _run(app, session, tmp_path)
    counts = _counts(session)
    second = _run(app, session, tmp_path)
    assert first.created == ["good-article"] and second.created == []
    assert second.updated == ["good-article"]
    assert _counts(session) == counts


def test_reimport_updates_by_slug(app, session, tmp_path):
    path = _article(tmp_path, "a.md", GOOD)
    _run(app, session, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("よい記事", "直した記事"), encoding="utf-8")
    _run(app, session, tmp_path)
    titles = session.scalars(select(Article.title)).all()
    assert titles == ["直した記事"]


def test_demo_content_imports_completely_and_twice(demo_app, session):
    counts = _counts(session)
    articles = session.scalars(select(Article)).all()
    assert len(articles) >= 16
    assert {a.category for a in articles} == set(CATEGORIES)
    features = [a for a in articles if a.category == "feature"]
    long_features = [a for a in features if 1200 <= len(plain_text(a.body_md)) <= 1500]
    assert len(long_features) >= 4, [(a.slug, len(plain_text(a.body_md))) for a in features]
    assert len([a for a in articles if a.category == "series"]) >= 4
    local = [a for a in articles if a.category == "local"]
    assert len(local) >= 3
    kinds = {e.kind for e in session.scalars(select(Event))}
    assert {"workshop", "tour"} <= kinds
    assert all(e.capacity > 0 and e.starts_at > datetime(2026, 1, 1, tzinfo=UTC)
               for e in session.scalars(select(Event)))
    assert all(c.is_demo for c in session.scalars(select(Company)))
    assert all(a.hero_image and a.hero_alt for a in articles if a.hero_image)
    _run(demo_app, session, DEMO_DIR)
    assert _counts(session) == counts


# --- all or nothing and clear errors ---------------------------------------------


def _assert_nothing_written(app, session, before) -> None:
    session.rollback()
    assert _counts(session) == before
    assert not any(_media(app).glob("*"))


def test_one_bad_file_among_good_ones_writes_nothing(app, session, tmp_path):
    _article(tmp_path, "a-good.md", GOOD)
    _article(tmp_path, "b-good.md", GOOD.replace("good-article", "good-two"))
    _article(tmp_path, "c-bad.md", GOOD.replace("good-article", "bad-one").replace("category: news", "category: gossip"))
    before = _counts(session)
    with pytest.raises(ImportError_) as caught:
        _run(app, session, tmp_path)
    assert caught.value.path.name == "c-bad.md" and caught.value.key == "category"
    assert "c-bad.md" in str(caught.value) and "[category]" in str(caught.value)
    assert "gossip" in caught.value.problem
    _assert_nothing_written(app, session, before)


@pytest.mark.parametrize("front,key,words", [
    (GOOD + "    colour: red\n", "colour", "不明なキー"),
    (GOOD.replace("    title: よい記事\n", ""), "title", "必須"),
    (GOOD.replace("    slug: good-article\n", ""), "slug", "必須"),
    (GOOD.replace("2026-04-01T10:00:00+09:00", "2026-04-01"), "published_at", "時刻とタイムゾーン"),
    (GOOD.replace("2026-04-01T10:00:00+09:00", "来週の月曜"), "published_at", "ISO 8601"),
    (GOOD.replace("2026-04-01T10:00:00+09:00", "2026-04-01T10:00:00"), "published_at", "タイムゾーン"),
    (GOOD.replace("good-article", "Bad Slug!"), "slug", "半角英小文字"),
    (GOOD.replace("tags: [町工場, ニュース]", "tags: 町工場"), "tags", "リスト"),
    (GOOD.replace("category: news", "category: series"), "series", "company / people / product"),
    (GOOD + "    image: missing.png\n    image_alt: 代替\n", "image", "見つかりません"),
    (GOOD + "    event:\n      kind: tour\n      starts_at: 2027-01-01T10:00:00+09:00\n", "event", "local"),
    (GOOD.replace("category: news", "category: local") + "    event:\n      kind: party\n"
     "      starts_at: 2027-01-01T10:00:00+09:00\n", "event.kind", "使えません"),
    (GOOD.replace("category: news", "category: local") + "    event:\n      capacity: -3\n"
     "      starts_at: 2027-01-01T10:00:00+09:00\n", "event.capacity", "0以上"),
    (GOOD.replace("category: news", "category: local") + "    event:\n      kind: tour\n", "event.starts_at", "必須"),
    (GOOD.replace("category: news", "category: local") + "    event:\n      starts_at: 2027-01-02T10:00:00+09:00\n"
     "      deadline: 2027-01-05T10:00:00+09:00\n", "event.deadline", "開始より後"),
    (GOOD + "    company: no-such-company\n", "company", "companies.yaml"),
])
def test_bad_front_matter_names_file_key_and_problem(app, session, tmp_path, front, key, words):
    _article(tmp_path, "ok.md", GOOD.replace("good-article", "fine-one"))
    _article(tmp_path, "broken.md", front)
    before = _counts(session)
    with pytest.raises(ImportError_) as caught:
        _run(app, session, tmp_path)
    error = caught.value
    assert error.path.name == "broken.md"
    assert error.key == key
    assert words in error.problem, error.problem
    _assert_nothing_written(app, session, before)


def test_missing_front_matter_and_bad_yaml(app, session, tmp_path):
    (tmp_path / "plain.md").write_text("# ただの Markdown\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="front matter"):
        _run(app, session, tmp_path)
    (tmp_path / "plain.md").write_text("---\ntitle: [unclosed\n---\n本文\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="YAML"):
        _run(app, session, tmp_path)


def test_duplicate_slug_in_one_run(app, session, tmp_path):
    _article(tmp_path, "a.md", GOOD)
    _article(tmp_path, "b.md", GOOD)
    with pytest.raises(ImportError_) as caught:
        _run(app, session, tmp_path)
    assert caught.value.key == "slug" and "重複" in caught.value.problem


def test_corrupt_image_is_a_clear_error_and_nothing_is_imported(app, session, tmp_path):
    _article(tmp_path, "a-good.md", GOOD)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"this is not really a png" * 20)
    _article(tmp_path, "b-photo.md", GOOD.replace("good-article", "with-photo") +
             "    image: broken.png\n    image_alt: 壊れた画像\n")
    before = _counts(session)
    with pytest.raises(ImportError_) as caught:
        _run(app, session, tmp_path)
    assert caught.value.path.name == "b-photo.md" and caught.value.key == "image"
    assert "画像として読み込めません" in caught.value.problem
    _assert_nothing_written(app, session, before)


def test_truncated_image_is_rejected(app, session, tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 200, 90)).save(buffer, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buffer.getvalue()[:2000])
    _article(tmp_path, "a.md", GOOD + "    image: cut.jpg\n    image_alt: 途中で切れた画像\n")
    with pytest.raises(ImportError_) as caught:
        _run(app, session, tmp_path)
    assert caught.value.key == "image"
    _assert_nothing_written(app, session, (0, 0, 0, 0))


def test_image_needs_alt_text(app, session, tmp_path):
    _photo_with_exif(tmp_path / "photo.jpg")
    _article(tmp_path, "a.md", GOOD + "    image: photo.jpg\n")
    with pytest.raises(ImportError_) as caught:
        _run(app, session, tmp_path)
    assert caught.value.key == "image_alt"


# --- images ----------------------------------------------------------------------


def test_renditions_are_webp_and_jpeg_without_exif_or_gps(app, session, tmp_path):
    _photo_with_exif(tmp_path / "photo.jpg")
    assert Image.open(tmp_path / "photo.jpg").getexif().get_ifd(0x8825)  # the source has GPS
    _article(tmp_path, "a.md", GOOD + "    image: photo.jpg\n    image_alt: 工場の写真\n")
    _run(app, session, tmp_path)
    article = session.scalar(select(Article))
    assert article.hero_sizes == [480, 960, 1200]
    for width in article.hero_sizes:
        for ext, fmt in (("webp", "WEBP"), ("jpg", "JPEG")):
            path = _media(app) / f"{article.hero_image}-{width}.{ext}"
            with Image.open(path) as image:
                assert image.format == fmt and image.width == width
                assert not image.getexif(), path
                assert "exif" not in image.info and "xmp" not in image.info, path
            assert b"SecretCamera" not in path.read_bytes()


def test_changed_image_gets_new_file_names(app, session, tmp_path):
    _photo_with_exif(tmp_path / "photo.jpg")
    _article(tmp_path, "a.md", GOOD + "    image: photo.jpg\n    image_alt: 工場の写真\n")
    _run(app, session, tmp_path)
    first = session.scalar(select(Article.hero_image))
    Image.new("RGB", (1000, 700), (0, 90, 200)).save(tmp_path / "photo.jpg", "JPEG")
    _run(app, session, tmp_path)
    second = session.scalar(select(Article.hero_image))
    assert first != second
    assert session.scalar(select(Article.hero_sizes)) == [480, 960, 1000]


# --- events ------------------------------------------------------------------------


EVENT_FRONT = """
    title: 工場見学会
    slug: tour-article
    category: local
    published_at: 2026-04-01T10:00:00+09:00
    event:
      kind: tour
      starts_at: 2027-03-01T14:00:00+09:00
      ends_at: 2027-03-01T16:00:00+09:00
      place: 大田区内の工場
      capacity: 12
      deadline: 2027-02-20T23:59:00+09:00
      audience: 高校生
"""


def test_event_is_created_then_updated_not_duplicated(app, session, tmp_path):
    path = _article(tmp_path, "tour.md", EVENT_FRONT)
    _run(app, session, tmp_path)
    event = session.scalar(select(Event))
    assert (event.kind, event.capacity, event.place, event.audience) == ("tour", 12, "大田区内の工場", "高校生")
    assert event.starts_at == datetime(2027, 3, 1, 5, 0, tzinfo=UTC)
    assert event.article.slug == "tour-article" and event.title == "工場見学会"
    path.write_text(path.read_text(encoding="utf-8").replace("capacity: 12", "capacity: 20"), encoding="utf-8")
    _run(app, session, tmp_path)
    session.expire_all()
    events = session.scalars(select(Event)).all()
    assert len(events) == 1 and events[0].capacity == 20 and events[0].id == event.id


def test_companies_file_is_upserted(app, session, tmp_path):
    (tmp_path / "companies.yaml").write_text(dedent("""\
        - slug: demo-maker
          name: デモ製作所
          field: 精密加工
          open_for_tours: true
          demo: true
    """), encoding="utf-8")
    _article(tmp_path, "a.md", GOOD + "    company: demo-maker\n")
    _run(app, session, tmp_path)
    _run(app, session, tmp_path)
    companies = session.scalars(select(Company)).all()
    assert len(companies) == 1 and companies[0].open_for_tours and companies[0].is_demo
    assert session.scalar(select(Article)).company.name == "デモ製作所"


def test_empty_folder_and_missing_path(app, session, tmp_path):
    with pytest.raises(ImportError_, match=".md"):
        _run(app, session, tmp_path)
    with pytest.raises(ImportError_, match="見つかりません"):
        _run(app, session, tmp_path / "nope")


def test_cli_reports_errors_without_traceback(app, tmp_path, capsys, monkeypatch):
    from web import cli

    _article(tmp_path, "a.md", GOOD.replace("category: news", "category: gossip"))
    monkeypatch.setenv("INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "test")
    assert cli.main(["content", "import", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err and "a.md [category]" in err


def test_removing_the_image_from_front_matter_removes_the_hero(app, session, tmp_path):
    _photo_with_exif(tmp_path / "photo.jpg")
    path = _article(tmp_path, "a.md", GOOD + "    image: photo.jpg\n    image_alt: 工場の写真\n")
    _run(app, session, tmp_path)
    assert session.scalar(select(Article.hero_image))
    _article(tmp_path, "a.md", GOOD)
    _run(app, session, tmp_path)
    session.expire_all()
    article = session.scalar(select(Article))
    assert (article.hero_image, article.hero_sizes, article.hero_alt) == (None, [], "")
    assert path.exists()
