"""Showing a letter inside the desk, printing it and saving it as a PDF.

Pages are rasterised by PDFium (through ``pypdfium2``) onto white paper, so what the preview
shows, a screenshot captures and the printer gets are the same pixels, with no asynchronous page
loading in between. Qt's own QtPdf would need the 400 MB PySide6-Addons package on the toolkit
versions the desk can use (see the README's "The toolkit"); PDFium is the engine QtPdf wraps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QObject,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from scheduler.private_files import write_private

if TYPE_CHECKING:
    from pypdfium2 import PdfDocument

PAGE_GAP = 12
PRINT_WIDTH_PX = 2480


@contextmanager
def opened(pdf: bytes) -> Iterator[PdfDocument | None]:
    """The document while it is drawn (None when the bytes are not a PDF that can be shown).

    Closed straight after: a letter is small and quick to open, and no native handle is left
    behind when a preview goes away.
    """
    import pypdfium2  # on first use: it adds 70 ms to the desk's start otherwise

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError:
        yield None
        return
    try:
        yield document
    finally:
        document.close()


def page_count(pdf: bytes) -> int:
    """How many pages the PDF has; 0 when it cannot be shown."""
    with opened(pdf) as document:
        return len(document) if document is not None else 0


def is_landscape(pdf: bytes) -> bool:
    """Whether the PDF's first page is wider than tall (a day sheet, not a letter)."""
    with opened(pdf) as document:
        if document is None or not len(document):
            return False
        wide, high = document.get_page_size(0)
        return bool(wide > high)


def render_pages(pdf: bytes, width: int) -> list[QImage]:
    """Every page as an image ``width`` pixels wide, on white paper."""
    with opened(pdf) as document:
        if document is None:
            return []
        return [render_page(document, n, width) for n in range(len(document))]


def render_page(document: PdfDocument, page_number: int, width: int) -> QImage:
    """One page as an image ``width`` pixels wide, on white paper."""
    page = document[page_number]
    try:
        points_wide, _ = page.get_size()
        bitmap = page.render(
            scale=width / max(1.0, points_wide),
            fill_color=(255, 255, 255, 255),
            rev_byteorder=True,  # RGB byte order, which QImage reads directly
            prefer_bgrx=True,  # four bytes a pixel, rows aligned as QImage expects
        )
        try:
            image = QImage(
                bytes(bitmap.buffer),
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGBX8888,
            )
            # The image must own its pixels: the bitmap's memory is freed below.
            return image.convertToFormat(QImage.Format.Format_RGB32)
        finally:
            bitmap.close()
    finally:
        page.close()


class PdfPreview(QWidget):
    """A PDF shown page under page on white, with Print… and Save as PDF… buttons.

    Signals:
        printed(): the document was sent to a printer.
        saved(str): the document was written to this path.
    """

    printed = Signal()
    saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf = b""
        self.file_name = "letter.pdf"
        self._pages = 0
        # Called by Print… and Save as PDF… before the output: makes the letter for real (so
        # it is recorded as printed) and returns its bytes, or None to stop.
        self.issue: Callable[[], bytes | None] | None = None
        self._rendered_width = 0
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("Sa&ve as PDF…")
        self.pages = QWidget()
        self.pages.setObjectName("pdf_pages")
        self.pages.setStyleSheet("#pdf_pages { background: #8a8f96; }")
        self._pages_layout = QVBoxLayout(self.pages)
        self._pages_layout.setSpacing(PAGE_GAP)
        self._pages_layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        self._pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.pages)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A timer of the preview's own, so a render still pending dies with the preview
        # (a bare QTimer.singleShot would fire after the window closed, on deleted widgets).
        self._render_soon = QTimer(self)
        self._render_soon.setSingleShot(True)
        self._render_soon.setInterval(0)
        self._render_soon.timeout.connect(self._render)
        self.scroller.viewport().installEventFilter(self)
        # The print run's notes (a name no font can print, no address on file): never silent.
        self.warning = QLabel()
        self.warning.setObjectName("letter_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "#letter_warning { background: #fdf1e1; border-left: 4px solid #c77d1a;"
            " padding: 6px; color: #1f2d3d; }"
        )
        self.warning.hide()
        self.placeholder = QLabel("No letter to show.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.warning)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.placeholder, 1)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.clear()

    def clear(self, message: str = "No letter to show.") -> None:
        self.pdf = b""
        self._pages = 0
        self.title.setText("")
        self.warning.hide()
        self.placeholder.setText(message)
        self.placeholder.show()
        self.scroller.hide()
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self._set_page_images([])

    def set_pdf(
        self,
        pdf: bytes,
        title: str,
        file_name: str = "letter.pdf",
        *,
        warnings: Sequence[str] = (),
    ) -> None:
        """Show a PDF (bytes, as the letter renderer returns them) and any warnings above it."""
        self.file_name = file_name
        self.title.setText(title)
        self.warning.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warning.setVisible(bool(warnings))
        self._load(pdf)

    def _load(self, pdf: bytes) -> None:
        self.pdf = pdf
        self._pages = page_count(pdf)
        ready = self._pages > 0
        self.placeholder.setVisible(not ready)
        self.scroller.setVisible(ready)
        if not ready:
            self.placeholder.setText("This letter could not be shown.")
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        self._rendered_width = 0
        self._render()

    def page_count(self) -> int:
        return self._pages

    def page_image(self, page: int) -> QImage:
        """The page as shown (for tests and screenshots)."""
        label = self.pages.findChildren(QLabel)[page]
        return label.pixmap().toImage()

    def _page_width(self) -> int:
        available = self.scroller.viewport().width() - 2 * PAGE_GAP
        return max(300, min(900, available))

    def _render(self) -> None:
        if not self._pages:
            return
        width = self._page_width()
        if width == self._rendered_width:
            return
        self._rendered_width = width
        images = render_pages(self.pdf, width)
        self._set_page_images(images)
        self.scroller.verticalScrollBar().setValue(0)

    def _set_page_images(self, images: list[QImage]) -> None:
        while (item := self._pages_layout.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
                widget.setParent(None)
        for image in images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("border: 1px solid #5d6167;")
            self._pages_layout.addWidget(label)
            label.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The pages follow the width of the visible area, which settles after our own resize.
        if watched is self.scroller.viewport() and event.type() == QEvent.Type.Resize:
            self._render_soon.start()  # not while Qt is laying the area out
        return super().eventFilter(watched, event)

    # -- print and save --------------------------------------------------------------------

    @classmethod
    def ask_printer(cls, parent: QWidget | None) -> QPrinter | None:
        """The system print dialog; the chosen printer, or None. Tests replace this."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    @classmethod
    def ask_save_path(cls, parent: QWidget | None, suggested: str) -> str | None:
        """Where to save the PDF, or None. Tests replace this."""
        path, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", suggested, "PDF (*.pdf)")
        return path or None

    def _issued(self) -> bool:
        """Make the letter for real when the preview was only a look; whether to go on."""
        if self.issue is None:
            return bool(self.pdf)
        pdf = self.issue()
        if pdf is None:
            return False
        if pdf != self.pdf:
            self._load(pdf)
        return True

    def print_document(self) -> bool:
        printer = self.ask_printer(self)
        if printer is None or not self._issued() or not self._pages:
            return False
        print_pdf(self.pdf, printer)
        self.printed.emit()
        return True

    def save_document(self) -> str | None:
        path = self.ask_save_path(self, self.file_name)
        if path is None or not self._issued():
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        write_private(Path(path), self.pdf)  # a letter is patient data: owner-only
        self.saved.emit(path)
        return path


def print_pdf(pdf: bytes, printer: QPrinter) -> None:
    """Send every page to the printer, each scaled to the printable area."""
    painter = QPainter()
    with opened(pdf) as document:
        if document is None or not painter.begin(printer):
            return
        try:
            for page in range(len(document)):
                if page:
                    printer.newPage()
                area = painter.viewport()
                # About 300 dpi on A4 or Letter: sharp on paper, without a huge image a page.
                image = render_page(document, page, min(area.width(), PRINT_WIDTH_PX))
                target = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
        finally:
            painter.end()


class PdfPreviewDialog(QDialog):
    """A letter in its own window (from Today or a session), with Print… and Save as PDF…."""

    def __init__(
        self,
        pdf: bytes,
        title: str,
        file_name: str,
        parent: QWidget | None = None,
        *,
        issue: Callable[[], bytes | None] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.preview = PdfPreview()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        # A letter's page fits the window's width; a landscape sheet gets a wider window.
        self.resize(*((1120, 820) if is_landscape(pdf) else (760, 900)))
        self.preview.set_pdf(pdf, title, file_name, warnings=warnings)
        self.preview.issue = issue

    @classmethod
    def show_pdf(
        cls,
        pdf: bytes,
        title: str,
        file_name: str,
        parent: QWidget | None = None,
        *,
        issue: Callable[[], bytes | None] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        """Show a letter modally. Tests replace this to capture what would be shown."""
        cls(pdf, title, file_name, parent, issue=issue, warnings=warnings).exec()
