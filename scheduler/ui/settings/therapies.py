"""Settings → Therapies: how long each takes, where it is given, fasting, driving, letters."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from scheduler.domain.enums import DrivingRule, Place
from scheduler.services import settings as svc
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import (
    Row,
    add_rows,
    check_grid,
    combo,
    minutes,
    optional,
    optional_spin,
    set_combo,
)
from scheduler.ui.settings.list_editor import ListEditor
from scheduler.ui.tables import ID_ROLE, RowsModel
from scheduler.ui.widgets import note_label

PLACE_LABELS = {
    Place.CHAIR: "Chair",
    Place.ROOM: "Room",
    Place.PROCEDURE_ROOM: "Procedure room",
    Place.OFFICE: "Office",
    Place.HOME: "Home visit",
    Place.VIDEO: "Video",
}
DRIVING_LABELS = {
    DrivingRule.NONE: "No restriction",
    DrivingRule.HOURS: "Hours after the session",
    DrivingRule.NEXT_MORNING: "Not until the next day",
}
# What a new therapy starts as: one chair session, no fasting, no driver, general wording.
NEW_THERAPY = svc.TherapyEdit(
    name="", session_noun="session", treatment_minutes=60, observation_minutes=0,
    buffer_minutes=15, places=Place.CHAIR.value, colour="#4a90d9",
)  # fmt: skip
WORDING_NOTE = (
    "A therapy you add starts on the general wording, which says nothing about any one drug. "
    "Choose a shipped wording above, or write your own files named after its code "
    "(prep.<code>.toml, aftercare.<code>.toml) in the letter template folder (Clinic tab)."
)


class TherapiesModel(RowsModel[svc.TherapyEntry]):
    COL_NAME, COL_MINUTES, COL_PLACES = range(3)
    HEADERS = ("Therapy", "Treatment + observation + buffer", "Where")

    def value(self, row: svc.TherapyEntry, column: int, role: int) -> Any:
        e = row.edit
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_NAME:
                return e.name if e.active else f"{e.name} (not offered)"
            if column == self.COL_MINUTES:
                return f"{e.treatment_minutes} + {e.observation_minutes} + {e.buffer_minutes} min"
            return ", ".join(PLACE_LABELS[Place(p)] for p in e.places.split(",") if p)
        if role == Qt.ItemDataRole.DecorationRole and column == self.COL_NAME:
            return QColor(e.colour)
        return row.therapy_id if role == ID_ROLE else None


class TherapiesTab(ListEditor[svc.TherapyEntry]):
    """Settings → Therapies (New therapy adds one, on the general letter wording)."""

    noun = "therapy"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, TherapiesModel(), parent)
        self.noun_edit = QLineEdit()
        self.noun_edit.setPlaceholderText("e.g. infusion (“infusion 3 of 6”)")
        self.treatment = minutes(1)
        self.observation = minutes(0)
        self.buffer = minutes(0)
        self.place_boxes = {p: QCheckBox(PLACE_LABELS[p]) for p in Place}
        places = check_grid(self.place_boxes.values(), columns=3)
        self.colour = QLineEdit()
        self.colour.setPlaceholderText("#3b7dd8")
        self.solids = optional_spin(24 * 60, "no fasting", " min")
        self.liquids = optional_spin(24 * 60, "no fasting", " min")
        self.driving = combo(DRIVING_LABELS)
        self.driving_hours = optional_spin(72, "—", " h")
        self.needs_driver = QCheckBox("Needs a driver home")
        self.needs_rems = QCheckBox("Needs REMS enrolment")
        self.needs_screening = QCheckBox("Needs screening cleared")
        self.aftercare = QCheckBox("Patients go home with an aftercare letter")
        self.active = QCheckBox("Offered by the clinic")
        self.wording = combo(svc.letter_wordings())
        self.wording_note = note_label(WORDING_NOTE)
        self.wording_note.setTextFormat(Qt.TextFormat.PlainText)  # "<code>" is text, not a tag
        add_rows(
            self.form,
            self.problems,
            (
                Row("Name:", self.name, "name"),
                Row("One session is called:", self.noun_edit, "session_noun"),
                Row("Treatment:", self.treatment, "treatment_minutes"),
                Row("Observation:", self.observation, "observation_minutes"),
                Row("Chair turnover:", self.buffer, "buffer_minutes"),
                Row("Given in:", places, "places"),
                Row("Calendar colour:", self.colour, "colour"),
                Row("No solids for:", self.solids, "fasting_solids_minutes"),
                Row("No liquids for:", self.liquids, "fasting_liquids_minutes"),
                Row("Driving:", self.driving, "driving_rule"),
                Row("No driving for:", self.driving_hours, "driving_hours"),
                Row("Letter wording:", self.wording, "letter_wording"),
            ),
        )
        self.form.addRow("", self.wording_note)
        boxes = (self.needs_driver, self.needs_rems, self.needs_screening, self.aftercare)
        for box in (*boxes, self.active):
            self.form.addRow("", box)

    def rows(self, db: Session) -> list[svc.TherapyEntry]:
        return svc.list_therapies(db)

    def row_id(self, row: svc.TherapyEntry) -> int:
        return row.therapy_id

    def row_title(self, row: svc.TherapyEntry) -> str:
        return row.edit.name

    def fill(self, row: svc.TherapyEntry) -> None:
        e = row.edit
        self.name.setText(e.name)
        self.noun_edit.setText(e.session_noun)
        self.treatment.setValue(e.treatment_minutes)
        self.observation.setValue(e.observation_minutes)
        self.buffer.setValue(e.buffer_minutes)
        chosen = set(e.places.split(","))
        for place, box in self.place_boxes.items():
            box.setChecked(place.value in chosen)
        self.colour.setText(e.colour)
        self.solids.setValue(e.fasting_solids_minutes or 0)
        self.liquids.setValue(e.fasting_liquids_minutes or 0)
        set_combo(self.driving, e.driving_rule)
        self.driving_hours.setValue(e.driving_hours or 0)
        self.needs_driver.setChecked(e.needs_driver)
        self.needs_rems.setChecked(e.needs_rems)
        self.needs_screening.setChecked(e.needs_screening)
        self.aftercare.setChecked(e.aftercare_letter)
        set_combo(self.wording, e.letter_wording)
        self.active.setChecked(e.active)

    def fill_new(self) -> None:
        """A blank therapy: the general letter wording until the clinic chooses another."""
        self.fill(svc.TherapyEntry(0, "", NEW_THERAPY))

    def write(self, db: Session) -> int:
        # The usual place stays first: keep the saved order, then any newly ticked place.
        saved_order: list[str] = next(
            (
                r.edit.places.split(",")
                for r in self.model.rows()
                if r.therapy_id == self.editing_id
            ),
            [],
        )
        ticked = [p.value for p, box in self.place_boxes.items() if box.isChecked()]
        places = [p for p in saved_order if p in ticked] + [
            p for p in ticked if p not in saved_order
        ]
        edit = svc.TherapyEdit(
            name=self.name.text(),
            session_noun=self.noun_edit.text(),
            treatment_minutes=self.treatment.value(),
            observation_minutes=self.observation.value(),
            buffer_minutes=self.buffer.value(),
            places=",".join(places),
            colour=self.colour.text().strip(),
            fasting_solids_minutes=optional(self.solids),
            fasting_liquids_minutes=optional(self.liquids),
            driving_rule=str(self.driving.currentData()),
            driving_hours=optional(self.driving_hours),
            needs_driver=self.needs_driver.isChecked(),
            needs_rems=self.needs_rems.isChecked(),
            needs_screening=self.needs_screening.isChecked(),
            active=self.active.isChecked(),
            letter_wording=str(self.wording.currentData()),
            aftercare_letter=self.aftercare.isChecked(),
        )
        return svc.save_therapy(db, self.editing_id, edit, **self._kw()).therapy_id
