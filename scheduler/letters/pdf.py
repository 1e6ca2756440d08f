"""The PDF renderer: ``LetterContent`` in, PDF bytes out (reportlab platypus).

The renderer owns everything about the page: geometry, named paragraph styles, the
letterhead, the shaded key-facts box and the page-number footer. Fonts (``fonts.py``) are
TrueType files embedded in the PDF, so every name prints and can be searched and copied.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
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
from scheduler.domain.letters.content import Glance, LetterContent, Section, Table
from scheduler.errors import ServiceError
from scheduler.letters.fonts import FONT, markup, needs_shaping, register_fonts, unprintable
from scheduler.letters.logo import LogoRefused, PrintableLogo, printable_logo

PAGE_SIZES = {PaperSize.A4: A4, PaperSize.LETTER: LETTER}
MARGIN = 16 * mm
# Top and bottom: the page number sits in the bottom margin, so it stays big enough for it.
MARGIN_Y = 12 * mm
FRAME_PADDING = 6
LOGO_MAX_HEIGHT = 18 * mm
LOGO_MAX_WIDTH = 45 * mm
INK = colors.HexColor("#1f2d3d")
RULE = colors.HexColor("#9aa7b4")
SHADE = colors.HexColor("#eef2f6")
ACCENT = colors.HexColor("#3b6ea5")
CAUTION_SHADE = colors.HexColor("#fdf1e1")
CAUTION_ACCENT = colors.HexColor("#c77d1a")
BOX_PADDING = 6


class RenderError(ServiceError):
    """A letter cannot be laid out (e.g. the logo is not an image); nothing was written."""


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The letter's named styles."""
    # 11 pt body text with generous leading: many readers are anxious or tired.
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=11, leading=13.8, textColor=INK, bulletFontName=FONT
    )
    return {
        "body": body,
        "clinic": ParagraphStyle(
            "clinic", parent=body, fontName=f"{FONT}-Bold", fontSize=14, leading=18,
            alignment=TA_RIGHT,
        ),
        "clinic_detail": ParagraphStyle(
            "clinic_detail", parent=body, fontSize=8.5, leading=11, alignment=TA_RIGHT
        ),
        "recipient": ParagraphStyle("recipient", parent=body, leading=13.5),
        "date": ParagraphStyle("date", parent=body, alignment=TA_RIGHT),
        "title": ParagraphStyle(
            "title", parent=body, fontName=f"{FONT}-Bold", fontSize=14, leading=18, spaceAfter=6
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=f"{FONT}-Bold", fontSize=12, leading=16,
            spaceBefore=6, spaceAfter=1,
        ),
        "paragraph": ParagraphStyle("paragraph", parent=body, spaceAfter=4),
        "key_fact": ParagraphStyle("key_fact", parent=body, spaceAfter=2),
        "box_heading": ParagraphStyle(
            "box_heading", parent=body, fontName=f"{FONT}-Bold", fontSize=12, leading=16,
            spaceAfter=3,
        ),
        "glance_label": ParagraphStyle(
            "glance_label", parent=body, fontName=f"{FONT}-Bold", fontSize=11.5, leading=14.5
        ),
        "glance_value": ParagraphStyle("glance_value", parent=body, fontSize=11.5, leading=14.5),
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=15, bulletIndent=3, spaceAfter=3
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=10.5, leading=13.5),
        "cell_head": ParagraphStyle(
            "cell_head", parent=body, fontName=f"{FONT}-Bold", fontSize=10.5, leading=13.5
        ),
        "footer": ParagraphStyle("footer", parent=body, fontSize=8, leading=10),
    }  # fmt: skip


class LetterStart(Flowable):
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


class NumberedCanvas(Canvas):
    """Holds pages back until the end so a long letter can print "Page 1 of 2" on each page.

    Numbering restarts with each letter of a batch, and a one-page letter gets no number
    (unless ``numbers_one_page``: a worksheet says "Page 1 of 1" so none is missed).
    """

    numbers_one_page = False

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
            if total > 1 or self.numbers_one_page:
                self._draw_footer(seen[self.letter_index], total)
            super().showPage()
        super().save()

    def _draw_footer(self, page: int, total: int) -> None:
        width = self._pagesize[0]  # type: ignore[attr-defined]
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(RULE)
        self.drawString(MARGIN, MARGIN_Y / 2, self.letter_name)
        self.drawRightString(width - MARGIN, MARGIN_Y / 2, f"Page {page} of {total}")
        self.restoreState()


def clinic_document(
    buffer: io.BytesIO, page_size: tuple[float, float], *, title: str, author: str, subject: str
) -> SimpleDocTemplate:
    """A PDF document on the clinic's margins, its pages starting in an embedded font."""
    return SimpleDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=title,
        author=author,
        subject=subject,
        creator="Infusion Desk",
        # Not reportlab's default Helvetica, which is not embedded and cannot print every name.
        initialFontName=FONT,
    )


class PdfRenderer:
    """Lays out letters on A4 or US Letter and returns the PDF as bytes."""

    def __init__(self) -> None:
        register_fonts()
        self.page_size = LETTER
        self.styles = paragraph_styles()
        self._logos: dict[str, PrintableLogo] = {}

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
        self.page_size = PAGE_SIZES[paper_size]
        buffer = io.BytesIO()
        doc = clinic_document(buffer, self.page_size, title=title, author=author, subject=title)
        story: list[Flowable] = []
        for index, letter in enumerate(letters):
            if index:
                story.append(PageBreak())
            story.extend(self.letter_story(letter, index))
        doc.build(story, canvasmaker=NumberedCanvas)
        return buffer.getvalue()

    def unprintable(self, letter: LetterContent) -> str:
        """The characters of a letter that no font here can print (empty when all can)."""
        return unprintable(letter.text)

    def letter_story(self, letter: LetterContent, index: int = 0) -> list[Flowable]:
        s = self.styles
        story: list[Flowable] = [
            LetterStart(index, f"{letter.recipient[0]} · {letter.title}"),
            self._letterhead(letter),
            Spacer(1, 3 * mm),
            self._recipient_and_date(letter),
            Spacer(1, 3 * mm),
        ]
        story.append(para(letter.title, s["title"]))
        if letter.glance is not None and letter.glance.lines:
            story.append(self._glance(letter.glance))
            story.append(Spacer(1, 2 * mm))
        story.append(para(letter.greeting, s["paragraph"]))
        story.append(para(letter.intro, s["paragraph"]))
        if letter.table is not None:
            story.append(Spacer(1, 2 * mm))
            story.append(self._table(letter.table))
        for section in letter.sections:
            story.extend(self._section(section))
        story.append(Spacer(1, 2 * mm))
        story.append(
            KeepTogether(
                [
                    para(letter.closing, s["paragraph"]),
                    para(letter.signature, s["paragraph"]),
                ]
            )
        )
        return story

    def _letterhead(self, letter: LetterContent) -> Flowable:
        head = letter.letterhead
        s = self.styles
        # Two short lines: the address, then how to reach the clinic.
        details = [
            line
            for line in (
                ", ".join(head.address_lines),
                " · ".join(x for x in (head.phone, head.email) if x),
            )
            if line
        ]
        text: list[Flowable] = [para(head.clinic_name, s["clinic"])]
        text += [para(line, s["clinic_detail"]) for line in details]
        logo: Flowable | str = self._logo(head.logo_path) if head.logo_path else ""
        logo_width = LOGO_MAX_WIDTH + 4 * mm
        return _side_by_side(
            [logo, text],
            [logo_width, self.text_width - logo_width],
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
        )

    def _recipient_and_date(self, letter: LetterContent) -> Flowable:
        """The patient's name and address on the left, the letter's date on the right."""
        s = self.styles
        names = [para(line, s["recipient"]) for line in letter.recipient]
        date_width = self.text_width * 0.4
        return _side_by_side(
            [names, para(letter.date_line, s["date"])],
            [self.text_width - date_width, date_width],
        )

    def _logo(self, path: str) -> Flowable:
        logo = self._logos.get(path)
        if logo is None:
            try:
                logo = self._logos[path] = printable_logo(Path(path))
            except LogoRefused as exc:
                raise RenderError(f"{exc} Nothing was printed.") from exc
        scale = min(LOGO_MAX_WIDTH / logo.width, LOGO_MAX_HEIGHT / logo.height)
        image = Image(io.BytesIO(logo.png), width=logo.width * scale, height=logo.height * scale)
        image.hAlign = "LEFT"
        return image

    def _section(self, section: Section) -> list[Flowable]:
        s = self.styles
        block: list[Flowable] = []
        boxed = section.key_facts or section.caution
        if section.heading:
            block.append(para(section.heading, s["box_heading" if boxed else "heading"]))
        style = s["key_fact"] if section.key_facts else s["paragraph"]
        block += [para(p, style) for p in section.paragraphs]
        if boxed and _short_list(section.bullets):
            block.append(self._two_columns(section.bullets))
        else:
            block += [para(b, s["bullet"], bulletText="•") for b in section.bullets]
        if boxed:
            # Times to act on and warnings sit in a shaded box that is never split.
            shade, accent = (
                (SHADE, ACCENT) if section.key_facts else (CAUTION_SHADE, CAUTION_ACCENT)
            )
            return [Spacer(1, 1.5 * mm), self._box([[block]], shade, accent), Spacer(1, 0.5 * mm)]
        if not section.heading:
            return block
        # A heading never ends a page alone: keep it with what follows when that is short.
        return [KeepTogether(block[:3]), *block[3:]]

    def _two_columns(self, bullets: Sequence[str]) -> Flowable:
        """A list of short warnings in two columns, read down then across: half as tall."""
        half = (len(bullets) + 1) // 2
        columns = [bullets[:half], bullets[half:]]
        cells = [[para(b, self.styles["bullet"], bulletText="•") for b in c] for c in columns]
        width = (self.text_width - 2 * BOX_PADDING) / 2
        return _side_by_side(
            cells,
            [width, width],
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        )

    def _glance(self, glance: Glance) -> Flowable:
        """The shaded box of key facts: bold labels in one column, the values beside them."""
        s = self.styles
        label_style = s["glance_label"]
        labels = [f"{label}:" for label, _value in glance.lines]
        widest = max(stringWidth(x, label_style.fontName, label_style.fontSize) for x in labels)
        label_width = min(widest + 2 * BOX_PADDING + 4, self.text_width * 0.45)
        # A heading is optional: the box sits right under the title and speaks for itself.
        rows: list[list[Any]] = (
            [[para(glance.heading, s["box_heading"]), ""]] if glance.heading else []
        )
        rows += [
            [para(label, label_style), para(value, s["glance_value"])]
            for label, (_label, value) in zip(labels, glance.lines, strict=True)
        ]
        widths = [label_width, self.text_width - label_width]
        return self._box(rows, SHADE, ACCENT, widths, span_first=bool(glance.heading))

    def _box(
        self,
        rows: list[list[Any]],
        shade: colors.Color,
        accent: colors.Color,
        widths: list[float] | None = None,
        *,
        span_first: bool = False,
    ) -> Flowable:
        """Content in a shaded box with a coloured rule down its left side."""
        box = PdfTable(rows, colWidths=widths or [self.text_width])
        commands: list[Any] = [
            ("BACKGROUND", (0, 0), (-1, -1), shade),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("LINEBEFORE", (0, 0), (0, -1), 3, accent),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), BOX_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), BOX_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, 0), BOX_PADDING),
            ("BOTTOMPADDING", (0, -1), (-1, -1), BOX_PADDING),
        ]
        if span_first:
            commands.append(("SPAN", (0, 0), (-1, 0)))
        box.setStyle(TableStyle(commands))
        return box

    def _table(self, table: Table) -> Flowable:
        s = self.styles
        rows = [[para(h, s["cell_head"]) for h in table.header]]
        rows += [[para(c, s["cell"]) for c in row] for row in table.rows]
        fractions = (0.22, 0.25, 0.15, 0.15, 0.23)
        widths = [self.text_width * f for f in fractions[: len(table.header)]]
        pdf_table = PdfTable(rows, colWidths=widths or None, repeatRows=1)
        pdf_table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return pdf_table


def _short_list(bullets: Sequence[str]) -> bool:
    """Four or more items that each fit half a line: worth laying out in two columns."""
    return len(bullets) >= 4 and all(len(b) <= 52 for b in bullets)


def _side_by_side(cells: list[Any], widths: list[float], *extra: Any) -> Flowable:
    """One row of blocks side by side, flush with the text edges (letterhead, address, lists)."""
    table = PdfTable([cells], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                *extra,
            ]
        )
    )
    return table


# A clock time ("10:30 AM") or a phone number ("(617) 555-0142", "+1 617 555 0142") is read
# as one thing: its spaces become no-break spaces so a line never splits it.
_UNBREAKABLE = re.compile(
    r"\d{1,2}:\d{2} (?:AM|PM|noon|midnight)|\+?\(?\d[\d()\- .]{5,}\d(?![\d,])"
)


def keep_together(text: str) -> str:
    """The text with no line break allowed inside its times and phone numbers."""
    return _UNBREAKABLE.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


_shaped_styles: dict[str, ParagraphStyle] = {}


def para(text: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph of plain text: each script in a font that has it, complex scripts shaped."""
    if needs_shaping(text):
        shaped = _shaped_styles.get(style.name)
        if shaped is None:
            shaped = _shaped_styles[style.name] = ParagraphStyle(
                f"{style.name}_shaped", parent=style, shaping=1
            )
        style = shaped
    return Paragraph(markup(keep_together(text)), style, **kwargs)
