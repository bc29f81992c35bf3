/*
 * The projector page only (templates/projector.html, loaded in <head>):
 *
 * - Dark room: the [data-dark-toggle] button switches the class `dark` on
 *   <html>; the choice is kept in localStorage, so a reload (or the next
 *   workshop on this laptop) keeps it. Set before the first paint: no white flash.
 * - Fit: the wall must never scroll. After every update of #live (and on
 *   resize) the custom property --fit on <html> steps down from 1 until
 *   nothing overflows (at most to MIN_FIT); app.css scales the projector's
 *   type with it, and keeps the main texts at least 4 % of the screen height.
 * - Whole words: an element with the class `p-fit-words` whose longest word
 *   is wider than the element gets a smaller font-size of its own (not below
 *   4.05 % of the screen height for [data-main], 60 % otherwise), so that a
 *   long German word is not broken inside (where the browser cannot hyphenate).
 *
 * CSP: no inline script or style; setting a custom property through the
 * CSSOM (style.setProperty) is allowed by `default-src 'self'`.
 */
(function () {
  "use strict";
  var KEY = "facilitator:projector-dark";
  var MIN_FIT = 0.7;
  var STEP = 0.05;
  var root = document.documentElement;

  function storedDark() {
    try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function setDark(on, button) {
    root.classList.toggle("dark", on);
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  setDark(storedDark());

  // Containers that must not overflow: the session frame and every [data-fit] box.
  function overflowing() {
    if (root.scrollHeight > window.innerHeight + 1 || root.scrollWidth > window.innerWidth + 1) return true;
    var boxes = document.querySelectorAll(".projector-session, .projector-join, [data-fit]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) return true;
    }
    return false;
  }
  function fit() {
    var value = 1;
    root.style.setProperty("--fit", "1");
    while (value > MIN_FIT + 0.001 && overflowing()) {
      value = Math.round((value - STEP) * 100) / 100;
      root.style.setProperty("--fit", String(value));
    }
  }

  function fitWords() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".p-fit-words"));
    if (!boxes.length) return;
    boxes.forEach(function (el) { el.style.removeProperty("font-size"); });
    root.classList.add("p-measuring"); // long words overflow instead of breaking
    var ratios = boxes.map(function (el) {
      return el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 ? el.clientWidth / el.scrollWidth : 1;
    });
    var sizes = boxes.map(function (el) { return parseFloat(getComputedStyle(el).fontSize); });
    root.classList.remove("p-measuring");
    boxes.forEach(function (el, i) {
      if (ratios[i] >= 1) return;
      var floor = el.hasAttribute("data-main") ? 0.0405 * window.innerHeight : 0.6 * sizes[i];
      el.style.setProperty("font-size", Math.max(floor, Math.floor(sizes[i] * ratios[i] * 0.98)) + "px");
    });
  }

  function refit() {
    fit();
    fitWords();
  }

  // Clocks tick every second ([data-since], [data-until]): that is no reason to re-fit.
  function onlyClocks(mutations) {
    return mutations.every(function (m) {
      var el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      return el && el.closest && el.closest("[data-since], [data-until]");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-dark-toggle]");
    setDark(storedDark(), button);
    if (button) {
      button.addEventListener("click", function () {
        var on = !root.classList.contains("dark");
        setDark(on, button);
        try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
      });
    }
    var live = document.getElementById("live");
    if (live && window.MutationObserver) {
      new MutationObserver(function (mutations) {
        if (!onlyClocks(mutations)) refit();
      }).observe(live, {childList: true, subtree: true, characterData: true});
    }
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () { pending = null; refit(); });
    });
    // Images (the QR code) and fonts change sizes after the first layout.
    window.addEventListener("load", refit);
    refit();
  });
})();
