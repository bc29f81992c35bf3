"""Minutes as a PDF on A4 (fpdf2, pure Python; DejaVu Sans ships with the package).

Pure Python (no Flask). DejaVu Sans (licence: ``fonts/DejaVu-LICENSE.txt``)
covers umlauts, ß, Turkish and Arabic letters. Right-to-left text (Arabic,
Hebrew) is put in visual order (:func:`visual`), but its letters are not
joined (that would need HarfBuzz, which is not a dependency).
Words are never broken inside: fpdf2 wraps table cells and paragraphs at
spaces, and column widths follow the longest word of each column.
"""

from __future__ import annotations

import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from facilitator.minutes_blocks import Block, html_blocks

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
BODY_SIZE = 10
TABLE_SIZE = 8
HEADING_SIZES = {1: 17, 2: 13, 3: 11, 4: 10, 5: 10, 6: 10}
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
_RTL_RUN = re.compile(f"[{_RTL}](?:[{_RTL} ]*[{_RTL}])?")


def visual(text: str) -> str:
    """``text`` with each run of right-to-left letters reversed (PDF text is in visual order)."""
    return _RTL_RUN.sub(lambda match: match.group(0)[::-1], text)


def _pdf(title: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"),
                        ("I", "DejaVuSans.ttf"), ("BI", "DejaVuSans-Bold.ttf")):
        pdf.add_font(FAMILY, style, str(FONTS / name))
    pdf.set_title(title)
    pdf.set_creator("Facilitator")
    pdf.add_page()
    return pdf


def _write_runs(pdf: FPDF, block: Block, size: float, indent: float = 0, prefix: str = "") -> None:
    pdf.set_x(pdf.l_margin + indent)
    if prefix:
        pdf.set_font(FAMILY, "", size)
        pdf.write(size * 0.5, visual(prefix))
    for run in block.runs:
        style = ("B" if run.bold else "") + ("I" if run.italic else "")
        pdf.set_font(FAMILY, style, size)
        pdf.write(size * 0.5, visual(run.text))
    pdf.ln(size * 0.5)


def _column_widths(pdf: FPDF, rows: list[list[str]], width: float, size: float) -> list[float] | None:
    """Widths that give each column at least its longest word (a word longer than a
    third of the page, such as a web address, may break), the rest by text length;
    ``None`` if the words do not fit at ``size``."""
    columns = max(len(row) for row in rows)
    minimum, weight = [4.0] * columns, [1.0] * columns
    for number, row in enumerate(rows):
        pdf.set_font(FAMILY, "B" if number == 0 else "", size)
        for index, cell in enumerate(row):
            words = cell.split() or [""]
            longest = max(pdf.get_string_width(w) for w in words) + 2 * pdf.c_margin + 1.5
            minimum[index] = max(minimum[index], min(longest, width / 3))
            weight[index] = max(weight[index], min(pdf.get_string_width(cell), 60))
    spare = width - sum(minimum)
    if spare < 0:
        return None
    return [m + spare * w / sum(weight) for m, w in zip(minimum, weight, strict=True)]


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    size = TABLE_SIZE
    widths = _column_widths(pdf, rows, width, size)
    while widths is None and size > 5.5:
        size -= 0.5
        widths = _column_widths(pdf, rows, width, size)
    widths = widths or [width / columns] * columns
    pdf.set_font(FAMILY, "", size)
    with pdf.table(col_widths=widths, width=width, text_align="LEFT", line_height=size * 0.5,
                   cell_fill_mode=TableCellFillMode.NONE, wrapmode="WORD",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   first_row_as_headings=True) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(visual(cell))
    pdf.ln(2)


def minutes_pdf(html: str, title: str) -> bytes:
    """The PDF of a minutes HTML fragment (from :func:`facilitator.minutes.markdown_to_html`)."""
    pdf = _pdf(title)
    for block in html_blocks(html):
        if block.kind == "heading":
            pdf.ln(2 if block.level > 1 else 0)
            _write_runs(pdf, block, HEADING_SIZES.get(block.level, BODY_SIZE))
            pdf.ln(1)
        elif block.kind == "paragraph":
            _write_runs(pdf, block, BODY_SIZE)
            pdf.ln(1.5)
        elif block.kind == "item":
            prefix = f"{block.number}. " if block.ordered else "•  "
            _write_runs(pdf, block, BODY_SIZE, indent=4 * block.level, prefix=prefix)
            pdf.ln(0.5)
        elif block.kind == "table" and block.rows:
            _table(pdf, block.rows)
        elif block.kind == "rule":
            y = pdf.get_y() + 1
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_xy(pdf.l_margin, y + 2)
    pdf.set_x(pdf.l_margin)
    return bytes(pdf.output())
