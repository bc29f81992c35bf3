"""Sanitised minutes HTML as simple blocks for the PDF and Word writers.

Pure Python (no Flask). The minutes' HTML (:func:`facilitator.minutes.markdown_to_html`)
is read with the standard library's parser into headings, paragraphs, list
items, tables and rules whose text is plain text in runs (bold, italic,
code). Whatever a participant typed arrives here as text and is written as
text: there is no markup left to interpret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Run:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass
class Block:
    """A heading (``level`` 1-6), paragraph, list item, table or rule."""

    kind: str  # "heading", "paragraph", "item", "table", "rule"
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    ordered: bool = False
    number: int = 0
    rows: list[list[str]] = field(default_factory=list)  # a table: first row is the header

    @property
    def text(self) -> str:
        """The block's plain text."""
        return "".join(run.text for run in self.runs)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.styles = {"bold": 0, "italic": 0, "code": 0}
        self.lists: list[list] = []  # [ordered, counter]
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def _open(self, kind: str, **extra) -> None:
        self._close()
        self.current = Block(kind, **extra)

    def _close(self) -> None:
        if self.current is not None and (self.current.text.strip() or self.current.kind == "rule"):
            self.blocks.append(self.current)
        self.current = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._open("heading", level=int(tag[1]))
        elif tag == "p" and self.cell is None:
            self._open("paragraph")
        elif tag in ("ul", "ol"):
            self._close()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            ordered, counter = self.lists[-1] if self.lists else (False, 0)
            if self.lists:
                self.lists[-1][1] = counter + 1
            self._open("item", ordered=ordered, number=counter + 1, level=len(self.lists))
        elif tag == "table":
            self._close()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag == "br":
            self._text("\n")
        elif tag == "hr":
            self._open("rule")
            self._close()
        elif tag in ("strong", "b"):
            self.styles["bold"] += 1
        elif tag in ("em", "i"):
            self.styles["italic"] += 1
        elif tag == "code":
            self.styles["code"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li") or (tag == "p" and self.cell is None):
            self._close()
        elif tag in ("ul", "ol") and self.lists:
            self._close()
            self.lists.pop()
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            self.table[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(Block("table", rows=[row for row in self.table if row]))
            self.table = None
        elif tag in ("strong", "b"):
            self.styles["bold"] = max(0, self.styles["bold"] - 1)
        elif tag in ("em", "i"):
            self.styles["italic"] = max(0, self.styles["italic"] - 1)
        elif tag == "code":
            self.styles["code"] = max(0, self.styles["code"] - 1)

    def _text(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
            return
        if self.table is not None:
            return  # white space between rows
        if self.current is None:
            if not text.strip():
                return
            self._open("paragraph")
        assert self.current is not None
        self.current.runs.append(Run(text, bool(self.styles["bold"]), bool(self.styles["italic"]),
                                     bool(self.styles["code"])))

    def handle_data(self, data: str) -> None:
        if self.cell is None and "\n" in data:
            data = " ".join(data.split("\n")) if data.strip() else ""
        if data:
            self._text(data)


def html_blocks(html: str) -> list[Block]:
    """The blocks of an HTML fragment made from minutes Markdown."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._close()
    return reader.blocks
