/*
 * Facilitator live pages: connect over Socket.IO, swap in the views the
 * server pushes, and send actions declared in the HTML (see docs/plugins.md).
 *
 * - `view` events carry {session, data, html, now}; the HTML is morphed into
 *   #live so that fields a person is editing are never overwritten.
 * - [data-action] buttons/forms send a method action with a unique action id;
 *   unacknowledged actions are re-sent after a reconnect with the same id, so
 *   the server applies each at most once.
 * - [data-event] buttons/forms/selects send a core event (facilitator controls,
 *   language).
 */
(function () {
  "use strict";
  var body = document.body;
  var config = JSON.parse(body.getAttribute("data-live"));
  var live = document.getElementById("live");
  var messages = document.getElementById("messages");
  var conn = document.getElementById("conn");
  var currentSession = null;
  var clockOffset = 0;
  var pending = {}; // action_id -> {event, data, onDone}
  // Texts come translated from the page (templates/base.html), in the page's language.
  var texts = JSON.parse(document.getElementById("live-texts").textContent);
  function t(key) { return texts[key] || key; }

  // Keep the participant's identity on the phone, beside the cookie.
  var tokenKey = live && live.getAttribute("data-token-key");
  if (tokenKey && live.getAttribute("data-token")) {
    try { localStorage.setItem(tokenKey, live.getAttribute("data-token")); } catch (e) { /* private mode */ }
  }

  function say(text, kind) {
    if (!messages) return;
    var p = document.createElement("p");
    p.className = "message " + (kind || "error");
    p.textContent = text;
    messages.appendChild(p);
    setTimeout(function () { p.remove(); }, kind === "error" ? 8000 : 3000);
  }

  function setConn(state) {
    if (!conn) return;
    conn.setAttribute("data-state", state);
    conn.textContent = state === "connected" ? "" : t(state) || "";
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
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
    if (node.tagName === "DETAILS") return false;
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
    tick();
  }

  socket.on("connect", function () {
    setConn("connected");
    Object.keys(pending).forEach(function (id) { send(pending[id]); });
  });
  socket.on("disconnect", function (reason) {
    // Ended on purpose (removed, left): nothing will reconnect, so don't pretend it will.
    setConn(reason === "io server disconnect" || reason === "io client disconnect" ? "ended" : "reconnecting");
  });
  socket.on("connect_error", function (err) {
    setConn("reconnecting");
    var data = err && err.data;
    if (data && data.code) {
      say(data.message || data.code);
      if (data.code === "removed" || data.code === "unknown_participant") {
        try { if (tokenKey) localStorage.removeItem(tokenKey); } catch (e) { /* ignore */ }
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
    try { if (tokenKey) localStorage.removeItem(tokenKey); } catch (e) { /* ignore */ }
    live.innerHTML = "<p class='alert'>" + t("removed") + "</p>";
    document.querySelectorAll(".participant-footer").forEach(function (el) { el.hidden = true; });
    socket.disconnect();
  });

  function send(item) {
    socket.timeout(10000).emit(item.event, item.data, function (err, reply) {
      if (err) {
        if (item.retry && socket.connected) { send(item); return; }
        if (!item.retry) { say(t("failed")); item.onDone && item.onDone(false); }
        return; // actions stay pending and are re-sent on reconnect
      }
      delete pending[item.data.action_id];
      if (!reply || !reply.ok) {
        say(reply && reply.error ? reply.error.message : t("failed"));
        item.onDone && item.onDone(false, reply);
      } else {
        item.onDone && item.onDone(true, reply);
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

  function dispatch(el) {
    var confirmText = el.getAttribute("data-confirm");
    if (confirmText && !window.confirm(confirmText)) return;
    var data = payloadOf(el);
    var done = function (ok) {
      el.removeAttribute("aria-busy");
      if (ok && el.tagName === "FORM" && !el.hasAttribute("data-keep-open")) el.reset();
      if (ok && el.tagName === "FORM") {
        // What was submitted is now the saved value: let live updates replace it.
        Array.prototype.forEach.call(el.elements, function (f) {
          if ("defaultValue" in f && f.type !== "checkbox" && f.type !== "radio") f.defaultValue = f.value;
        });
      }
    };
    el.setAttribute("aria-busy", "true");
    if (el.hasAttribute("data-action")) {
      var sessionEl = el.closest("[data-session]");
      var item = {
        event: "action",
        retry: true,
        data: {
          session_id: sessionEl ? sessionEl.getAttribute("data-session") : currentSession,
          action: el.getAttribute("data-action"),
          payload: data,
          action_id: newId()
        },
        onDone: done
      };
      pending[item.data.action_id] = item;
      if (socket.connected) send(item);
    } else {
      send({event: el.getAttribute("data-event"), data: data, onDone: done});
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
    if (el.tagName === "SELECT" && el.hasAttribute("data-event")) {
      dispatch(el);
      if (el.name === "language") setTimeout(function () { location.reload(); }, 300);
    }
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
})();
