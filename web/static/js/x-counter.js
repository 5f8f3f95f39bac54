/* X's weighted post length, live in the broadcast composer.
   The same rules as bot/x/counter.py (twitter-text v3): NFC text; each code point weighs 2
   unless in a light range (1); any URL 23; an emoji sequence (ZWJ, flags, keycaps, skin
   tones) 2. Static file: no inline script (CSP). */
(function () {
  "use strict";
  var LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var KNOWN_TLDS = ("com net org edu gov mil int info biz name pro mobi asia jobs tel travel aero coop museum cat " +
    "post xxx app dev page blog shop store online site website tech xyz top club news link live life world today " +
    "tokyo osaka nagoya kyoto yokohama okinawa ryukyu jpn moe").split(" ");
  var PATH_CHAR = "A-Za-z0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~&|@\\u00C0-\\u024F\\u0400-\\u04FF";
  var PATH_END = "A-Za-z0-9=_#/+\\-\\u00C0-\\u024F\\u0400-\\u04FF";
  var QUERY_CHAR = "A-Za-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@";
  var QUERY_END = "A-Za-z0-9\\-_&=#/";
  var TAIL = "(?::\\d{1,5})?(?:/(?:[" + PATH_CHAR + "]*[" + PATH_END + "])?)?(?:\\?[" + QUERY_CHAR + "]*[" + QUERY_END + "])?";
  var HOST_CHAR = "[^\\s!-/:-@\\[-`{-~\\u00A0-\\u00BF\\u2000-\\u206F\\u3000-\\u303F\\uFF01-\\uFF0F\\uFFFE\\uFEFF\\uFFFF]";
  var WITH_PROTOCOL = new RegExp("(?<![A-Za-z0-9@＠$#＃])https?://(" + HOST_CHAR + "+(?:\\." + HOST_CHAR + "+)+)" + TAIL, "giu");
  var WITHOUT_PROTOCOL = new RegExp("(?<![A-Za-z0-9@＠$#＃\\-_./])([A-Za-z0-9](?:[A-Za-z0-9_\\-]*[A-Za-z0-9])?" +
    "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?)+)(?![A-Za-z0-9@])(" + TAIL + ")", "gu");
  var PICTO = "\\u203c\\u2049\\u2122\\u2139\\u2194-\\u2199\\u21a9\\u21aa\\u231a\\u231b\\u2328\\u23cf\\u23e9-\\u23f3" +
    "\\u23f8-\\u23fa\\u24c2\\u25aa\\u25ab\\u25b6\\u25c0\\u25fb-\\u25fe\\u2600-\\u27bf\\u2934\\u2935\\u2b05-\\u2b07" +
    "\\u2b1b\\u2b1c\\u2b50\\u2b55\\u3030\\u303d\\u3297\\u3299\\u{1F000}-\\u{1F1E5}\\u{1F200}-\\u{1F3FA}\\u{1F400}-\\u{1FAFF}";
  var MOD = "\\u{1F3FB}-\\u{1F3FF}";
  var ELEMENT = "(?:[" + PICTO + "]\\ufe0f?[" + MOD + "]?|[\\u00a9\\u00ae]\\ufe0f)";
  var EMOJI = new RegExp("[#*0-9]\\ufe0f?\\u20e3|[\\u{1F1E6}-\\u{1F1FF}]{2}|\\u{1F3F4}[\\u{E0020}-\\u{E007E}]+\\u{E007F}|" +
    ELEMENT + "(?:\\u200d" + ELEMENT + ")*|[" + MOD + "]", "gu");

  function punycodeLength(label) {
    try { return new URL("http://" + label + ".example").hostname.split(".")[0].length; } catch (e) { return 999; }
  }
  function labelOk(label) {
    if (!label || label[0] === "-" || label[label.length - 1] === "-") return false;
    return (/^[\x00-\x7f]*$/.test(label) ? label.length : punycodeLength(label)) <= 63;
  }
  function hostOk(host, withProtocol) {
    var labels = host.split(".");
    if (labels.length < 2 || !labels.every(labelOk)) return false;
    var tld = labels[labels.length - 1].toLowerCase();
    var ascii = /^[\x00-\x7f]*$/.test(tld);
    if (!/^\p{L}+$/u.test(tld)) return false;
    if (withProtocol) return tld.length >= 2 || !ascii;
    return ascii && (tld.length === 2 || KNOWN_TLDS.indexOf(tld) >= 0);
  }
  // Spans in UTF-16 units: [start, end, weight].
  function entities(text) {
    var found = {}, taken = [], m;
    WITH_PROTOCOL.lastIndex = 0;
    while ((m = WITH_PROTOCOL.exec(text))) {
      if (hostOk(m[1], true)) { found[m.index] = [m.index + m[0].length, 2300]; taken.push([m.index, m.index + m[0].length]); }
    }
    WITHOUT_PROTOCOL.lastIndex = 0;
    while ((m = WITHOUT_PROTOCOL.exec(text))) {
      var start = m.index, end = start + m[0].length;
      var inside = taken.some(function (t) { return (t[0] <= start && start < t[1]) || (t[0] < end && end <= t[1]); });
      if (!inside && hostOk(m[1], false) && !/https?:\/\/\S*$/i.test(text.slice(0, start))) found[start] = [end, 2300];
    }
    EMOJI.lastIndex = 0;
    while ((m = EMOJI.exec(text))) {
      if (!(m.index in found)) found[m.index] = [m.index + m[0].length, 200];
    }
    return found;
  }
  function weightedLength(raw) {
    var text = raw.normalize("NFC"), found = entities(text), total = 0, i = 0;
    while (i < text.length) {
      if (found[i]) { total += found[i][1]; i = found[i][0]; continue; }
      var code = text.codePointAt(i);
      total += LIGHT.some(function (r) { return r[0] <= code && code <= r[1]; }) ? 100 : 200;
      i += code > 0xffff ? 2 : 1;
    }
    return Math.floor(total / 100);
  }
  window.xWeightedLength = weightedLength;

  function setUp() {
    var counter = document.querySelector("[data-x-counter]");
    var textarea = document.getElementById("bc-text");
    if (!counter || !textarea) return;
    var output = counter.querySelector("output"), over = counter.querySelector("[data-x-over]");
    var article = document.getElementById("bc-article");
    var shared = document.getElementById("bc-card");  // a video (or other page) attached instead of an article
    var limit = Number(counter.dataset.limit), urlLength = Number(counter.dataset.urlLength);
    function update() {
      var text = textarea.value.trim();
      var linked = (article && article.value) || (shared && shared.value);
      var weight = weightedLength(text) + (linked ? (text ? 1 : 0) + urlLength : 0);
      output.textContent = String(weight);
      over.hidden = weight <= limit;
      counter.dataset.over = weight > limit ? "1" : "0";
    }
    textarea.addEventListener("input", update);
    if (article) article.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
