"""The minutes in every format: ``.md``, printable ``.html``, ``.pdf``, ``.docx`` and ``.json``.

:func:`export_minutes` is what the dashboard, the organisers' archive and the
command line call. It needs an application context (not a request).

Versions: ``version=None`` is the latest finalised version, or the draft when
none was finalised yet; ``0`` is always the draft (the minutes as they are
now); ``1``, ``2``, … are the finalised versions, unchanged since finalising.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import quote

from markupsafe import escape

from facilitator.errors import ActionError
from facilitator.i18n import _, force_locale
from facilitator.minutes import (
    ascii_filename,
    filename_stem,
    markdown_parts,
    markdown_to_html,
    render_markdown,
)
from facilitator.minutes_data import minutes_data
from facilitator.minutes_docx import minutes_docx
from facilitator.minutes_pdf import minutes_pdf
from facilitator.minutes_protocol import version as stored_version
from facilitator.minutes_protocol import versions_of
from facilitator.minutes_table import COLUMNS, headings, plain_cells

#: The formats, in the order offered.
FORMATS = ("md", "html", "pdf", "docx", "json")
MIMETYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
PRINT_CSS = Path(__file__).parent / "static" / "css" / "minutes-print.css"
#: Columns whose date never wraps in the printed table.
_DATES = {"due", "review"}


def resolve(core, workshop: dict, version: int | None = None) -> dict:
    """The raw minutes data of ``version`` (see the module docstring)."""
    if version is None:
        versions = versions_of(workshop)
        return versions[-1]["data"] if versions else minutes_data(core, workshop)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ActionError("unknown_version", _("There is no such version of the minutes."))
    if version == 0:
        return minutes_data(core, workshop)
    return stored_version(workshop, version)["data"]


def agreements_table_html(data: dict) -> str:
    """The agreements table as HTML with classes for print (no text is markup)."""
    language = data["workshop"]["language"]
    today = dt.datetime.fromtimestamp(data["written_at"]).date()
    keys = [key for key, _heading in COLUMNS]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings(language))
    rows = []
    for agreement in data["agreements"]:
        cells = plain_cells(agreement, agreement["number"], agreement.get("session", ""), language, today)
        tds = []
        for key, cell in zip(keys, cells, strict=True):
            lines = [str(escape(line)) for line in cell.split("\n")]
            if key in _DATES and lines[0]:  # the date never wraps; "(overdue)" may go below
                date, _sep, rest = lines[0].partition(" ")
                lines[0] = f'<span class="nowrap">{date}</span>' + (f" {rest}" if rest else "")
            classes = [c for c in ("nowrap" if key == "number" else "",
                                   "overdue" if key == "due" and agreement.get("overdue") else "") if c]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            tds.append(f"<td{attr}>{' <br>'.join(lines)}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="agreements"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def html_fragment(data: dict) -> str:
    """The minutes as a sanitised HTML fragment with the print-friendly agreements table."""
    with force_locale(data["workshop"]["language"]):
        before, table, after = markdown_parts(data)
        heading = f"<h2>{escape(_('Agreements and responsibilities'))}</h2>"
        body = agreements_table_html(data) if data["agreements"] else markdown_to_html(table.split("\n", 2)[-1])
        return (markdown_to_html(before) + f'<section class="agreements-section">{heading}{body}</section>'
                + markdown_to_html(after))


def html_document(data: dict) -> str:
    """A standalone printable HTML page (its stylesheet inside, nothing fetched)."""
    w = data["workshop"]
    return (
        f'<!doctype html>\n<html lang="{escape(w["language"])}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(w['title'])}</title>\n<style>\n{PRINT_CSS.read_text(encoding='utf-8')}</style>\n"
        f'</head>\n<body>\n<main class="minutes-doc standalone">\n{html_fragment(data)}\n</main>\n</body>\n</html>\n'
    )


def render(data: dict, fmt: str) -> bytes:
    """The bytes of ``data`` in format ``fmt``."""
    w = data["workshop"]
    if fmt == "md":
        return render_markdown(data).encode("utf-8")
    if fmt == "html":
        return html_document(data).encode("utf-8")
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    with force_locale(w["language"]):
        html = markdown_to_html(render_markdown(data))
    if fmt == "pdf":
        return minutes_pdf(html, w["title"])
    return minutes_docx(html, w["title"], w["language"])


def export_filename(workshop: dict, fmt: str, version: int | None = None) -> str:
    """``2026-03-31-öffentlichkeit.pdf``; a finalised version adds ``-v2``."""
    suffix = f"-v{version}" if version else ""
    return f"{filename_stem(workshop)}{suffix}.{fmt}"


def export_minutes(core, workshop: dict, fmt: str, version: int | None = None) -> tuple[bytes, str, str]:
    """The minutes of ``workshop`` as ``(content, mimetype, file name)``.

    :param fmt: one of :data:`FORMATS`.
    :param version: see the module docstring (``None``: latest finalised, else draft).
    :raises ActionError: ``unknown_format`` or ``unknown_version``.
    """
    if fmt not in FORMATS:
        raise ActionError("unknown_format", _("Minutes cannot be written as “%(format)s”.", format=fmt))
    data = resolve(core, workshop, version)
    return render(data, fmt), MIMETYPES[fmt], export_filename(workshop, fmt, data.get("version"))


def content_disposition(filename: str, inline: bool = False) -> str:
    """A ``Content-Disposition`` value with an ASCII fallback and the UTF-8 name (RFC 5987/6266)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
