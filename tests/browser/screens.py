"""Look at one page at one window size and list what is wrong with it (for test_screens.py).

:class:`Screens` keeps one browser context per window size and audience
(``public``: phones, join page and projector, without the facilitator's
cookie; ``facilitator``: after opening the facilitator link), each with one
tab that every page of that kind reuses. :meth:`Screens.look` opens a page,
waits until its live view is in, saves a screenshot and returns the problems:

* ``horizontal-scroll``, ``word-broken``, ``text-cut``, ``projector-*``,
  ``touch-target``, ``in-view``, ``content``: measured in the page by screens_probe.js;
* ``text-overflow``: a text painted outside its (not clipping) box, as a long
  word sticking out of a narrow button at both sides (:data:`OVERFLOW`);
* ``projector-largest``: a ``Look.largest`` text (speaker, timer) is not larger
  than every other text on the wall (:data:`LARGEST`);
* ``page``: an HTTP error, or the page never showed ``Look.ready``;
* ``csp-header``: the document's ``Content-Security-Policy`` lacks ``default-src 'self'``
  (not asked of a downloaded file, ``Look.served=False``, opened as ``file://``);
* ``csp-violation``: a ``securitypolicyviolation`` event, or a console message
  about the Content Security Policy;
* ``axe``: axe-core (tests/browser/vendor/axe-core) finds a WCAG 2.1 A/AA violation.

axe is injected with ``page.evaluate`` (CDP ``Runtime.evaluate``), which a
page's CSP does not restrict; a ``<script>`` tag (``add_script_tag``) would be
refused under ``default-src 'self'``. Contexts never set ``bypass_csp``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts" / "browser" / "test_screens"
AXE_SOURCE = (HERE / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
PROBE = (HERE / "screens_probe.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
READY_MS = 5_000  # until a page shows its live view
AXE_NODES = 6  # nodes listed per rule and page size; the rest are counted

PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SIZES = {  # name: context options
    "320x640": {"viewport": {"width": 320, "height": 640}, **PHONE},
    "360x740": {"viewport": {"width": 360, "height": 740}, **PHONE},
    "1280x800": {"viewport": {"width": 1280, "height": 800}},
    "1024x768": {"viewport": {"width": 1024, "height": 768}},
    "1920x1080": {"viewport": {"width": 1920, "height": 1080}},
}
#: Paper: the text area of an A4 landscape page (minutes-print.css: 15 mm and 14 mm margins) at
#: 96 dpi, the pages the minutes' nine-column responsibilities table is printed on.
PAPER = {"a4-landscape": {"viewport": {"width": 1009, "height": 688}}}
PHONES = ("320x640", "360x740")
PROJECTORS = ("1280x800", "1024x768", "1920x1080")

CSP_HOOK = """
window.__screensCsp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__screensCsp.push(
  `${e.effectiveDirective} refused ${e.blockedURI || "inline"}`
  + (e.sample ? ` (${e.sample.slice(0, 60)})` : "")
  + (e.sourceFile ? ` at ${e.sourceFile.replace(location.origin, "")}:${e.lineNumber}` : "")));
"""
QUIET = """async () => {  // wait until the DOM has not changed for 200 ms (at most 3 s)
  await document.fonts.ready;
  await Promise.all([...document.images].map((img) => img.complete ? null
    : new Promise((done) => { img.onload = img.onerror = done; })));
  await new Promise((done) => {
    let timer = setTimeout(finish, 200);
    const watch = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(finish, 200); });
    const limit = setTimeout(finish, 3000);
    function finish() { watch.disconnect(); clearTimeout(limit); done(); }
    watch.observe(document.body, {subtree: true, childList: true, attributes: true});
  });
}"""
LARGEST = """(css) => {  // each of css has a text larger than every text outside all of them
  const size = (el) => parseFloat(getComputedStyle(el).fontSize);
  const shown = (el) => el.checkVisibility({checkVisibilityCSS: true})
    && [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
  const texts = [...document.body.querySelectorAll("*")].filter(shown);
  const inside = (el) => css.some((c) => el.closest(c));
  const others = texts.filter((el) => !inside(el) && !el.closest("#conn"));
  const top = others.reduce((best, el) => (size(el) > size(best || el) ? el : best || el), null);
  if (!top) return [];
  const problems = [];
  for (const c of css) {
    const sizes = texts.filter((el) => el.closest(c)).map(size);
    const most = sizes.length ? Math.max(...sizes) : 0;
    if (most <= size(top) + 0.5) problems.push({element: c, detail: `largest text ${most}px, `
      + `not above "${top.innerText.trim().slice(0, 30)}" (${top.tagName.toLowerCase()}.`
      + `${[...top.classList].join(".")}, ${size(top)}px)`});
  }
  return problems;
}"""
OVERFLOW = """() => {  // text painted outside its box (overflow: visible), e.g. a long word in a button
  const found = [];
  const blockOf = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      if (!getComputedStyle(e).display.startsWith("inline")) return e;
    }
    return document.body;
  };
  const hidden = (el) => el.closest("script, style, template, noscript, head, .sr-only, #conn")
    || !el.checkVisibility({checkVisibilityCSS: true});
  for (const el of document.body.querySelectorAll("*")) {
    const nodes = [...el.childNodes].filter((n) => n.nodeType === 3 && n.data.trim());
    if (!nodes.length || hidden(el)) continue;
    const box = blockOf(el), cs = getComputedStyle(box);
    if (cs.overflowX !== "visible") continue;  // clipped or scrolled: screens_probe.js looks at it
    const b = box.getBoundingClientRect();
    if (b.width <= 1) continue;
    for (const node of nodes) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      const out = Math.max(b.left - r.left, r.right - b.right);
      if (r.width > 0 && out > 1.5) {
        const name = box.tagName.toLowerCase() + [...box.classList].map((c) => "." + c).join("");
        found.push({element: `${name} "${node.data.trim().slice(0, 30)}"`,
                    detail: `text spans x ${Math.round(r.left)}..${Math.round(r.right)}px, `
                      + `its box ${Math.round(b.left)}..${Math.round(b.right)}px`});
        break;
      }
    }
  }
  return found.slice(0, 10);
}"""
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""}))}));
}"""


@dataclass(frozen=True)
class Problem:
    check: str
    size: str
    element: str
    detail: str


@dataclass(frozen=True)
class Look:
    """What to measure on a page: see screens_probe.js for the meaning of each option."""

    ready: str  # CSS selector that exists once the page (and its live view) is shown
    main: tuple[str, ...] = ()  # projector pages: the question and the results
    not_main: tuple[str, ...] = ()  # inside main, but not main text (badges)
    in_view: tuple[str, ...] = ()  # phones: visible without scrolling
    sticky: tuple[str, ...] = ()  # phones: still visible after scrolling to the end
    must_show: tuple[str, ...] = ()  # texts that must be on the page
    largest: tuple[str, ...] = ()  # projector: no text elsewhere as large as these
    media: str = "screen"  # "print": as on paper (a downloaded file)
    served: bool = True  # False: a downloaded file (file://), without response headers


class Screens:
    """Browser contexts by (size, audience), created on first use and closed at the end."""

    def __init__(self, browser, base: str, facilitator_url: str) -> None:
        self.browser, self.base, self.facilitator_url = browser, base, facilitator_url
        self.tabs: dict[tuple[str, str], tuple] = {}
        self.console: list[str] = []

    def tab(self, size: str, audience: str):
        if (size, audience) not in self.tabs:
            context = self.browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                               **{**SIZES, **PAPER}[size])
            context.set_default_timeout(10_000)
            context.add_init_script(CSP_HOOK)
            page = context.new_page()
            page.on("console", lambda message: self.console.append(message.text))
            if audience == "facilitator":
                page.goto(self.facilitator_url)
            self.tabs[size, audience] = (context, page)
        return self.tabs[size, audience]

    def close(self) -> None:
        for context, _page in self.tabs.values():
            context.close()

    def look(self, name: str, size: str, audience: str, path: str, look: Look,
             cookie: tuple[str, str] | None = None) -> list[Problem]:
        """Open ``path`` at ``size``; screenshot ``<name>-<size>.png``; the problems found."""
        context, page = self.tab(size, "facilitator" if audience == "facilitator" else "public")
        if audience != "facilitator":  # a fresh phone: no cookie or stored token but this one
            context.clear_cookies()
            if page.url.startswith(self.base):
                page.evaluate("localStorage.clear(); sessionStorage.clear()")
            if cookie:
                context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": self.base}])
        problems: list[Problem] = []

        def add(check: str, element: str, detail: str) -> None:
            problems.append(Problem(check, size, element, detail))

        self.console.clear()
        page.emulate_media(media=look.media)
        response = page.goto(path if "://" in path else self.base + path)
        if response and response.status >= 400:
            add("page", "(response)", f"HTTP {response.status} for {path}")
        policy = (response.headers.get("content-security-policy", "") if response else "")
        if look.served and "default-src 'self'" not in policy:
            add("csp-header", "(response header)",
                f"Content-Security-Policy is {policy!r}, without default-src 'self'")
        try:
            page.wait_for_selector(look.ready, state="attached", timeout=READY_MS)
            if page.locator("#conn").count() and page.locator("body[data-live]").count():
                page.wait_for_selector("#conn[data-state=connected]", state="attached",
                                       timeout=READY_MS)
        except Exception as error:  # noqa: BLE001 - measure what is there, and say so
            add("page", "(page)", f"not ready ({look.ready}): {str(error).splitlines()[0]}")
        page.evaluate(QUIET)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"),
                        full_page=audience != "projector")
        options = {
            "phone": size in PHONES,
            "projector": {"main": list(look.main), "notMain": list(look.not_main),
                          "mainRatio": 0.04, "floorRatio": 0.02} if audience == "projector" else None,
            "inView": list(look.in_view) if size in PHONES else [],
            "sticky": list(look.sticky) if size in PHONES else [],
            "mustShow": list(look.must_show),
        }
        for found in page.evaluate(PROBE, options):
            add(found["check"], found["element"], found["detail"])
        for found in page.evaluate(OVERFLOW):
            add("text-overflow", found["element"], found["detail"])
        for found in page.evaluate(LARGEST, list(look.largest)) if look.largest else ():
            add("projector-largest", found["element"], found["detail"])
        events = page.evaluate("window.__screensCsp || []")
        for event in dict.fromkeys(events):
            add("csp-violation", "(page)", event)
        if not events:
            for text in dict.fromkeys(m for m in self.console if "Content Security Policy" in m):
                add("csp-violation", "(console)", text[:160])
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(AXE_SOURCE)
        for rule in page.evaluate(AXE_RUN, AXE_TAGS):
            for node in rule["nodes"][:AXE_NODES]:
                summary = re.sub(r"^Fix (any|all) of the following:\s*", "", node["summary"])
                add("axe", f"{rule['id']} {node['target']}",
                    f"{rule['help']} [{rule['impact']}]: {' '.join(summary.split())[:220]}")
            if len(rule["nodes"]) > AXE_NODES:
                add("axe", f"{rule['id']} (more)", f"and {len(rule['nodes']) - AXE_NODES} more nodes")
        page.goto("about:blank")  # close the live connection before the next page
        page.emulate_media(media="screen")
        return problems


def report(name: str, problems: list[Problem]) -> str:
    """The problems of one page, grouped by check and element, sizes side by side."""
    grouped: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for problem in dict.fromkeys(problems):  # once each, in the order found
        grouped[problem.check][problem.element].append((problem.size, problem.detail))
    lines = [f"{name}: {len(problems)} problems"]
    for check, elements in grouped.items():
        lines.append(f"  [{check}]")
        for element, found in elements.items():
            details = {detail for _size, detail in found}
            sizes = ", ".join(dict.fromkeys(size for size, _detail in found))
            if len(details) == 1:
                lines.append(f"    {element} @ {sizes}: {found[0][1]}")
            else:
                lines.append(f"    {element}:")
                lines += [f"      @ {size}: {detail}" for size, detail in found]
    return "\n".join(lines)
