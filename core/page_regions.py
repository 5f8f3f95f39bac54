"""A public page as the site chrome plus the page's own regions, each made once.

``base.html`` is the same on every public page except three regions: the page's head
(``page_head``: title, description, canonical, OGP, feeds), ``head_extra`` and ``content``.
The rest — the chrome: assets, header, navigation, footer — depends only on settings,
asset versions, the templates and the script root, so each process renders it once per
such combination (``chrome``) from ``_page_shell.html``, which leaves the regions as marks.

A page is then ``chrome[0] + head + chrome[1] + head_extra + chrome[2] + content + chrome[3]``,
byte for byte what ``render_template`` gives (tests compare both). ``render_regions`` renders
only the regions of a template, with the same context ``render_template`` would build, and
lets the caller replace inner blocks (the live parts of a stored fragment) by slot marks.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from flask import current_app, request
from jinja2 import Template
from markupsafe import Markup

REGIONS = ("page_head", "head_extra", "content")
REGION_MARK = "<!--mz-region-->"
SLOT_MARK = "<!--mz-slot-->"
SHELL = "_page_shell.html"
# Settings the chrome (or a stored fragment) shows; a change renders them anew.
CHROME_CONFIG = (
    "BASE_URL", "LINE_FRIEND_URL", "DISCORD_INVITE_URL", "WARD_X_URL", "X_ACCOUNT_URL", "WARD_YOUTUBE_URL",
    "YOUTUBE_CHANNEL_URL", "WARD_LINE_URL", "WARD_CONTACT_NAME", "WARD_CONTACT_PHONE", "WARD_CONTACT_EMAIL",
    "WARD_CONTACT_HOURS",
)
EXTENSION = "page_regions"
_SETTINGS_KEY = "monozukuri.page_settings"


def slot(name: str) -> str:
    """A named slot mark: where a stored or skeleton page takes a part made per request."""
    return f"{SLOT_MARK}{name}{SLOT_MARK}"


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.chrome: dict[tuple, tuple[str, str, str, str]] = {}
        self.versions: dict[tuple, str] = {}
        self.sources: str | None = None
        self.skeletons: dict[tuple, object] = {}


def _state() -> _State:
    app = current_app._get_current_object()
    state = app.extensions.get(EXTENSION)
    if state is None:
        state = app.extensions.setdefault(EXTENSION, _State())
    return state


def settings_key() -> tuple:
    """What the chrome and stored fragments depend on besides templates: settings and script root
    (read once per request)."""
    environ = request.environ
    key = environ.get(_SETTINGS_KEY)
    if key is None:
        config = current_app.config
        key = environ[_SETTINGS_KEY] = (request.script_root, *(config.get(name) for name in CHROME_CONFIG))
    return key


def _template_sources() -> str:
    """A digest of every template and static file the app serves (read once per process)."""
    app = current_app
    digest = hashlib.blake2b(digest_size=16)
    env = app.jinja_env
    for name in sorted(env.list_templates()):
        source, _filename, _uptodate = env.loader.get_source(env, name)
        digest.update(name.encode() + b"\0" + source.encode() + b"\0")
    static = Path(app.static_folder or "")
    if static.is_dir():
        for path in sorted(p for p in static.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(static)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def version(extra: str = "") -> str:
    """A short digest of everything a stored fragment depends on apart from its own data:
    the templates and static files, the settings, the script root and ``extra`` (code versions)."""
    state = _state()
    key = (settings_key(), extra)
    value = state.versions.get(key)
    if value is None:
        with state.lock:
            if state.sources is None:
                state.sources = _template_sources()
        value = hashlib.blake2b(repr((state.sources, key)).encode(), digest_size=12).hexdigest()
        state.versions[key] = value
    return value


def chrome() -> tuple[str, str, str, str]:
    """The four chrome pieces around the regions, rendered once per process and settings."""
    state = _state()
    key = settings_key()
    pieces = state.chrome.get(key)
    if pieces is None:
        html = _render_shell({"region_mark": Markup(REGION_MARK), "canonical": "/"})
        parts = html.split(REGION_MARK)
        if len(parts) != 4:
            raise RuntimeError(f"{SHELL}: expected 3 region marks, found {len(parts) - 1}")
        pieces = (parts[0], parts[1], parts[2], parts[3])
        state.chrome[key] = pieces
    return pieces


def assemble(head: str, head_extra: str, content: str) -> str:
    first, second, third, last = chrome()
    return "".join((first, head, second, head_extra, third, content, last))


def _context(template: Template, values: dict):
    context = dict(values)
    current_app.update_template_context(context)
    return template.new_context(context)


def _render_shell(values: dict) -> str:
    context = dict(values)
    current_app.update_template_context(context)
    return current_app.jinja_env.get_template(SHELL).render(context)


def render_regions(name: str, values: dict, *, parents: tuple[str, ...] = ("base.html",),
                   overrides: dict[str, str] | None = None, page_vars: dict | None = None) -> tuple[str, str, str]:
    """(page_head, head_extra, content) of template ``name`` (which extends ``parents``, nearest first).

    Rendered as Jinja renders them inside the whole page: the child's blocks first, then
    each parent's, and the names ``base.html`` sets before its regions (``page_title``,
    ``page_description``, ``page_url``). ``overrides`` replaces inner blocks by fixed text
    (slot marks for the parts a stored fragment leaves to each request); ``page_vars`` sets
    ``page_title``/``page_url`` instead (slot marks in a per-process skeleton).
    """
    env = current_app.jinja_env
    template = env.get_template(name)
    context = _context(template, values)
    for parent in parents:
        for block, render in env.get_template(parent).blocks.items():
            context.blocks.setdefault(block, []).append(render)
    for block, text in (overrides or {}).items():
        context.blocks[block] = [lambda _context, _text=text: iter((_text,))]
    # As base.html: {% set page_title = self.title()|trim %} etc.
    page_vars = page_vars or {}
    context.vars["page_title"] = page_vars["page_title"] if "page_title" in page_vars \
        else Markup("".join(context.blocks["title"][0](context))).strip()
    context.vars["page_description"] = Markup("".join(context.blocks["description"][0](context))).strip()
    context.vars["page_url"] = page_vars["page_url"] if "page_url" in page_vars \
        else context.resolve("canonical") or context.resolve("absolute_url")(request.path)
    return tuple("".join(context.blocks[region][0](context)) for region in REGIONS)  # type: ignore[return-value]


def render_block(name: str, block: str, values: dict) -> str:
    """One inner block of template ``name`` (no parents needed), e.g. a live part of a page."""
    template = current_app.jinja_env.get_template(name)
    return "".join(template.blocks[block](_context(template, values)))


def skeleton(key: tuple, make: Callable[[], object]):
    """A per-process value made from templates alone (no content): the chrome of a listing, the
    frame of a card grid. Kept per ``key`` and settings, like the chrome."""
    state = _state()
    full = (settings_key(), key)
    value = state.skeletons.get(full)
    if value is None:
        value = make()
        state.skeletons[full] = value
    return value


class _CardProbe:
    """Stands in for a card while a grid's frame is rendered: records how the grid asks for it."""

    def __init__(self, mark: str):
        self.mark, self.asked = mark, None

    def prerendered_card(self, level: int, eager: bool) -> Markup:
        self.asked = (level, eager)
        return Markup(self.mark)


class Grid:
    """The frame of a card grid: ``join(cards)`` gives what the template gives for those cards."""

    def __init__(self, render: Callable[[list], str]):
        probes = [_CardProbe(slot("card-1")), _CardProbe(slot("card-2"))]
        html = render(probes)
        self.empty = render([])
        before, rest = html.split(probes[0].mark)
        self.between, self.after = rest.split(probes[1].mark)
        self.before = before
        self.first, self.other = probes[0].asked, probes[1].asked

    def join(self, cards: list) -> str:
        if not cards:
            return self.empty
        parts = [self.before, cards[0].prerendered_card(*self.first)]
        for card in cards[1:]:
            parts.append(self.between)
            parts.append(card.prerendered_card(*self.other))
        parts.append(self.after)
        return "".join(parts)
