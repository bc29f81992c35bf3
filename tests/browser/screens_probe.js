// Measures one page in the browser for tests/browser/test_screens.py.
// Called as page.evaluate(source, options); returns [{check, element, detail}].
// options: {phone, projector: null | {main: [css], notMain: [css], mainRatio, floorRatio},
//           inView: [css], sticky: [css], mustShow: [text]}
(options) => {
  const problems = [];
  const add = (check, el, detail) => problems.push({check, element: el ? describe(el) : "(page)", detail});
  const root = document.documentElement;
  const vw = root.clientWidth, vh = window.innerHeight;
  const px = (n) => Math.round(n * 10) / 10 + "px";
  const IGNORE = "script, style, template, noscript, title, option, optgroup, head, head *";

  function describe(el) {
    const part = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
      + [...e.classList].map((c) => "." + c).join("");
    const chain = [];
    for (let e = el; e && e !== document.body && chain.length < 3; e = e.parentElement) {
      chain.unshift(part(e));
      if (e.id) break;
    }
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || el.getAttribute("alt") || "")
      .trim().replace(/\s+/g, " ");
    return chain.join(" > ") + (text ? ` "${text.length > 40 ? text.slice(0, 39) + "…" : text}"` : "");
  }
  function shown(el) {
    if (el.closest(IGNORE)) return false;
    if (!el.checkVisibility({checkVisibilityCSS: true})) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 || r.height > 1;
  }
  function srOnly(el) {
    for (let e = el; e; e = e.parentElement) {
      if (e.classList.contains("sr-only")) return true;
      const r = e.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1 && getComputedStyle(e).overflow !== "visible") return true;
    }
    return false;
  }
  const all = [...document.body.querySelectorAll("*")].filter(shown);
  const ownText = (el) => [...el.childNodes].filter((n) => n.nodeType === 3 && n.data.trim());
  const texts = all.filter((el) => ownText(el).length && !srOnly(el));
  // Outermost culprits: elements crossing a limit whose parent does not cross it.
  function culprits(crosses, skipClipped) {  // fixed boxes follow the window: never a cause
    return all.filter((el) => crosses(el.getBoundingClientRect())
      && !(el.parentElement && el.parentElement !== document.body
           && crosses(el.parentElement.getBoundingClientRect()))
      && !(skipClipped && (clippedByAncestor(el) || getComputedStyle(el).position === "fixed")));
  }
  function clippedByAncestor(el) {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.overflowX !== "visible" || cs.overflowY !== "visible") return true;
    }
    return false;
  }

  // 1. No horizontal scrolling.
  if (root.scrollWidth > vw + 1) {
    add("horizontal-scroll", null, `the page is ${root.scrollWidth}px wide in a ${vw}px window`);
    for (const el of culprits((r) => r.right > vw + 1, true).slice(0, 8)) {
      const r = el.getBoundingClientRect();
      add("horizontal-scroll", el, `reaches ${px(r.left)}..${px(r.right)}, window ${vw}px`);
    }
  }

  // 2. Words broken inside; boxes narrower than one character.
  const canvas = document.createElement("canvas").getContext("2d");
  function measure(el, text) {
    const cs = getComputedStyle(el);
    canvas.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    if (cs.textTransform === "uppercase") text = text.toUpperCase();
    const spacing = parseFloat(cs.letterSpacing) || 0;
    return canvas.measureText(text).width + spacing * text.length;
  }
  function roomFor(el) {  // the width a word could have: the first box that does not shrink to fit
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      const parent = e.parentElement && getComputedStyle(e.parentElement).display;
      const shrinks = /^(inline|table|contents)/.test(cs.display) || /flex|grid/.test(parent || "")
        || cs.position === "absolute" || cs.position === "fixed" || cs.float !== "none";
      if (!shrinks) return e.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    }
    return vw;
  }
  function lines(rects) {
    let count = 0, last = null;
    for (const r of [...rects].filter((r) => r.width > 0.5).sort((a, b) => a.top - b.top)) {
      if (!last || r.top > last.top + last.height / 2) { count++; last = r; }
    }
    return count;
  }
  const WORD = /[^\s\u00AD\u200B\-‐–—/]+[\-‐–—/]?/g;
  for (const el of texts) {
    const display = getComputedStyle(el).display;
    for (const node of ownText(el)) {
      const chars = [...new Set(node.data.replace(/\s/g, ""))];
      const widest = Math.max(...chars.map((c) => measure(el, c)));
      const box = el.getBoundingClientRect();
      if (!display.startsWith("inline") && box.width + 0.5 < widest) {
        add("word-broken", el, `box ${px(box.width)} wide, narrower than one character (${px(widest)})`);
      }
      for (const match of node.data.matchAll(WORD)) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const count = lines(range.getClientRects());
        if (count < 2) continue;
        const need = measure(el, match[0]), room = roomFor(el);
        if (need > room + 1) continue;  // longer than any line it could have: may break
        add("word-broken", el, `"${match[0]}" broken over ${count} lines (needs ${px(need)}, `
          + `box ${px(box.width)}, room ${px(room)})`);
      }
    }
  }

  // 2b. Text cut off by a box that hides its overflow (ellipsis, line clamp, fixed height).
  for (const el of all) {
    const cs = getComputedStyle(el);
    if (!/hidden|clip/.test(cs.overflowX + cs.overflowY) || srOnly(el)) continue;
    if (!(el.innerText || "").trim()) continue;
    if (el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2) {
      add("text-cut", el, `shows ${el.clientWidth}x${el.clientHeight}px of its `
        + `${el.scrollWidth}x${el.scrollHeight}px content`);
    }
  }

  // 3. The projector: main text large and the largest, everything legible, nothing off screen.
  if (options.projector) {
    const p = options.projector;
    const notMain = (el) => p.notMain.length && el.closest(p.notMain.join(","));
    const size = (el) => parseFloat(getComputedStyle(el).fontSize);
    const groups = p.main.map((css) => texts.filter((el) => el.closest(css) && !notMain(el)));
    const main = new Set(groups.flat());
    const rest = texts.filter((el) => !main.has(el) && !el.closest("#conn"));
    const least = p.mainRatio * vh;
    p.main.forEach((css, index) => {
      const group = groups[index];
      if (!group.length) { add("projector-main-text", null, `no visible text matches ${css}`); return; }
      const small = group.filter((el) => size(el) < least - 0.05);
      if (!small.length) return;
      const examples = [...new Set(small.map((el) => el.innerText.trim().slice(0, 24)))].slice(0, 3);
      problems.push({check: "projector-main-text", element: css, detail: `${small.length} of `
        + `${group.length} texts under ${p.mainRatio * 100} % of ${vh}px (${px(least)}), smallest `
        + `${px(Math.min(...small.map(size)))}: "${examples.join('", "')}"`});
    });
    const largest = main.size ? Math.max(...[...main].map(size)) : 0;
    for (const el of rest) {
      if (main.size && size(el) > largest + 0.5) {
        add("projector-main-text", el, `${px(size(el))}: larger than the largest main text (${px(largest)})`);
      }
      if (size(el) < p.floorRatio * vh - 0.05) {
        add("projector-legible", el, `${px(size(el))} < ${p.floorRatio * 100} % of ${vh}px (${px(p.floorRatio * vh)})`);
      }
    }
    if (root.scrollHeight > vh + 1 || root.scrollWidth > vw + 1) {
      add("projector-fits", null, `the page is ${root.scrollWidth}x${root.scrollHeight}px in a ${vw}x${vh}px window`);
    }
    const off = (r) => r.bottom > vh + 1 || r.right > vw + 1 || r.top < -1 || r.left < -1;
    for (const el of culprits(off, false).slice(0, 10)) {
      const r = el.getBoundingClientRect();
      add("projector-fits", el, `spans x ${px(r.left)}..${px(r.right)}, y ${px(r.top)}..${px(r.bottom)}`);
    }
  }

  // 4. Touch targets: 44 px tall on phones, 24x24 everywhere.
  const targets = new Set(), plainLinks = new Set();
  for (const el of document.body.querySelectorAll("button, input, select, textarea, summary, a[href], [role=button]")) {
    if (el.type === "hidden" || !shown(el) || srOnly(el)) continue;
    if (el.type === "checkbox" || el.type === "radio") {
      const label = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label && shown(label)) { targets.add(label); continue; }
    }
    if (el.tagName === "A") {  // a link inside running text is exempt (WCAG 2.5.8 "inline")
      const cs = getComputedStyle(el);
      const painted = cs.backgroundColor !== "rgba(0, 0, 0, 0)" || parseFloat(cs.borderTopWidth) > 0;
      const buttonish = /btn|button/.test(el.className) || painted;
      const alone = cs.display !== "inline"
        || (el.parentElement.innerText || "").trim() === (el.innerText || "").trim();
      if (!buttonish && !alone) continue;
      if (!buttonish) plainLinks.add(el);
    }
    targets.add(el);
  }
  for (const el of targets) {
    const r = el.getBoundingClientRect();
    if (options.phone && !plainLinks.has(el) && r.height < 43.5) {
      add("touch-target", el, `${px(r.height)} tall (phones need 44px)`);
    } else if (r.height < 23.5 || r.width < 23.5) {
      add("touch-target", el, `${px(r.width)} × ${px(r.height)} (needs 24 × 24px)`);
    }
  }

  // Extras from the issue: what must be in view, stay in view, or be shown at all.
  for (const css of options.inView || []) {
    const el = document.querySelector(css);
    if (!el) { add("in-view", null, `nothing matches ${css}`); continue; }
    const r = el.getBoundingClientRect();
    if (r.bottom > vh || r.top < 0) add("in-view", el, `at y ${px(r.top)}..${px(r.bottom)}, below the fold (${vh}px) without scrolling`);
  }
  if ((options.sticky || []).length) {
    window.scrollTo(0, root.scrollHeight);
    for (const css of options.sticky) {
      const el = document.querySelector(css);
      if (!el) { add("in-view", null, `nothing matches ${css}`); continue; }
      const r = el.getBoundingClientRect();
      if (r.bottom > vh || r.top < 0) add("in-view", el, `scrolls out of view (y ${px(r.top)} after scrolling to the end)`);
    }
    window.scrollTo(0, 0);
  }
  const visible = document.body.innerText;
  for (const text of options.mustShow || []) {
    if (!visible.includes(text)) add("content", null, `"${text}" is not on the page`);
  }
  return problems;
}
