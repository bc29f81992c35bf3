"""Minutes as a Word document (.docx, python-docx: pure Python), for offices to edit and file.

Pure Python (no Flask). Built from the same blocks as the PDF
(:mod:`facilitator.minutes_blocks`): headings, paragraphs, bullet and
numbered lists and tables in Word's own styles, all text as plain runs.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt

from facilitator.minutes_blocks import Block, html_blocks

#: What XML 1.0 (and so Word) cannot hold: control characters, U+FFFE/U+FFFF, lone surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """``text`` without the characters XML cannot hold (a NUL typed into a title)."""
    return _NOT_XML.sub("", text)


def _runs(paragraph, block: Block) -> None:
    for run in block.runs:
        parts = run.text.split("\n")
        for index, part in enumerate(parts):
            written = paragraph.add_run(_xml(part))
            written.bold = run.bold or None
            written.italic = run.italic or None
            if run.code:
                written.font.name = "Consolas"
            if index < len(parts) - 1:
                written.add_break()


def _table(document, rows: list[list[str]]) -> None:
    columns = max(len(row) for row in rows)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    for number, cells in enumerate(rows):
        row = table.add_row().cells
        for index, text in enumerate(cells):
            paragraph = row[index].paragraphs[0]
            lines = text.split("\n")
            for line_no, line in enumerate(lines):
                run = paragraph.add_run(_xml(line))
                run.font.size = Pt(8.5)
                run.bold = number == 0 or None
                if line_no < len(lines) - 1:
                    run.add_break()
    document.add_paragraph()


def minutes_docx(html: str, title: str, language: str) -> bytes:
    """The Word document of a minutes HTML fragment."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    document.core_properties.title = _xml(title)
    document.core_properties.language = language
    document.styles["Normal"].font.size = Pt(10.5)
    for block in html_blocks(html):
        if block.kind == "heading":
            _runs(document.add_heading("", level=min(block.level, 9) if block.level > 1 else 0), block)
        elif block.kind == "paragraph":
            _runs(document.add_paragraph(), block)
        elif block.kind == "item":
            style = "List Number" if block.ordered else "List Bullet"
            if block.level > 1:
                style += f" {min(block.level, 3)}"
            _runs(document.add_paragraph(style=style), block)
        elif block.kind == "table" and block.rows:
            _table(document, block.rows)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
