"""The clinician's screening section of a patient: findings, clearance and REMS enrolment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.access import Permission
from scheduler.domain.enums import FindingSeverity
from scheduler.domain.screening import FINDING_KINDS
from scheduler.domain.when import long_date
from scheduler.services import screening
from scheduler.ui.desk import Desk
from scheduler.ui.patient_models import FindingRow, FindingsModel
from scheduler.ui.qt_dates import show_us_style, to_qdate
from scheduler.ui.sign_in import SignatureDialog
from scheduler.ui.widgets import FieldProblems, act_on_form, note_label, row_table, title_label


@dataclass(frozen=True)
class ScreeningState:
    """What the panel shows of one patient, read in one go by the Patients screen."""

    patient_id: int
    findings: list[FindingRow]
    cleared_on: dt.date | None
    cleared_by: str
    rems_enrolled_on: dt.date | None


class AddFindingDialog(QDialog):
    """Pick a finding kind and write a detail."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record a screening finding")
        self.kind = QComboBox()
        for spec in FINDING_KINDS.values():
            tag = "contraindication" if spec.severity is FindingSeverity.BLOCKING else "caution"
            self.kind.addItem(f"{spec.label} ({tag})", spec.key)
        self.detail = QLineEdit()
        self.detail.setPlaceholderText("e.g. 168/104 today; on lorazepam 1 mg at night")
        form = QFormLayout(self)
        form.addRow("&Finding:", self.kind)
        form.addRow("&Detail:", self.detail)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(520)

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> tuple[str, str] | None:
        """(finding kind key, detail), or None when cancelled."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return str(dialog.kind.currentData()), dialog.detail.text()


class ScreeningPanel(QWidget):
    """Findings with add / clear / override, screening clearance, REMS enrolment."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.state: ScreeningState | None = None
        self.problems = FieldProblems()

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.clear_button = QPushButton("Mark screening &cleared")
        self.clear_button.clicked.connect(self.toggle_cleared)

        self.model = FindingsModel(self)
        self.table = row_table(self.model, stretch=FindingsModel.COL_DETAIL)
        self.add_button = QPushButton("&Add finding…")
        self.resolve_button = QPushButton("C&lear finding…")
        self.override_button = QPushButton("&Override with reason…")
        self.add_button.clicked.connect(self.add_finding)
        self.resolve_button.clicked.connect(lambda: self.resolve(override=False))
        self.override_button.clicked.connect(lambda: self.resolve(override=True))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.rems = QCheckBox("Enrolled in the esketamine (Spravato) &REMS program on")
        self.rems_date = QDateEdit()
        self.rems_date.setCalendarPopup(True)
        show_us_style(self.rems_date)
        self.rems_save = QPushButton("Save REMS")
        self.rems_save.clicked.connect(self.save_rems)
        self.rems.toggled.connect(self.rems_date.setEnabled)

        # Clinicians' decisions are signed: by the signed-in clinician, or by one who types
        # their own password when asked. Nobody is chosen in advance.
        self.who = note_label()
        state = QHBoxLayout()
        state.addWidget(self.status, 1)
        state.addWidget(self.clear_button)
        finding_buttons = QHBoxLayout()
        for button in (self.add_button, self.resolve_button, self.override_button):
            finding_buttons.addWidget(button)
        finding_buttons.addStretch(1)
        rems = QHBoxLayout()
        rems.addWidget(self.rems)
        rems.addWidget(self.rems_date)
        rems.addWidget(self.rems_save)
        rems.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.who)
        layout.addLayout(state)
        layout.addWidget(title_label("Findings", section=True))
        layout.addWidget(self.table, 1)
        layout.addLayout(finding_buttons)
        layout.addWidget(title_label("REMS", section=True))
        layout.addLayout(rems)
        layout.addWidget(self.problems.add("rems_enrolled_on", self.rems_date))
        layout.addWidget(self.problems.add("reason", self.table))
        layout.addWidget(self.problems.general)

    # -- showing ---------------------------------------------------------------------------

    def load(self, state: ScreeningState | None) -> None:
        self.state = state
        self.problems.clear()
        self.model.set_rows(state.findings if state else [])
        if state is None:
            self.status.setText("")
            self.setEnabled(False)
            return
        self.setEnabled(True)
        blocking = [f for f in state.findings if f.blocks]
        if blocking:
            self.status.setObjectName("banner_warning")
            self.status.setText(
                "Booking is blocked: "
                + ", ".join(f.label.lower() for f in blocking)
                + ". A clinician must clear or override each with a reason."
            )
        elif state.cleared_on:
            self.status.setObjectName("banner_ok")
            self.status.setText(
                f"Screening cleared on {long_date(state.cleared_on)} by {state.cleared_by}."
            )
        else:
            self.status.setObjectName("banner_warning")
            self.status.setText("Screening not cleared yet: inductions cannot be booked.")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.clear_button.setText(
            "&Withdraw clearance" if state.cleared_on else "Mark screening &cleared"
        )
        enrolled = state.rems_enrolled_on
        self.rems.setChecked(enrolled is not None)
        self.rems_date.setEnabled(enrolled is not None)
        self.rems_date.setMaximumDate(to_qdate(self.desk.today()))
        self.rems_date.setDate(to_qdate(enrolled or self.desk.today()))
        self.add_button.setVisible(self.desk.may(Permission.RECORD_FINDINGS))
        actor = self.desk.actor
        self.who.setText(
            f"Clearing, resolving findings and REMS are signed by you, {actor.name}."
            if actor.is_clinician
            else "Clearing, resolving findings and REMS need a clinician to sign with their "
            "own password."
        )
        self._update_buttons()

    def selected(self) -> FindingRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        finding = self.selected()
        can = finding is not None and finding.is_open
        self.resolve_button.setEnabled(can)
        self.override_button.setEnabled(can)

    # -- actions ---------------------------------------------------------------------------

    def add_finding(self) -> None:
        if self.state is None:
            return
        answer = AddFindingDialog.ask(self)
        if answer is None:
            return
        kind, detail = answer
        patient_id, desk = self.state.patient_id, self.desk
        act_on_form(
            desk,
            lambda db: screening.record_finding(
                db, patient_id, kind, detail=detail, actor=desk.actor, now=desk.now()
            ),
            self.problems,
            self,
        )

    def resolve(self, *, override: bool) -> None:
        finding = self.selected()
        if finding is None:
            return
        if override:
            title = f"Override: {finding.label}"
            prompt = (
                "The finding still applies and you accept the risk of booking. Write why; "
                "it is kept in the audit trail."
            )
        else:
            title = f"Clear: {finding.label}"
            prompt = "Write why this finding no longer applies; it is kept in the audit trail."
        signed = SignatureDialog.ask(self.desk, title, prompt, parent=self)
        if signed is None:
            return
        desk = self.desk
        act_on_form(
            desk,
            lambda db: screening.resolve_finding(
                db,
                finding.finding_id,
                override=override,
                reason=signed.reason,
                signer=signed.signer,
                actor=desk.actor,
                now=desk.now(),
            ),
            self.problems,
            self,
        )

    def toggle_cleared(self) -> None:
        if self.state is None:
            return
        cleared = self.state.cleared_on is None
        title = "Clear screening" if cleared else "Withdraw the screening clearance"
        prompt = (
            "The patient is cleared for treatment after screening."
            if cleared
            else "The patient is no longer cleared; inductions cannot be booked."
        )
        signed = SignatureDialog.ask(self.desk, title, prompt, needs_reason=False, parent=self)
        if signed is None:
            return
        patient_id, desk = self.state.patient_id, self.desk
        desk.act(
            lambda db: screening.set_screening_cleared(
                db, patient_id, cleared, signer=signed.signer, reason=signed.reason,
                actor=desk.actor, now=desk.now(),
            ),
            self,
        )  # fmt: skip

    def save_rems(self) -> None:
        if self.state is None:
            return
        on = self.rems_date.date().toPython() if self.rems.isChecked() else None
        what = f"enrolled on {long_date(on)}" if isinstance(on, dt.date) else "not enrolled"
        signed = SignatureDialog.ask(
            self.desk,
            "REMS enrolment",
            f"The patient is {what} in the esketamine (Spravato) REMS program.",
            needs_reason=False,
            parent=self,
        )
        if signed is None:
            return
        patient_id, desk = self.state.patient_id, self.desk
        act_on_form(
            desk,
            lambda db: screening.set_rems_enrolment(
                db,
                patient_id,
                on,  # type: ignore[arg-type]
                signer=signed.signer,
                actor=desk.actor,
                now=desk.now(),
            ),
            self.problems,
            self,
        )
