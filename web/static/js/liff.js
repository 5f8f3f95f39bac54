/*
 * LIFF pages (受信設定, event registration). The LIFF SDK (window.liff, loaded from
 * LIFF_SDK_URL) gives an ID token; our server verifies it with LINE and answers a
 * ticket plus the friend's data. The page never sends a user id of its own.
 * Outside LINE, without the SDK, or when verification fails, a note / the web form
 * is shown instead.
 */
(function () {
  "use strict";

  var main = document.querySelector("[data-liff-page]");
  if (!main) { return; }
  var page = main.getAttribute("data-liff-page");
  var form = main.querySelector("[data-liff-form]");
  var ticket = null;

  function $(selector) { return main.querySelector(selector); }
  function show(el) { if (el) { el.hidden = false; } }
  function hide(el) { if (el) { el.hidden = true; } }

  function fallback(message) {
    hide($("[data-liff-loading]"));
    hide(form);
    if (message) { $("[data-liff-fallback-text]").textContent = message; }
    show($("[data-liff-fallback]"));
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false }; }).then(function (data) {
        data.status_code = response.status;
        return data;
      });
    });
  }

  function clearErrors() {
    main.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; hide(el); });
    main.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showError(field, message) {
    var slot = $("[data-error-for='" + field + "']") || $("[data-error-for='form']");
    slot.textContent = message || "送信できませんでした。もう一度お試しください。";
    show(slot);
    var input = form.elements[field];
    if (input && input.setAttribute) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  }

  function done(message) {
    hide(form);
    var box = $("[data-liff-done]");
    $("[data-liff-done-text]").textContent = message;
    show(box);
    box.focus();
  }

  // -- 受信設定 -----------------------------------------------------------------------------------------
  function toggleParentOnly() {
    var persona = form.querySelector("input[name=persona]:checked");
    var parentOnly = $("[data-parent-only]");
    if (persona && persona.value === "parent") { show(parentOnly); } else { hide(parentOnly); }
  }

  function fillSettings(settings) {
    form.querySelectorAll("input[name=persona]").forEach(function (el) { el.checked = el.value === settings.persona; });
    form.querySelectorAll("input[name=topics]").forEach(function (el) { el.checked = settings.topics.indexOf(el.value) >= 0; });
    form.querySelectorAll("input[name=quiet_pref]").forEach(function (el) { el.checked = el.value === settings.quiet_pref; });
    form.elements.child_stage.value = settings.child_stage || "";
    toggleParentOnly();
  }

  function settingsBody() {
    var persona = form.querySelector("input[name=persona]:checked");
    var quiet = form.querySelector("input[name=quiet_pref]:checked");
    var topics = [];
    form.querySelectorAll("input[name=topics]:checked").forEach(function (el) { topics.push(el.value); });
    return { ticket: ticket, persona: persona ? persona.value : "", topics: topics,
             child_stage: form.elements.child_stage.value, quiet_pref: quiet ? quiet.value : "" };
  }

  // -- registration -------------------------------------------------------------------------------
  function fillRegistration(data) {
    var prefill = data.prefill || {};
    ["adults", "children", "name", "contact"].forEach(function (name) {
      if (form.elements[name] && prefill[name] !== undefined && prefill[name] !== null) { form.elements[name].value = prefill[name]; }
    });
    if (data.already) { show($("[data-liff-already]")); }
  }

  function registrationBody() {
    var body = { ticket: ticket, submission_key: form.elements.submission_key.value,
                 name: form.elements.name.value, contact: form.elements.contact.value,
                 adults: form.elements.adults.value, consent: form.elements.consent.checked };
    if (form.elements.children) { body.children = form.elements.children.value; }
    return body;
  }

  // -- flow ---------------------------------------------------------------------------------------
  function identified(data) {
    if (!data.ok) { fallback(data.message); return; }
    ticket = data.ticket;
    if (page === "settings") { fillSettings(data.settings); } else { fillRegistration(data); }
    hide($("[data-liff-loading]"));
    show(form);
  }

  function submit(event) {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    clearErrors();
    form.setAttribute("aria-busy", "true");
    var body = page === "settings" ? settingsBody() : registrationBody();
    postJson(main.getAttribute("data-submit-url"), body).then(function (data) {
      form.removeAttribute("aria-busy");
      if (data.ok) { done(data.message); return; }
      if (data.status_code === 403 || data.status_code === 503) { fallback(data.message); return; }
      showError(data.field || "form", data.message);
    }, function () {
      form.removeAttribute("aria-busy");
      showError("form", "通信できませんでした。電波の良いところでもう一度お試しください。");
    });
  }

  function start() {
    var liff = window.liff;
    var nonce = main.getAttribute("data-nonce");
    if (!form) { hide($("[data-liff-loading]")); return; }  // e.g. applications closed
    if (!liff || !nonce || !main.getAttribute("data-liff-id")) { fallback(); return; }
    Promise.resolve(liff.init({ liffId: main.getAttribute("data-liff-id") })).then(function () {
      if (!liff.isInClient()) { fallback(); return null; }
      return Promise.resolve(liff.getIDToken()).then(function (idToken) {
        if (!idToken) { fallback(); return null; }
        return postJson(main.getAttribute("data-identify-url"), { id_token: idToken, nonce: nonce }).then(identified);
      });
    }).catch(function () { fallback(); });
  }

  if (form) {
    form.addEventListener("submit", submit);
    form.addEventListener("change", function () { if (page === "settings") { toggleParentOnly(); } });
  }
  main.querySelectorAll("[data-liff-close]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (window.liff && window.liff.closeWindow) { window.liff.closeWindow(); }
    });
  });
  start();
}());
