"""Import patients… (Patients screen): a CSV file, its columns matched, a preview, then Import.

Three steps in one dialog. The mapping step offers a list of fields for each column, guessed
from the headers. The preview shows every row as it will be stored; rows in error are red and
likely duplicates amber. Import stays disabled while any row has an error: the import is all
or nothing, so the file is corrected and chosen again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.patient_csv import (
    IMPORT_FIELDS,
    CsvTable,
    Mapping,
    UnreadableFile,
    guess_mapping,
    mapping_problem,
    read_table,
)
from scheduler.domain.when import date_of_birth
from scheduler.errors import ServiceError
from scheduler.services.patient_import import (
    ImportPreview,
    ImportResult,
    ImportRow,
    import_patients,
    preview_import,
)
from scheduler.ui.desk import Desk
from scheduler.ui.widgets import note_label, problem_label, title_label

STEP_FILE, STEP_MAPPING, STEP_PREVIEW = range(3)
SKIP_LABEL = "(leave out)"
# Example values shown beside each column in the mapping step.
SAMPLES = 2
ERROR_BACKGROUND = QColor("#f8d7da")
DUPLICATE_BACKGROUND = QColor("#fff3cd")
PREVIEW_HEADERS = ("Row", "Last name", "First name", "Date of birth", "Mobile", "Email",
                   "Chart", "Check")  # fmt: skip


def preview_cells(row: ImportRow) -> tuple[str, ...]:
    """What the preview shows of a row: the values as stored, then its errors or duplicates."""
    details = row.details
    born = date_of_birth(details.date_of_birth) if details.date_of_birth else ""
    if row.problems:
        check = " ".join(p[:1].upper() + p[1:] for p in row.problems)
    elif row.duplicate_of:
        check = f"Likely the same person as {', '.join(row.duplicate_of)}"
    else:
        check = ""
    return (
        str(row.row),
        details.last_name,
        details.first_name,
        born,
        details.mobile_phone,
        details.email,
        row.chart_number or "new",
        check,
    )


class ImportPatientsDialog(QDialog):
    """Choose a CSV file, match its columns to patient fields, preview, import."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import patients")
        self.desk = desk
        self.table: CsvTable | None = None
        self.preview: ImportPreview | None = None
        self.imported: ImportResult | None = None
        self.combos: list[QComboBox] = []

        self.steps = QStackedWidget()
        self.steps.addWidget(self._file_step())
        self.steps.addWidget(self._mapping_step())
        self.steps.addWidget(self._preview_step())
        self.problem = problem_label()
        self.back_button = QPushButton("< &Back")
        self.next_button = QPushButton("&Next >")
        self.import_button = QPushButton("&Import")
        self.cancel_button = QPushButton("Cancel")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.resize(980, 600)
        self._show_step(STEP_FILE)

    # -- the steps ---------------------------------------------------------------------------

    def _file_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(title_label("1. Choose the file", section=True))
        layout.addWidget(
            note_label(
                "A CSV export of another system's patient list, with a header row. UTF-8 and "
                "Windows (Excel) files are both read. Every row goes through the same checks as "
                "the patient form; if any row has a problem, nothing is imported."
            )
        )
        choose = QPushButton("&Choose file…")
        choose.clicked.connect(self.choose_file)
        self.file_label = note_label("No file chosen.")
        row = QHBoxLayout()
        row.addWidget(choose)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _mapping_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(title_label("2. Match the columns", section=True))
        self.mapping_note = note_label()
        layout.addWidget(self.mapping_note)
        self.mapping_grid = QGridLayout()
        self.mapping_grid.setColumnStretch(1, 1)
        grid_holder = QWidget()
        grid_holder.setLayout(self.mapping_grid)
        scroll = QScrollArea()
        scroll.setWidget(grid_holder)
        scroll.setWidgetResizable(True)
        layout.addWidget(scroll, 1)
        return page

    def _preview_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(title_label("3. Check the rows", section=True))
        self.preview_note = note_label()
        layout.addWidget(self.preview_note)
        self.rows_table = QTableWidget(0, len(PREVIEW_HEADERS))
        self.rows_table.setObjectName("import_preview")
        self.rows_table.setHorizontalHeaderLabels(PREVIEW_HEADERS)
        self.rows_table.verticalHeader().hide()
        self.rows_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rows_table.setWordWrap(True)  # the Check column: every problem of the row
        header = self.rows_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.rows_table, 1)
        self.include_duplicates = QCheckBox(
            "Also import the likely duplicates: they are different people"
        )
        layout.addWidget(self.include_duplicates)
        return page

    # -- moving between steps ----------------------------------------------------------------

    def _show_step(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        self.problem.hide()
        self.back_button.setEnabled(step != STEP_FILE)
        self.next_button.setVisible(step != STEP_PREVIEW)
        self.import_button.setVisible(step == STEP_PREVIEW)
        if step == STEP_FILE:
            self.next_button.setEnabled(self.table is not None)
        elif step == STEP_MAPPING:
            self._mapping_changed()
        else:
            self.import_button.setEnabled(self.preview is not None and not self.preview.errors)

    def back(self) -> None:
        self._show_step(max(STEP_FILE, self.steps.currentIndex() - 1))

    def next(self) -> None:
        if self.steps.currentIndex() == STEP_FILE:
            self._show_step(STEP_MAPPING)
        elif self.steps.currentIndex() == STEP_MAPPING:
            self.show_preview()

    def _refuse(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    # -- step 1: the file ----------------------------------------------------------------------

    @classmethod
    def ask_open_path(cls, parent: QWidget | None) -> str | None:
        """Which CSV file to import, or None. Tests replace this."""
        path, _ = QFileDialog.getOpenFileName(
            parent, "Import patients", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        return path or None

    def choose_file(self) -> bool:
        chosen = self.ask_open_path(self)
        return chosen is not None and self.load_file(Path(chosen))

    def load_file(self, path: Path) -> bool:
        """Read the file and go on to the mapping; one sentence in red when it cannot be read."""
        try:
            table = read_table(path.read_bytes())
        except OSError as exc:
            self._refuse(f"Cannot read {path}: {exc.strerror or exc}.")
            return False
        except UnreadableFile as exc:
            self._refuse(f"{path.name}: {exc}")
            return False
        self.table = table
        count = len(table.rows)
        self.file_label.setText(
            f"{path.name}: {count} row{'' if count == 1 else 's'}, "
            f"{len(table.headers)} columns ({table.encoding})."
        )
        self._fill_mapping(table)
        self._show_step(STEP_MAPPING)
        return True

    # -- step 2: the mapping -------------------------------------------------------------------

    def _fill_mapping(self, table: CsvTable) -> None:
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.combos = []
        guessed = guess_mapping(table.headers)
        for column, title in enumerate(("Column in the file", "Example values", "Patient field")):
            heading = QLabel(f"<b>{title}</b>")
            self.mapping_grid.addWidget(heading, 0, column)
        for index, header in enumerate(table.headers):
            samples = [row[index] for row in table.rows if row[index]][:SAMPLES]
            example = note_label(", ".join(samples))
            combo = QComboBox()
            combo.addItem(SKIP_LABEL, None)
            for field, label in IMPORT_FIELDS.items():
                combo.addItem(label, field)
            combo.setCurrentIndex(max(0, combo.findData(guessed.get(index))))
            combo.currentIndexChanged.connect(lambda _: self._mapping_changed())
            self.combos.append(combo)
            self.mapping_grid.addWidget(QLabel(header or f"(column {index + 1})"), index + 1, 0)
            self.mapping_grid.addWidget(example, index + 1, 1)
            self.mapping_grid.addWidget(combo, index + 1, 2)
        self.mapping_grid.setRowStretch(len(table.headers) + 1, 1)

    def mapping(self) -> Mapping:
        """The fields chosen for the columns; columns left out are not in it."""
        return {i: c.currentData() for i, c in enumerate(self.combos) if c.currentData()}

    def _mapping_changed(self) -> None:
        problem = mapping_problem(self.mapping())
        self.mapping_note.setText(
            "Each column's field is guessed from its header; change any that are wrong, or "
            "leave a column out."
        )
        self.next_button.setEnabled(problem is None)
        if problem:
            self._refuse(problem)
        else:
            self.problem.hide()

    # -- step 3: the preview -------------------------------------------------------------------

    def show_preview(self) -> bool:
        table, mapping = self.table, self.mapping()
        assert table is not None
        try:
            preview = self.desk.read(
                lambda db: preview_import(
                    db, table, mapping, actor=self.desk.actor, now=self.desk.now()
                )
            )
        except ServiceError as exc:
            self._refuse(str(exc))
            return False
        self.preview = preview
        self._fill_preview(preview)
        self._show_step(STEP_PREVIEW)
        if preview.errors:
            self._refuse(
                f"{_rows(sum(1 for r in preview.rows if r.problems))} with problems (in red). "
                "Correct them in the file and choose it again: nothing is imported while any "
                "row has a problem."
            )
        return True

    def _fill_preview(self, preview: ImportPreview) -> None:
        self.rows_table.setRowCount(len(preview.rows))
        for line, row in enumerate(preview.rows):
            background = (
                ERROR_BACKGROUND
                if row.problems
                else DUPLICATE_BACKGROUND
                if row.duplicate_of
                else None
            )
            for column, text in enumerate(preview_cells(row)):
                item = QTableWidgetItem(text)
                if background is not None:
                    item.setBackground(QBrush(background))
                    item.setForeground(QBrush(QColor("#000000")))
                if column == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.rows_table.setItem(line, column, item)
        # Once the Check column has its width: rows tall enough for every problem.
        QTimer.singleShot(0, self.rows_table.resizeRowsToContents)
        parts = [f"{_rows(len(preview.rows))} as they will be stored."]
        if preview.duplicates:
            verb = "looks" if preview.duplicates == 1 else "look"
            parts.append(
                f"{_rows(preview.duplicates)} {verb} like a patient already on file or an "
                "earlier row (in amber): left out unless you tick the box below."
            )
        if preview.date_note:
            parts.append(preview.date_note)
        self.preview_note.setText(" ".join(parts))
        self.include_duplicates.setVisible(preview.duplicates > 0)
        self.include_duplicates.setChecked(False)

    def run_import(self) -> bool:
        table, mapping = self.table, self.mapping()
        assert table is not None
        include = self.include_duplicates.isChecked()

        def shown(exc: ServiceError) -> bool:
            self._refuse(str(exc))
            return True

        result = self.desk.act(
            lambda db: import_patients(
                db, table, mapping, actor=self.desk.actor, now=self.desk.now(),
                include_duplicates=include,
            ),
            self,
            on_refusal=shown,
        )  # fmt: skip
        if result is None:
            return False
        self.imported = result
        self.desk.announce(result.summary)
        self.accept()
        return True


def _rows(count: int) -> str:
    return f"{count} row{'' if count == 1 else 's'}"
