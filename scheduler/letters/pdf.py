"""The PDF renderer: ``LetterContent`` in, PDF bytes out (reportlab platypus).

The renderer owns everything about the page: geometry, fonts, named paragraph styles, the
letterhead and the page-number footer. Fonts are the DejaVu TTFs shipped in
``resources/fonts``, embedded so that every name prints and can be searched and copied.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from scheduler.domain.enums import PaperSize
from scheduler.domain.letters import LetterContent, Section, Table
from scheduler.services.errors import ServiceError

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FONT = "DejaVuSans"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
PAGE_SIZES = {PaperSize.A4: A4, PaperSize.LETTER: LETTER}
MARGIN = 18 * mm
FRAME_PADDING = 6
LOGO_MAX_HEIGHT = 18 * mm
LOGO_MAX_WIDTH = 45 * mm
INK = colors.HexColor("#1f2d3d")
RULE = colors.HexColor("#9aa7b4")
SHADE = colors.HexColor("#eef2f6")


class RenderError(ServiceError):
    """A letter cannot be laid out (e.g. the logo is not an image); nothing was written."""


def register_fonts(font_dir: Path = FONT_DIR) -> None:
    """Register the DejaVu family once per process, so <b> and <i> pick the right faces."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file_name in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_dir / file_name)))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=f"{FONT}-Bold",
        italic=f"{FONT}-Oblique",
        boldItalic=f"{FONT}-BoldOblique",
    )


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The letter's named styles."""
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.2, textColor=INK)
    return {
        "body": body,
        "clinic": ParagraphStyle(
            "clinic", parent=body, fontName=f"{FONT}-Bold", fontSize=14, leading=18,
            alignment=TA_RIGHT,
        ),
        "clinic_detail": ParagraphStyle(
            "clinic_detail", parent=body, fontSize=8.5, leading=11, alignment=TA_RIGHT
        ),
        "recipient": ParagraphStyle("recipient", parent=body, leading=12.5),
        "date": ParagraphStyle("date", parent=body, spaceBefore=8, spaceAfter=10),
        "title": ParagraphStyle(
            "title", parent=body, fontName=f"{FONT}-Bold", fontSize=14, leading=18, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=f"{FONT}-Bold", fontSize=11, leading=14,
            spaceBefore=7, spaceAfter=2,
        ),
        "paragraph": ParagraphStyle("paragraph", parent=body, spaceAfter=4),
        "key_fact": ParagraphStyle(
            "key_fact", parent=body, fontName=f"{FONT}-Bold", backColor=SHADE,
            borderPadding=4, leftIndent=4, rightIndent=4, spaceBefore=3,
            spaceAfter=8,
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=14, bulletIndent=3, spaceAfter=2
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12),
        "cell_head": ParagraphStyle(
            "cell_head", parent=body, fontName=f"{FONT}-Bold", fontSize=9.5, leading=12
        ),
        "footer": ParagraphStyle("footer", parent=body, fontSize=8, leading=10),
    }  # fmt: skip


class _LetterStart(Flowable):
    """Invisible marker telling the canvas which letter the following pages belong to."""

    def __init__(self, index: int, name: str) -> None:
        super().__init__()
        self.index = index
        self.name = name
        self.width = self.height = 0

    def draw(self) -> None:
        canvas = self.canv
        canvas.letter_index = self.index  # type: ignore[attr-defined]
        canvas.letter_name = self.name  # type: ignore[attr-defined]


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so a long letter can print "Page 1 of 2" on each page.

    Numbering restarts with each letter of a batch, and a one-page letter gets no number.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter_index = 0
        self.letter_name = ""
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        totals = Counter(state["letter_index"] for state in self._held)
        seen: Counter[int] = Counter()
        for state in self._held:
            self.__dict__.update(state)
            seen[self.letter_index] += 1
            total = totals[self.letter_index]
            if total > 1:
                self._draw_footer(seen[self.letter_index], total)
            super().showPage()
        super().save()

    def _draw_footer(self, page: int, total: int) -> None:
        width = self._pagesize[0]  # type: ignore[attr-defined]
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(RULE)
        self.drawString(MARGIN, MARGIN / 2, self.letter_name)
        self.drawRightString(width - MARGIN, MARGIN / 2, f"Page {page} of {total}")
        self.restoreState()


class PdfRenderer:
    """Lays out letters on A4 or US Letter and returns the PDF as bytes."""

    def __init__(self) -> None:
        register_fonts()
        self.page_size = LETTER
        self.styles = paragraph_styles()
        self._logos: dict[str, tuple[float, float]] = {}

    @property
    def text_width(self) -> float:
        """The width inside the frame (platypus frames pad their content by 6 pt a side)."""
        return float(self.page_size[0] - 2 * MARGIN - 2 * FRAME_PADDING)

    def render(
        self,
        letters: Sequence[LetterContent],
        *,
        title: str,
        author: str,
        paper_size: PaperSize = PaperSize.LETTER,
    ) -> bytes:
        """One PDF holding the letters one after another, each starting on a new page."""
        self.page_size = PAGE_SIZES[PaperSize(paper_size)]
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=self.page_size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author=author,
            subject=title,
            creator="Infusion Desk",
        )
        story: list[Flowable] = []
        for index, letter in enumerate(letters):
            if index:
                story.append(PageBreak())
            story.extend(self.letter_story(letter, index))
        doc.build(story, canvasmaker=_NumberedCanvas)
        return buffer.getvalue()

    def letter_story(self, letter: LetterContent, index: int = 0) -> list[Flowable]:
        s = self.styles
        story: list[Flowable] = [
            _LetterStart(index, f"{letter.recipient[0]} · {letter.title}"),
            self._letterhead(letter),
            Spacer(1, 6 * mm),
        ]
        story += [Paragraph(_text(line), s["recipient"]) for line in letter.recipient]
        story.append(Paragraph(_text(letter.date_line), s["date"]))
        story.append(Paragraph(_text(letter.title), s["title"]))
        story.append(Paragraph(_text(letter.greeting), s["paragraph"]))
        story.append(Paragraph(_text(letter.intro), s["paragraph"]))
        if letter.table is not None:
            story.append(Spacer(1, 2 * mm))
            story.append(self._table(letter.table))
        for section in letter.sections:
            story.extend(self._section(section))
        story.append(Spacer(1, 2 * mm))
        story.append(
            KeepTogether(
                [
                    Paragraph(_text(letter.closing), s["paragraph"]),
                    Paragraph(_text(letter.signature), s["paragraph"]),
                ]
            )
        )
        return story

    def _letterhead(self, letter: LetterContent) -> Flowable:
        head = letter.letterhead
        s = self.styles
        details = [*head.address_lines, *(x for x in (head.phone, head.email) if x)]
        text: list[Flowable] = [Paragraph(_text(head.clinic_name), s["clinic"])]
        text += [Paragraph(_text(line), s["clinic_detail"]) for line in details]
        logo: Flowable | str = self._logo(head.logo_path) if head.logo_path else ""
        logo_width = LOGO_MAX_WIDTH + 4 * mm
        table = PdfTable([[logo, text]], colWidths=[logo_width, self.text_width - logo_width])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                ]
            )
        )
        return table

    def _logo(self, path: str) -> Flowable:
        size = self._logos.get(path)
        if size is None:
            try:
                width, height = ImageReader(path).getSize()
            except Exception as exc:  # reportlab raises many kinds for a bad image
                raise RenderError(f"The logo {path} cannot be read as an image ({exc}).") from exc
            scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
            size = self._logos[path] = (width * scale, height * scale)
        image = Image(path, width=size[0], height=size[1])
        image.hAlign = "LEFT"
        return image

    def _section(self, section: Section) -> list[Flowable]:
        s = self.styles
        block: list[Flowable] = []
        if section.heading:
            block.append(Paragraph(_text(section.heading), s["heading"]))
        style = s["key_fact"] if section.key_facts else s["paragraph"]
        block += [Paragraph(_text(p), style) for p in section.paragraphs]
        block += [Paragraph(_text(b), s["bullet"], bulletText="•") for b in section.bullets]
        if not section.heading:
            return block
        # A heading never ends a page alone: keep it with what follows when that is short.
        return [KeepTogether(block[:3]), *block[3:]]

    def _table(self, table: Table) -> Flowable:
        s = self.styles
        rows = [[Paragraph(_text(h), s["cell_head"]) for h in table.header]]
        rows += [[Paragraph(_text(c), s["cell"]) for c in row] for row in table.rows]
        fractions = (0.22, 0.25, 0.15, 0.15, 0.23)
        widths = [self.text_width * f for f in fractions[: len(table.header)]]
        pdf_table = PdfTable(rows, colWidths=widths or None, repeatRows=1)
        pdf_table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return pdf_table


def _text(text: str) -> str:
    """Plain text for a Paragraph: markup characters escaped, line breaks kept."""
    return escape(text).replace("\n", "<br/>")
