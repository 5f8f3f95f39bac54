"""The signals domains send and receive, so no domain imports another to react to it.

Senders call ``signal.send(sender, **data)``; each domain connects its receivers in its
own ``init_app`` (module-level functions, so connecting twice is a no-op). A receiver
that raises propagates to the sender: publication, for example, is aborted.
"""
from __future__ import annotations

from blinker import Namespace

_domain_signals = Namespace()

article_published = _domain_signals.signal("article-published", doc="""
An article became public (by 公開 or the scheduled-publication job), inside the publishing
transaction. sender: the Article; data: session, staff (None for the worker).
""")

seat_offered = _domain_signals.signal("seat-offered", doc="""
A waitlisted registration was offered a freed seat, after commit.
sender: the Registration; data: session.
""")

seats_opened = _domain_signals.signal("seats-opened", doc="""
A full event has free seats again that nobody on the waitlist took, after commit.
sender: the Event; data: session.
""")

subscriber_erased = _domain_signals.signal("subscriber-erased", doc="""
A chat user asked for データ削除: erase what you keep about them, in the caller's
transaction (a failing receiver rolls everything back). sender: the user id; data:
session, channel.
""")

link_clicked = _domain_signals.signal("link-clicked", doc="""
A person (not a link previewer) followed a tracked link. sender: the TrackedLink.
""")

action_recorded = _domain_signals.signal("action-recorded", doc="""
A person's action (an event registration, a contact request) is about to be committed:
write where they came from onto its touch columns (``core.touch_columns``). sender: the
row; data: session, user_id (a chat user, or None for a web form in the current request).
""")

timeline_requested = _domain_signals.signal("timeline-requested", doc="""
The public timeline (/posts) is drawn: receivers return a list of extra entries (e.g.
imported videos) dated between ``older_than`` and ``newer_than`` (None = open end).
Each entry has ``sent_at`` (aware or naive UTC datetime) and ``timeline_template``.
sender: the app; data: session, older_than, newer_than.
""")

share_card_requested = _domain_signals.signal("share-card-requested", doc="""
The broadcast composer attaches a page of this site that is not an article (e.g. an
imported video) as the message's card. sender: the kind ("video"); data: session, key
(the item's id in that domain). The domain owning the kind returns a dict with
``title``, ``path`` (site path of its page), ``label``, ``summary``, ``image_path``
(site path of a JPEG/PNG, or None) and ``button``; every other receiver returns None.
""")

discord_choices_requested = _domain_signals.signal("discord-choices-requested", doc="""
A console page offers the community Discord server's channels and roles by name
(#名前 / @ロール名) instead of ids. A receiver returns an object with ``channels`` and
``roles`` (choices with ``id``, ``label``, ``group``, ``note``), ``available`` (the lists
were read), ``problem`` (a Japanese sentence for staff, "" when all went well) and
``channel_label(id)`` / ``role_label(id)``. sender: the app; data: session.
""")

worker_starting = _domain_signals.signal("worker-starting", doc="""
A worker process is about to start its jobs. A receiver loads what its jobs would otherwise
load on their first run (the search index's reader, say), so that it is in memory before the
worker sets its start-up objects aside from the garbage collector. A receiver never raises.
sender: the app.
""")
