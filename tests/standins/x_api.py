"""A local stand-in for the X API v2 (POST /2/tweets, POST /2/media/upload), as strict as X.

- bearer auth: a missing or wrong user token answers 401 like X;
- weighted length: more than 280 is refused (an independent, simpler count than
  bot.x.counter: code-point weights from X's config, any http(s) URL 23);
- duplicate content: the same text twice answers 403 with X's "duplicate content" detail;
- rate limits: ``rate_limit_next(reset)`` answers 429 with ``x-rate-limit-reset``;
  ``rate_limit_post(n)`` does so for the n-th post from now (e.g. part 2 of a thread);
- ``refuse_token()`` answers 403 to everything (a token without the scope / revoked app);
- post lookup (GET /2/tweets?ids=…&tweet.fields=public_metrics): 1–100 numeric ids,
  only known fields, ``public_metrics`` (with ``impression_count``, set by
  ``set_impressions``) only when asked for; unknown ids come back in ``errors`` as X
  does; ``refuse_reads()`` answers 403 to lookups only (a token without ``tweet.read``,
  or an API plan without reads).
"""
from __future__ import annotations

import itertools
import re
import time
import unicodedata

from werkzeug.wrappers import Request

from standins.http_standin import RecordedCall, Reply, StandinServer

LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
URL = re.compile(r"https?://[A-Za-z0-9.\-:]+(?:/[\x21-\x7e]*)?")
DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
             "title": "Forbidden", "status": 403}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
# tweet.fields X accepts on post lookup (X API v2 data dictionary).
TWEET_FIELDS = frozenset("""article attachments author_id card_uri community_id context_annotations conversation_id
created_at display_text_range edit_controls edit_history_tweet_ids entities geo id in_reply_to_user_id lang
media_metadata non_public_metrics note_tweet organic_metrics possibly_sensitive promoted_metrics public_metrics
referenced_tweets reply_settings scopes source text withheld""".split())
POST_ID = re.compile(r"^[0-9]{1,19}$")
READS_REFUSED = {"title": "Client Forbidden", "type": "https://api.twitter.com/2/problems/client-forbidden",
                 "reason": "client-not-enrolled", "status": 403,
                 "detail": "This request must be made using an approved developer account that is enrolled in the "
                           "requested endpoint."}


def simple_weight(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    weight, rest = 0, URL.sub("", text)
    weight += 23 * len(URL.findall(text))
    for char in rest:
        weight += 1 if any(lo <= ord(char) <= hi for lo, hi in LIGHT) else 2
    return weight


class XApiStandin(StandinServer):
    def __init__(self, token: str = "x-user-token") -> None:
        super().__init__()
        self.token = token
        self.posts: dict[str, dict] = {}
        self.media: dict[str, bytes] = {}
        self._ids = itertools.count(1_900_000_000_000_000_001)
        self._rate_limit_resets: list[int] = []
        self._post_limits: dict[int, int] = {}  # n-th post from now → reset epoch
        self._posts_seen = 0
        self._refusing = False
        self._refusing_reads = False
        self.impressions: dict[str, int] = {}

    def rate_limit_next(self, reset_epoch: int | None = None) -> None:
        self._rate_limit_resets.append(reset_epoch or int(time.time()) + 60)

    def rate_limit_post(self, nth: int, reset_epoch: int | None = None) -> None:
        """The ``nth`` post request from now (1 = the next one) answers 429."""
        with self._lock:
            self._post_limits[self._posts_seen + nth] = reset_epoch or int(time.time()) + 60

    def refuse_token(self, refuse: bool = True) -> None:
        self._refusing = refuse

    def refuse_reads(self, refuse: bool = True) -> None:
        self._refusing_reads = refuse

    def set_impressions(self, post_id: str, count: int) -> None:
        self.impressions[post_id] = count

    def handle(self, request: Request, call: RecordedCall) -> Reply:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Reply(401, UNAUTHORIZED)
        if self._refusing:
            return Reply(403, {"title": "Forbidden", "type": "about:blank", "status": 403,
                               "detail": "You are not permitted to perform this action."})
        if self._rate_limit_resets:
            return self._too_many(self._rate_limit_resets.pop(0))
        if request.method == "POST" and call.path == "/2/media/upload":
            return self._upload(request)
        if request.method == "POST" and call.path == "/2/tweets":
            with self._lock:
                self._posts_seen += 1
                reset = self._post_limits.pop(self._posts_seen, None)
            if reset is not None:
                return self._too_many(reset)
            return self._post(call.json)
        if request.method == "GET" and call.path == "/2/tweets":
            return self._lookup(call.query)
        return Reply(404, {"title": "Not Found", "status": 404})

    @staticmethod
    def _too_many(reset: int) -> Reply:
        return Reply(429, {"title": "Too Many Requests", "status": 429, "detail": "Too Many Requests"},
                     headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"})

    def _lookup(self, query: dict[str, list[str]]) -> Reply:
        if self._refusing_reads:
            return Reply(403, READS_REFUSED)
        unknown = sorted(set(query) - {"ids", "tweet.fields", "expansions", "media.fields", "user.fields",
                                       "place.fields", "poll.fields"})
        if unknown:
            return self._invalid(f"The query parameter [{unknown[0]}] is not one of [ids,tweet.fields,...]")
        ids = ",".join(query.get("ids", [])).split(",") if query.get("ids") else []
        if not ids or len(ids) > 100 or not all(POST_ID.match(i) for i in ids):
            return self._invalid("The `ids` query parameter value must be 1 to 100 comma-separated post ids")
        fields = [f for f in ",".join(query.get("tweet.fields", [])).split(",") if f]
        if any(f not in TWEET_FIELDS for f in fields):
            return self._invalid(f"The `tweet.fields` query parameter value [{fields}] is not valid")
        data, errors = [], []
        for post_id in ids:
            post = self.posts.get(post_id)
            if post is None:
                errors.append({"value": post_id, "detail": f"Could not find tweet with ids: [{post_id}].",
                               "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                               "resource_id": post_id,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
                continue
            item = {"id": post_id, "text": post["text"], "edit_history_tweet_ids": [post_id]}
            if "public_metrics" in fields:
                item["public_metrics"] = {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                                          "bookmark_count": 0, "impression_count": self.impressions.get(post_id, 0)}
            data.append(item)
        return Reply(200, {**({"data": data} if data else {}), **({"errors": errors} if errors else {})})

    def _upload(self, request: Request) -> Reply:
        media = request.files.get("media")
        data = media.read() if media else b""
        if not data or not (data.startswith(b"\xff\xd8") or data.startswith(b"\x89PNG")):
            return Reply(400, {"errors": [{"message": "media must be a JPEG or PNG image"}], "title": "Invalid Request"})
        media_id = str(next(self._ids))
        self.media[media_id] = data
        return Reply(200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "expires_after_secs": 86400}})

    def _invalid(self, message: str) -> Reply:
        return Reply(400, {"errors": [{"message": message}], "title": "Invalid Request",
                           "detail": "One or more parameters to your request was invalid.", "status": 400})

    def _post(self, body) -> Reply:
        if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
            return self._invalid("body must be a JSON object with a text")
        text, media_ids = body.get("text", ""), (body.get("media") or {}).get("media_ids") or []
        if not text and not media_ids:
            return self._invalid("text or media is required")
        if simple_weight(text) > 280:
            return Reply(403, {"detail": "Your Tweet text is too long.", "title": "Forbidden", "status": 403,
                               "type": "about:blank"})
        if any(m not in self.media for m in media_ids):
            return self._invalid("media_ids: unknown media id")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and reply_to not in self.posts:
            return self._invalid("reply.in_reply_to_tweet_id: post not found")
        if any(post["text"] == text for post in self.posts.values()):
            return Reply(403, DUPLICATE)
        post_id = str(next(self._ids))
        self.posts[post_id] = {"text": text, "media_ids": media_ids, "reply_to": reply_to}
        return Reply(201, {"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}})
