/*
 * Facilitator's page script: the one script every page may load (no inline
 * scripts or handlers anywhere, so pages can send `default-src 'self'`).
 *
 * On every page:
 * - `data-confirm="Question?"` on a form or button asks before it is sent
 *   (also on plain HTML forms, e.g. "Leave on this phone");
 * - `data-forget-token="<key>"` on a form forgets the participant's token kept
 *   in local storage when the form is sent;
 * - `data-print` buttons print the page; `select[data-autosubmit]` (and the
 *   language switch `form.lang select`) send their form when changed;
 * - `[data-resume-url][data-token-key]` (the join page): a phone that joined
 *   before restores its cookie from the token in local storage and reloads;
 * - text fields with a `maxlength` of 20 or more (or with `data-counter`; not
 *   with `data-counter="off"`) get a live "n characters left" counter, shown
 *   while the field has the focus or holds text.
 *
 * On live pages (`<body data-live="…">`, see docs/protocol.md):
 * - `view` events carry {session, data, html, now}; the HTML is morphed into
 *   #live so that fields a person is editing are never overwritten;
 * - [data-action] buttons/forms send a method action with a unique action id.
 *   Actions wait in a queue (kept in session storage) until acknowledged; taps
 *   made while offline are marked as waiting (class `is-pending`, aria-busy,
 *   "Waiting for connection…") and sent, in order and with their original
 *   action ids, once the connection is back, so the server applies each at
 *   most once (docs/protocol.md §7);
 * - every acknowledged action or event says so in the message area
 *   (`data-done="Text"` on the element, "Saved." by default, `data-done=""`
 *   for none); refusals are shown there as alerts;
 * - [data-event] buttons/forms/selects send a core event (facilitator
 *   controls, language); these are not queued: offline, they are refused at once;
 * - a slim bar at the top (`#conn-bar`, sticky) says when the page is offline
 *   and how many taps wait; `#conn[data-state]` keeps the raw state.
 * - `data-width="<percent>"` sets an element's width (bars), `data-left` and
 *   `data-top` its position, without inline styles.
 */
(function () {
  "use strict";
  // A page that loads this script twice (its own tag and the base's) runs it once.
  if (window.facilitatorPage) return;
  window.facilitatorPage = true;

  var body = document.body;

  // -- texts ------------------------------------------------------------------
  // Translated texts come from the page: #live-texts (templates/base.html, on every
  // page) and, should a page need more of its own, #page-texts.
  // English stand-ins, should a page lack a text.
  var texts = {};
  var ENGLISH = {
    connecting: "Connecting…", failed: "Not sent. Please try again.", saved: "Saved.",
    removed: "The facilitator has removed you from this workshop.",
    waiting: "Waiting for connection…",
    waiting_explained: "You are offline. Your tap waits and is sent when the connection is back.",
    already_waiting: "This tap is already waiting for the connection.",
    already_sending: "This is already being sent.",
    offline_not_sent: "You are offline: not sent. Please try again when the connection is back.",
    bar_offline: "Offline: reconnecting…", bar_back: "Connected again.",
    bar_ended: "Disconnected. Reload the page to connect again.",
    bar_waiting_one: "%(num)s tap waiting", bar_waiting_other: "%(num)s taps waiting",
    chars_left_one: "%(num)s character left", chars_left_other: "%(num)s characters left"
  };
  ["live-texts", "page-texts"].forEach(function (id) {
    var el = document.getElementById(id);
    if (!el) return;
    try {
      var more = JSON.parse(el.textContent);
      Object.keys(more).forEach(function (key) { if (!(key in texts)) texts[key] = more[key]; });
    } catch (e) { /* a broken block: the English stand-ins */ }
  });
  Object.keys(ENGLISH).forEach(function (key) { if (!(key in texts)) texts[key] = ENGLISH[key]; });
  function t(key, vars) {
    var text = texts[key] || key;
    if (vars) {
      text = text.replace(/%\((\w+)\)[sd]/g, function (all, name) {
        return name in vars ? String(vars[name]) : all;
      });
    }
    return text;
  }
  // German and English have the same plural rule: one, and everything else.
  function tn(key, num) { return t(key + (num === 1 ? "_one" : "_other"), {num: num}); }

  // -- the message area ---------------------------------------------------------
  var messages = document.getElementById("messages");
  // Errors stack up (at most three); news of progress ("saved", "waiting") replaces
  // the news before it, so that quick taps do not bury the page under messages.
  function say(text, kind) {
    kind = kind || "error";
    if (!messages || !text) return;
    var p = null;
    Array.prototype.slice.call(messages.children).forEach(function (old) {
      var oldKind = old.getAttribute("data-kind");
      if (old.textContent === text && oldKind === kind) p = old;
      else if (kind !== "error" && oldKind !== "error") old.remove();
    });
    if (p) {
      clearTimeout(p._timer); // the same news again: one message, shown longer
    } else {
      p = document.createElement("p");
      p.className = "message " + kind;
      p.setAttribute("data-kind", kind);
      if (kind === "error") p.setAttribute("role", "alert");
      p.textContent = text;
      messages.appendChild(p);
      while (messages.children.length > 3) messages.removeChild(messages.firstElementChild);
    }
    p._timer = setTimeout(function () { p.remove(); }, kind === "error" ? 8000 : 3500);
  }
  function unsay(kind) {
    if (!messages) return;
    messages.querySelectorAll("[data-kind='" + kind + "']").forEach(function (p) { p.remove(); });
  }

  // -- on every page: confirm, forget, print, autosubmit, resume, counters --------
  function confirmed(el) {
    var question = el.getAttribute("data-confirm");
    return !question || window.confirm(question);
  }

  function forgetToken(key) {
    try { if (key) localStorage.removeItem(key); } catch (e) { /* private mode */ }
  }

  var counterSeq = 0;
  function wantsCounter(field) {
    var setting = field.getAttribute("data-counter");
    if (setting === "off" || field.type === "hidden" || field.readOnly) return false;
    if (field.tagName === "INPUT" && !/^(text|search|)$/.test(field.getAttribute("type") || "")) return false;
    return setting !== null || field.maxLength >= 20;
  }
  function updateCounter(field, announce) {
    var counter = field._counter;
    if (!counter) return;
    var left = Math.max(0, field.maxLength - field.value.length);
    var text = tn("chars_left", left);
    counter.visible.textContent = text;
    counter.visible.classList.toggle("is-low", left <= Math.max(5, field.maxLength / 10));
    counter.visible.classList.toggle("is-full", left === 0);
    // Shown while the field is in use or holds text: an untouched form stays short.
    counter.visible.classList.toggle("is-idle", field.value === "" && document.activeElement !== field);
    // Screen readers hear the count when typing pauses, not on every key.
    clearTimeout(counter.timer);
    if (announce) counter.timer = setTimeout(function () { counter.spoken.textContent = text; }, 1000);
  }
  function addCounters(root) {
    root.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (field) {
      if (!wantsCounter(field) || field.maxLength <= 0) return;
      var visible = field._counter && field._counter.visible;
      if (!visible || !document.contains(visible)) {
        if (!field.id) field.id = "field-" + (++counterSeq);
        visible = document.createElement("span");
        visible.className = "char-counter";
        visible.id = field.id + "-counter";
        var spoken = document.createElement("span");
        spoken.className = "sr-only";
        spoken.setAttribute("aria-live", "polite");
        field.insertAdjacentElement("afterend", visible);
        visible.insertAdjacentElement("afterend", spoken);
        field._counter = {visible: visible, spoken: spoken, timer: null};
      }
      var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (described.indexOf(visible.id) < 0) {
        described.push(visible.id);
        field.setAttribute("aria-describedby", described.join(" "));
      }
      updateCounter(field, false);
    });
  }
  document.addEventListener("input", function (ev) {
    if (ev.target._counter) updateCounter(ev.target, true);
  });
  ["focusin", "focusout"].forEach(function (name) {
    document.addEventListener(name, function (ev) {
      if (ev.target._counter) setTimeout(function () { updateCounter(ev.target, false); }, 0);
    });
  });
  document.addEventListener("reset", function (ev) {
    // After a reset the fields hold their default values; count those.
    setTimeout(function () {
      Array.prototype.forEach.call(ev.target.elements || [], function (f) { updateCounter(f, false); });
    }, 0);
  });

  function placeByData(root) {
    // Bars and positions from data attributes: setting them through the CSSOM
    // is allowed by `style-src 'self'`, style attributes in the HTML are not.
    root.querySelectorAll("[data-width], [data-left], [data-top]").forEach(function (el) {
      [["width", "data-width"], ["left", "data-left"], ["top", "data-top"]].forEach(function (pair) {
        var value = el.getAttribute(pair[1]);
        if (value !== null && value !== "" && isFinite(Number(value))) el.style[pair[0]] = Number(value) + "%";
      });
    });
  }

  function resume() {
    var el = document.querySelector("[data-resume-url][data-token-key]");
    if (!el || !window.fetch) return;
    var key = el.getAttribute("data-token-key");
    var token = null;
    try { token = localStorage.getItem(key); } catch (e) { /* private mode */ }
    if (!token) return;
    // A phone that joined before keeps its token: restore the cookie and reload.
    fetch(el.getAttribute("data-resume-url"), {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({token: token})
    }).then(function (r) {
      if (r.ok) location.reload(); else forgetToken(key);
    }, function () { /* offline: the form stays */ });
  }

  document.addEventListener("click", function (ev) {
    var printer = ev.target.closest("[data-print]");
    if (printer) { ev.preventDefault(); window.print(); }
  });
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.tagName === "SELECT" && el.form && (el.hasAttribute("data-autosubmit") || el.form.classList.contains("lang"))
        && !el.hasAttribute("data-event")) {
      el.form.submit();
    }
  });
  // Plain forms (no data-action/data-event): ask first, forget the token if told to.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.hasAttribute("data-action") || form.hasAttribute("data-event")) return;
    if (!confirmed(form)) { ev.preventDefault(); return; }
    if (form.hasAttribute("data-forget-token")) forgetToken(form.getAttribute("data-forget-token"));
  });
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-confirm], a[data-confirm]");
    if (!button || button.hasAttribute("data-action") || button.hasAttribute("data-event")) return;
    if (!confirmed(button)) ev.preventDefault();
  });

  addCounters(document);
  placeByData(document);
  resume();

  // -- live pages -----------------------------------------------------------------
  var rawConfig = body.getAttribute("data-live");
  if (!rawConfig || !window.io) return;
  var config = JSON.parse(rawConfig);
  var live = document.getElementById("live");
  var conn = document.getElementById("conn");
  var currentSession = null;
  var clockOffset = 0;
  var state = "connecting";
  var wasOffline = false;
  var queue = []; // actions waiting for their ack, oldest first (see "the queue of actions")
  var explained = false; // whether this offline spell's first waiting tap was explained

  // Keep the participant's identity on the phone, beside the cookie.
  var tokenKey = live && live.getAttribute("data-token-key");
  if (tokenKey && live.getAttribute("data-token")) {
    try { localStorage.setItem(tokenKey, live.getAttribute("data-token")); } catch (e) { /* private mode */ }
  }

  // The bar at the top: in the page's flow (it pushes the page down instead of
  // covering it) and sticky (it stays in view while scrolling).
  var bar = document.createElement("div");
  bar.id = "conn-bar";
  bar.className = "conn-bar";
  bar.setAttribute("role", "status");
  var skip = body.querySelector(".sr-only[href='#main']");
  if (skip) skip.insertAdjacentElement("afterend", bar); else body.insertBefore(bar, body.firstChild);
  // What a waiting button or form is described by, for screen readers.
  var pendingNote = document.createElement("span");
  pendingNote.id = "pending-note";
  pendingNote.className = "sr-only";
  pendingNote.textContent = t("waiting");
  bar.insertAdjacentElement("afterend", pendingNote); // at the top: never below a full-screen page

  var barTimer = null;
  function showBar() {
    clearTimeout(barTimer);
    var waiting = queue.filter(function (item) { return !item.finished; }).length;
    var text = "";
    if (state === "reconnecting" || (state === "connecting" && wasOffline)) {
      text = t("bar_offline") + (waiting ? " · " + tn("bar_waiting", waiting) : "");
    } else if (state === "ended") {
      text = t("bar_ended");
    } else if (state === "connecting") {
      // Only a slow first connection is worth a word.
      barTimer = setTimeout(function () { if (state === "connecting") setBarText(t("connecting")); }, 1500);
    } else if (state === "connected" && wasOffline) {
      text = t("bar_back");
      barTimer = setTimeout(function () { setBarText(""); }, 2500);
    }
    setBarText(text);
  }
  function setBarText(text) {
    if (bar.textContent !== text) bar.textContent = text;
    bar.setAttribute("data-state", text ? state : "hidden");
    document.documentElement.classList.toggle("conn-bar-shown", !!text);
    document.documentElement.classList.toggle("is-offline", state === "reconnecting" || state === "ended");
    // Sticky parts of a page (e.g. the dots left) sit below the bar.
    document.documentElement.style.setProperty("--conn-bar-h", (text ? bar.offsetHeight : 0) + "px");
  }
  window.addEventListener("resize", function () { setBarText(bar.textContent); });

  function setConn(next) {
    if (next !== "connected" && next !== "connecting") wasOffline = true;
    state = next;
    if (next === "connected") explained = false;
    if (conn) {
      conn.setAttribute("data-state", next);
      conn.textContent = ""; // the bar speaks; #conn keeps the state for styles and tests
    }
    showBar();
    if (next === "connected") wasOffline = false;
  }
  setConn("connecting");

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // -- the queue of actions -----------------------------------------------------------
  // Every action stays here, in order, until its ack arrives; it is kept in session
  // storage too, so a tab the phone discarded while offline still sends it later.
  var storeKey = "facilitator:queue:" + (config.workshop || "") + ":" + (config.role || "") + ":" +
    (tokenKey ? (live.getAttribute("data-token") || "").slice(0, 8) : "");
  var QUEUE_MAX_AGE = 60 * 60 * 1000; // ms: older taps are stale, the room has moved on
  var epoch = 0; // counts connections: each connection sends every waiting action once
  var pumping = false;

  function saveQueue() {
    try {
      var waiting = queue.filter(function (item) { return !item.finished; }).map(function (item) {
        return {data: item.data, done: item.doneText, at: item.at};
      });
      if (waiting.length) sessionStorage.setItem(storeKey, JSON.stringify(waiting));
      else sessionStorage.removeItem(storeKey);
    } catch (e) { /* storage full or disabled: the queue still lives in this page */ }
  }
  function loadQueue() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storeKey) || "[]");
      saved.forEach(function (entry) {
        if (!entry || !entry.data || Date.now() - (entry.at || 0) > QUEUE_MAX_AGE) return;
        queue.push(newItem(entry.data, null, entry.done, entry.at));
      });
    } catch (e) { /* nothing kept */ }
    saveQueue();
  }
  function dropQueue() {
    queue.forEach(function (item) { item.finished = true; unmark(item); });
    queue = [];
    saveQueue();
  }

  function newItem(data, el, doneText, at) {
    return {event: "action", data: data, el: el, doneText: doneText, at: at || Date.now(),
            attempt: 0, epoch: -1, finished: false, waited: false};
  }

  function sameAction(a, b) {
    return a.session_id === b.session_id && a.action === b.action &&
      JSON.stringify(a.payload) === JSON.stringify(b.payload);
  }

  function mark(item) {
    var el = item.el;
    if (!el || !document.contains(el)) return;
    el.setAttribute("aria-busy", "true");
    if (!item.waited) return;
    el.classList.add("is-pending");
    var described = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf("pending-note") < 0) {
      described.push("pending-note");
      el.setAttribute("aria-describedby", described.join(" "));
    }
    if (el.tagName === "FORM" && !el.querySelector(".pending-label")) {
      var label = document.createElement("p");
      label.className = "pending-label";
      label.setAttribute("aria-hidden", "true"); // #pending-note says it to screen readers
      label.textContent = t("waiting");
      el.appendChild(label);
    }
  }
  function unmark(item) {
    var el = item.el;
    if (!el) return;
    // Another tap on the same element may still wait.
    if (queue.some(function (other) { return other !== item && !other.finished && other.el === el; })) return;
    el.removeAttribute("aria-busy");
    el.classList.remove("is-pending");
    var described = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== "pending-note";
    });
    if (described.length) el.setAttribute("aria-describedby", described.join(" "));
    else el.removeAttribute("aria-describedby");
    var label = el.querySelector && el.querySelector(".pending-label");
    if (label) label.remove();
  }

  function finish(item, ok, reply) {
    if (item.finished) return;
    item.finished = true;
    queue = queue.filter(function (other) { return other !== item; });
    saveQueue();
    unmark(item);
    if (ok) {
      if (item.doneText) say(item.doneText, "ok");
      item.onDone && item.onDone(true, reply);
    } else {
      say(reply && reply.error ? reply.error.message : t("failed"), "error");
      item.onDone && item.onDone(false, reply);
    }
    showBar();
  }

  function sendAction(item, next) {
    item.attempt += 1;
    item.epoch = epoch;
    var attempt = item.attempt;
    // A connection can die unnoticed for a while (a phone leaving the Wi-Fi): an ack
    // that is late marks the tap as waiting, so that the person sees it is not saved yet.
    setTimeout(function () {
      if (!item.finished && attempt === item.attempt && !item.waited) { item.waited = true; mark(item); }
    }, 1500);
    socket.timeout(10000).emit("action", item.data, function (err, reply) {
      if (item.finished) return;
      if (err) {
        // No answer (timeout, or the connection dropped): the action waits.
        if (attempt !== item.attempt) return; // a newer attempt is under way
        if (socket.connected) sendAction(item, next); // same action id: safe to repeat
        return; // else it is sent again on reconnect
      }
      finish(item, !!(reply && reply.ok), reply);
      if (next && attempt === item.attempt) next();
    });
  }

  // After a (re)connect: send what waits, one after the other, oldest first, so that
  // e.g. "add an idea" and then "vote on it" arrive in that order.
  function pump() {
    if (pumping) return;
    var item = queue.filter(function (i) { return !i.finished && i.epoch !== epoch; })[0];
    if (!item || !socket.connected) return;
    pumping = true;
    var thisEpoch = epoch;
    sendAction(item, function () {
      pumping = false;
      if (thisEpoch === epoch) pump();
    });
  }

  var socket = io({auth: config.auth, transports: ["websocket", "polling"]});

  function edited(node) {
    if (!(node instanceof HTMLElement)) return false;
    if (node === document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName)) return true;
    if (node.tagName === "TEXTAREA" || (node.tagName === "INPUT" && !/^(checkbox|radio|hidden|submit|button)$/.test(node.type))) {
      return node.value !== node.defaultValue;
    }
    if (node.tagName === "INPUT") return node.checked !== node.defaultChecked;
    if (node.tagName === "SELECT") {
      for (var i = 0; i < node.options.length; i++) {
        if (node.options[i].selected !== node.options[i].defaultSelected) return true;
      }
    }
    return false;
  }

  function render(html) {
    // A <details> with an id keeps the state the person gave it; a new one (or one
    // without an id) takes the state the server rendered.
    var opened = {};
    live.querySelectorAll("details[id]").forEach(function (d) { opened[d.id] = d.open; });
    if (window.Idiomorph) {
      Idiomorph.morph(live, html, {
        morphStyle: "innerHTML",
        callbacks: { beforeNodeMorphed: function (oldNode) { return !edited(oldNode); } }
      });
    } else {
      live.innerHTML = html;
    }
    Object.keys(opened).forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.tagName === "DETAILS") d.open = opened[id];
    });
    // What the page script added (counters, waiting marks, widths) is not in the
    // server's HTML: put it back.
    addCounters(live);
    placeByData(live);
    queue.forEach(function (item) { if (!item.finished) mark(item); });
    tick();
  }

  socket.on("connect", function () {
    unsay("pending"); // "you are offline" is old news
    epoch += 1;
    pumping = false;
    setConn("connected");
    pump();
  });
  socket.on("disconnect", function (reason) {
    // Ended on purpose (removed, left): nothing will reconnect, so don't pretend it will.
    setConn(reason === "io server disconnect" || reason === "io client disconnect" ? "ended" : "reconnecting");
    queue.forEach(function (item) { if (!item.finished) { item.waited = true; mark(item); } });
    showBar();
  });
  socket.on("connect_error", function (err) {
    setConn("reconnecting");
    var data = err && err.data;
    if (data && data.code) {
      say(data.message || data.code);
      if (data.code === "removed" || data.code === "unknown_participant") {
        forgetToken(tokenKey);
        dropQueue();
        socket.disconnect();
      }
    }
  });
  socket.on("view", function (payload) {
    currentSession = payload.session ? payload.session.id : null;
    clockOffset = payload.now ? payload.now - Date.now() / 1000 : 0;
    render(payload.html);
  });
  socket.on("removed", function () {
    forgetToken(tokenKey);
    dropQueue();
    live.textContent = "";
    var p = document.createElement("p");
    p.className = "alert";
    p.textContent = t("removed");
    live.appendChild(p);
    document.querySelectorAll(".participant-footer").forEach(function (el) { el.hidden = true; });
    socket.disconnect();
  });

  // The phone knows before the socket does: drop a connection the network has lost (the
  // standard reconnection takes over), and try again as soon as the network is back.
  window.addEventListener("offline", function () {
    if (socket.connected && socket.io.engine) socket.io.engine.close();
  });
  window.addEventListener("online", function () {
    if (!socket.connected && state !== "ended") socket.connect();
  });

  function sendEvent(name, data, el, doneText, onDone) {
    if (!socket.connected) {
      // Core events carry no action id: repeating one later could apply it twice.
      say(t("offline_not_sent"), "error");
      onDone(false);
      return;
    }
    socket.timeout(10000).emit(name, data, function (err, reply) {
      if (err) { say(t("failed"), "error"); onDone(false); return; }
      if (!reply || !reply.ok) {
        say(reply && reply.error ? reply.error.message : t("failed"), "error");
        onDone(false, reply);
      } else {
        if (doneText) say(doneText, "ok");
        onDone(true, reply);
      }
    });
  }

  function payloadOf(el) {
    if (el.tagName === "FORM") {
      var data = {};
      Array.prototype.forEach.call(el.elements, function (field) {
        if (!field.name || field.disabled) return;
        if (field.type === "checkbox") data[field.name] = field.checked;
        else if (field.type === "radio") { if (field.checked) data[field.name] = field.value; }
        else if (field.type === "number") data[field.name] = field.value === "" ? null : Number(field.value);
        else data[field.name] = field.value;
      });
      return data;
    }
    if (el.tagName === "SELECT") {
      var one = {};
      one[el.name] = el.value;
      return one;
    }
    var raw = el.getAttribute("data-payload");
    return raw ? JSON.parse(raw) : {};
  }

  function doneTextOf(el) {
    var text = el.getAttribute("data-done");
    return text === null ? t("saved") : text;
  }

  function dispatch(el) {
    if (!confirmed(el)) return;
    var data = payloadOf(el);
    var sent = JSON.stringify(data);
    var done = function (ok) {
      el.removeAttribute("aria-busy");
      if (ok && el.tagName === "FORM") {
        // Reset only what was sent: a text typed meanwhile stays.
        if (!el.hasAttribute("data-keep-open") && JSON.stringify(payloadOf(el)) === sent) el.reset();
        // What was submitted is now the saved value: let live updates replace it.
        Array.prototype.forEach.call(el.elements, function (f) {
          if ("defaultValue" in f && f.type !== "checkbox" && f.type !== "radio") f.defaultValue = f.value;
        });
      }
      if (ok && el.tagName === "SELECT" && el.name === "language" && el.hasAttribute("data-event")) {
        location.reload(); // the page's own texts are in the old language
      }
    };
    if (el.hasAttribute("data-action")) {
      var sessionEl = el.closest("[data-session]");
      var action = {
        session_id: sessionEl ? sessionEl.getAttribute("data-session") : currentSession,
        action: el.getAttribute("data-action"),
        payload: data,
        action_id: newId()
      };
      var twin = queue.filter(function (item) { return !item.finished && sameAction(item.data, action); })[0];
      if (twin) {
        // The same tap again before the first was answered: it would change nothing.
        say(socket.connected ? t("already_sending") : t("already_waiting"), "pending");
        return;
      }
      var item = newItem(action, el, doneTextOf(el));
      item.onDone = done;
      item.waited = !socket.connected;
      queue.push(item);
      saveQueue();
      mark(item);
      if (socket.connected) {
        sendAction(item);
      } else {
        // The first tap made offline is explained; the bar counts the others.
        if (!explained) say(t("waiting_explained"), "pending");
        explained = true;
        showBar();
      }
    } else {
      el.setAttribute("aria-busy", "true");
      sendEvent(el.getAttribute("data-event"), data, el, doneTextOf(el), done);
    }
  }

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("button[data-action], button[data-event], a[data-action]");
    if (!el || el.disabled) return;
    ev.preventDefault();
    dispatch(el);
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute("data-action") && !form.hasAttribute("data-event")) return;
    ev.preventDefault();
    dispatch(form);
  });
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.tagName === "SELECT" && el.hasAttribute("data-event")) dispatch(el);
  });

  function fmt(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var now = Date.now() / 1000 + clockOffset;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var base = Number(el.getAttribute("data-elapsed") || 0);
      el.textContent = fmt(base + now - Number(el.getAttribute("data-since")));
    });
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var left = Number(el.getAttribute("data-until")) - now;
      el.textContent = (left < 0 ? "-" : "") + fmt(Math.abs(left));
      el.classList.toggle("overdue", left < 0);
    });
  }
  setInterval(tick, 1000);

  loadQueue();
  showBar();
})();
