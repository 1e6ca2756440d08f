"""The day sheet as a PDF: ``DaySheet`` in, PDF bytes out (reportlab platypus).

Landscape, for a table seven columns wide. Each chair, room or nurse is one table whose first
two rows (the section's name and the column headings) repeat on every page it runs onto; a
row never splits. Every page names the clinic and the day and says "Page n of N".
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from scheduler.domain.day_sheet import DaySheet, SheetLine, SheetSection
from scheduler.domain.enums import PaperSize
from scheduler.letters.fonts import FONT, register_fonts, unprintable
from scheduler.letters.pdf import (
    ACCENT,
    CAUTION_ACCENT,
    FRAME_PADDING,
    INK,
    MARGIN,
    PAGE_SIZES,
    RULE,
    SHADE,
    LetterStart,
    NumberedCanvas,
    clinic_document,
    para,
)

BOLD = f"{FONT}-Bold"
STRIPE = colors.HexColor("#f6f8fa")
# Column shares of the table's width; the fourth column is the driver at the clinic and the
# address on a home visit.
COLUMNS = (
    ("Time", 0.18),
    ("Patient", 0.175),
    ("Therapy", 0.155),
    ("Driver", 0.16),
    ("Cautions", 0.185),
    ("Prep", 0.065),
    ("Aftercare", 0.08),
)
ADDRESS = "Address"


class _SheetCanvas(NumberedCanvas):
    """Pages numbered "Page 1 of 1" too: a nurse sees at once whether a page is missing."""

    numbers_one_page = True


def sheet_styles() -> dict[str, ParagraphStyle]:
    """The sheet's named styles: smaller than a letter's, for a dense table read at a glance."""
    cell = ParagraphStyle("sheet_cell", fontName=FONT, fontSize=9, leading=11.5, textColor=INK)
    return {
        "cell": cell,
        "strong": ParagraphStyle("sheet_strong", parent=cell, fontName=BOLD),
        "muted": ParagraphStyle("sheet_muted", parent=cell, fontSize=8, leading=10,
                                textColor=colors.HexColor("#4a5868")),
        "alert": ParagraphStyle("sheet_alert", parent=cell, fontName=BOLD,
                                textColor=CAUTION_ACCENT),
        "column": ParagraphStyle("sheet_column", parent=cell, fontName=BOLD, fontSize=8.5,
                                 leading=10.5),
        "section": ParagraphStyle("sheet_section", parent=cell, fontName=BOLD, fontSize=11,
                                  leading=14, textColor=colors.white),
        "title": ParagraphStyle("sheet_title", parent=cell, fontName=BOLD, fontSize=16,
                                leading=20),
        "summary": ParagraphStyle("sheet_summary", parent=cell, fontSize=10, leading=13),
        "clinic": ParagraphStyle("sheet_clinic", parent=cell, fontName=BOLD, fontSize=12,
                                 leading=15, alignment=TA_RIGHT),
        "printed": ParagraphStyle("sheet_printed", parent=cell, fontSize=8, leading=10,
                                  alignment=TA_RIGHT),
        "note": ParagraphStyle("sheet_note", parent=cell, fontSize=12, leading=16),
    }  # fmt: skip


class DaySheetRenderer:
    """Lays a day sheet out on landscape US Letter or A4 and returns the PDF as bytes."""

    def __init__(self) -> None:
        register_fonts()
        self.styles = sheet_styles()
        self.page_size = landscape(PAGE_SIZES[PaperSize.LETTER])

    @property
    def text_width(self) -> float:
        return float(self.page_size[0] - 2 * MARGIN - 2 * FRAME_PADDING)

    def render(self, sheet: DaySheet, *, paper_size: PaperSize = PaperSize.LETTER) -> bytes:
        self.page_size = landscape(PAGE_SIZES[PaperSize(paper_size)])
        buffer = io.BytesIO()
        doc = clinic_document(
            buffer,
            self.page_size,
            title=f"{sheet.clinic_name}: {sheet.title}",
            author=sheet.clinic_name,
            subject=sheet.title,
        )
        story: list[Flowable] = [
            LetterStart(0, f"{sheet.clinic_name} · {sheet.title}"),
            self._header(sheet),
            Spacer(1, 4 * mm),
        ]
        if sheet.empty_note:
            story.append(self._note(sheet.empty_note))
        for section in sheet.sections:
            story.append(self._section(section))
            story.append(Spacer(1, 5 * mm))
        doc.build(story, canvasmaker=_SheetCanvas)
        return buffer.getvalue()

    def unprintable_note(self, sheet: DaySheet) -> str:
        """A sentence naming the patients whose names no installed font can print, or ""."""
        names = [line.patient for s in sheet.sections for line in s.lines]
        missing = [name for name in dict.fromkeys(names) if unprintable(name)]
        if not missing:
            return ""
        return (
            f"No installed font can print every letter of {', '.join(missing)}: those letters "
            "show as blank boxes on the sheet."
        )

    def _header(self, sheet: DaySheet) -> Flowable:
        s = self.styles
        left = [para(sheet.title, s["title"]), para(sheet.summary, s["summary"])]
        right = [para(sheet.clinic_name, s["clinic"]), para(sheet.printed_at, s["printed"])]
        half = self.text_width / 2
        table = PdfTable([[left, right]], colWidths=[half * 1.2, half * 0.8])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
                ]
            )
        )
        return table

    def _note(self, text: str) -> Flowable:
        box = PdfTable([[para(text, self.styles["note"])]], colWidths=[self.text_width])
        box.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                    ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                    ("TOPPADDING", (0, 0), (-1, -1), 10),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ]
            )
        )
        return box

    def _section(self, section: SheetSection) -> Flowable:
        s = self.styles
        headings = [ADDRESS if i == 3 and section.home_visits else name for i, (name, _) in
                    enumerate(COLUMNS)]  # fmt: skip
        rows: list[list[Any]] = [
            [para(section.heading, s["section"])] + [""] * (len(COLUMNS) - 1),
            [para(h, s["column"]) for h in headings],
        ]
        rows += [self._row(line, section.home_visits) for line in section.lines]
        widths = [self.text_width * share for _, share in COLUMNS]
        table = PdfTable(rows, colWidths=widths, repeatRows=2)
        table.setStyle(
            TableStyle(
                [
                    ("SPAN", (0, 0), (-1, 0)),
                    ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                    ("BACKGROUND", (0, 1), (-1, 1), SHADE),
                    ("ROWBACKGROUNDS", (0, 2), (-1, -1), [colors.white, STRIPE]),
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("LINEBELOW", (0, 1), (-1, 1), 0.75, RULE),
                    ("LINEBELOW", (0, 2), (-1, -1), 0.25, RULE),
                    ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def _row(self, line: SheetLine, home_visit: bool) -> list[Any]:
        s = self.styles
        if home_visit:
            fourth: list[Paragraph] = [para(line.address or "No address on file", s["cell"])]
        else:
            style = s["alert"] if line.driver_missing else s["cell"]
            fourth = [para(line.driver, style)]
        cautions = [para(c.text, s["alert" if c.contraindication else "cell"])
                    for c in line.cautions] or [para("None", s["muted"])]  # fmt: skip
        return [
            para(line.time, s["strong"]),
            [para(line.patient, s["strong"]), para(f"Chart {line.chart_number}", s["muted"])],
            [para(line.therapy, s["cell"]), para(line.course, s["muted"])],
            fourth,
            cautions,
            para(line.prep, s["cell"]),
            para(line.aftercare, s["cell"]),
        ]
