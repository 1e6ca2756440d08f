"""The clinic's tables, as SQLAlchemy 2 typed ORM classes.

Instants are stored as naive UTC and handed out as aware UTC (``UTCDateTime``); wall-clock
times of day (opening hours) and calendar dates (birthdays, closures) are stored as such.
The schema is created and changed only by the Alembic revisions in ``store/migrations``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    literal,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from scheduler.domain.catalogue import ProtocolFields
from scheduler.domain.enums import (
    ChairKind,
    DrivingRule,
    FindingSeverity,
    FindingStatus,
    LetterKind,
    MailSecurity,
    PaperSize,
    Phase,
    Place,
    SeriesStatus,
    SessionStatus,
    StaffRole,
)

# A table's ``info`` key marking it as derived from other tables by database triggers: whole
# copies leave it out, the target's triggers rebuild it.
DERIVED = "derived"

# Named constraints, so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: refuses naive datetimes on the way in, returns aware UTC on the way out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant; attach a time zone")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


def _enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    """A column holding one of ``enum_cls``'s members, stored as its plain string value.

    The values (not the member names) go into an ordinary string column of the given length,
    without a CHECK constraint: readable in any SQL tool, easy to extend, and the same column
    the earlier revisions built. Reading a value that is not a member fails loudly.
    """
    return Enum(
        enum_cls,
        native_enum=False,
        values_callable=_values,
        length=max(length, *(len(member.value) for member in enum_cls)),
        validate_strings=True,
        create_constraint=False,
    )


def _values(enum_cls: type[StrEnum]) -> list[str]:
    """What an enum column stores for each member: its value, in declaration order."""
    return [member.value for member in enum_cls]


# The protocols table has a column of the same name for each (a test checks it).
PROTOCOL_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ProtocolFields))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ClinicSettings(Base):
    """The one row of clinic-wide settings (id is always 1)."""

    __tablename__ = "clinic_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")  # lines separated by newlines
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    logo_path: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    paper_size: Mapped[PaperSize] = mapped_column(_enum(PaperSize, 10), default=PaperSize.LETTER)
    letter_signature: Mapped[str] = mapped_column(Text, default="")
    letter_template_dir: Mapped[str | None] = mapped_column(String(500))
    # Printed on aftercare letters beside the crisis line; empty until the clinic sets it.
    after_hours_phone: Mapped[str] = mapped_column(String(40), default="")
    # How many patients one nurse may watch at once; 0 means no limit is enforced.
    nurse_patient_limit: Mapped[int] = mapped_column(Integer, default=4)
    arrival_minutes_before: Mapped[int] = mapped_column(Integer, default=15)
    late_cancel_hours: Mapped[int] = mapped_column(Integer, default=24)
    home_visit_travel_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # Slot grid for proposals and free-slot searches.
    slot_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # The desk locks after this many minutes without a key press or a click.
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # Daily backups (services/backup.py): where they go (none until set), how long kept.
    backup_folder: Mapped[str | None] = mapped_column(String(500))
    backup_keep_days: Mapped[int] = mapped_column(Integer, default=14)
    last_backup_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The mail server letters are emailed through (services/mail.py); the password is kept in
    # the operating system's credential store, never here.
    smtp_host: Mapped[str] = mapped_column(String(200), default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=587)
    smtp_security: Mapped[MailSecurity] = mapped_column(
        _enum(MailSecurity, 10), default=MailSecurity.STARTTLS
    )
    smtp_user: Mapped[str] = mapped_column(String(200), default="")
    smtp_from: Mapped[str] = mapped_column(String(200), default="")


class OpeningHours(Base):
    """When the clinic is open on one weekday (0 = Monday). A weekday without a row is closed."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, unique=True)
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)


class Closure(Base):
    """A whole day the clinic is closed (a holiday, training, a burst pipe)."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Chair(Base):
    """A place a session occupies: an infusion chair or a room (see ``ChairKind``)."""

    __tablename__ = "chairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ChairKind] = mapped_column(_enum(ChairKind), default=ChairKind.CHAIR)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Staff(Base):
    """A person on the clinic's staff, and their account for signing in to the desk."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Comma-separated ``StaffRole`` values: one person may hold several roles.
    roles: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: listed (e.g. as a nurse for home visits) but cannot sign in.
    sign_in: Mapped[str | None] = mapped_column(String(60), unique=True, index=True)

    password: Mapped[StaffPassword | None] = relationship(back_populates="staff")

    @property
    def role_set(self) -> frozenset[StaffRole]:
        return frozenset(StaffRole(r) for r in self.roles.split(",") if r)

    @classmethod
    def holding(cls, role: StaffRole) -> ColumnElement[bool]:
        """A query condition: the staff member holds ``role`` (among others)."""
        return (literal(",") + cls.roles + ",").contains(f",{role.value},")


class StaffPassword(Base):
    """A staff member's password hash and wrong-password count.

    Kept apart from ``Staff`` so that the audit trail's copies of a staff row never hold the
    hash.
    """

    __tablename__ = "staff_passwords"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Wrong passwords in a row; at the limit the account is locked until ``locked_until``.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(back_populates="password")


class Therapy(Base):
    """A kind of session the clinic gives, with the times and rules its letters and bookings use."""

    __tablename__ = "therapies"
    __table_args__ = (
        CheckConstraint("treatment_minutes > 0", name="treatment_positive"),
        CheckConstraint(
            "observation_minutes >= 0 AND buffer_minutes >= 0", name="minutes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # stable key, e.g. "iv_ketamine"
    name: Mapped[str] = mapped_column(String(120))  # "IV ketamine infusion"
    session_noun: Mapped[str] = mapped_column(String(40), default="session")  # "infusion 3 of 6"
    treatment_minutes: Mapped[int] = mapped_column(Integer)
    observation_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)  # chair turnover after
    # Comma-separated ``Place`` values, the first being the usual one.
    places: Mapped[str] = mapped_column(String(100), default=Place.CHAIR.value)
    fasting_solids_minutes: Mapped[int | None] = mapped_column(Integer)
    fasting_liquids_minutes: Mapped[int | None] = mapped_column(Integer)
    driving_rule: Mapped[DrivingRule] = mapped_column(_enum(DrivingRule), default=DrivingRule.NONE)
    driving_hours: Mapped[int | None] = mapped_column(Integer)
    needs_driver: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_rems: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_screening: Mapped[bool] = mapped_column(Boolean, default=False)
    # The shipped wording its letters start from ("general" for a therapy the clinic added).
    letter_wording: Mapped[str] = mapped_column(String(40), default="general")
    aftercare_letter: Mapped[bool] = mapped_column(Boolean, default=True)
    colour: Mapped[str] = mapped_column(String(9), default="#4a90d9")  # calendar block colour
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def place_list(self) -> list[Place]:
        return [Place(p) for p in self.places.split(",") if p]

    @property
    def chair_minutes(self) -> int:
        """How long a session holds its chair, turnover included."""
        return self.treatment_minutes + self.observation_minutes + self.buffer_minutes


class Protocol(Base):
    """How a therapy is scheduled: an induction series, a maintenance plan or a single session."""

    __tablename__ = "protocols"
    __table_args__ = (
        CheckConstraint(
            "phase != 'induction' OR (session_count BETWEEN 6 AND 8)", name="induction_count"
        ),
        CheckConstraint("min_gap_days >= 0", name="min_gap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    therapy_id: Mapped[int] = mapped_column(ForeignKey("therapies.id"))
    phase: Mapped[Phase] = mapped_column(_enum(Phase))
    session_count: Mapped[int | None] = mapped_column(Integer)  # default count of a series
    min_gap_days: Mapped[int] = mapped_column(Integer, default=1)
    max_gap_days: Mapped[int | None] = mapped_column(Integer)
    max_span_days: Mapped[int | None] = mapped_column(Integer)
    preferred_weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,2,4" = Mon/Wed/Fri
    maintenance_interval_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    therapy: Mapped[Therapy] = relationship()

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.preferred_weekdays.split(",") if d.strip()]

    def set_fields(self, fields: ProtocolFields) -> None:
        """Copy every protocol field onto the row: the phase as its value, weekdays as "0,2,4"."""
        columns: dict[str, Any] = {name: getattr(fields, name) for name in PROTOCOL_FIELD_NAMES}
        columns["phase"] = Phase(fields.phase).value
        columns["preferred_weekdays"] = ",".join(
            str(d) for d in sorted(set(fields.preferred_weekdays))
        )
        for name, value in columns.items():
            setattr(self, name, value)

    def field_values(self) -> dict[str, Any]:
        """Every protocol field of the row as ``ProtocolFields`` holds it, by field name."""
        values: dict[str, Any] = {name: getattr(self, name) for name in PROTOCOL_FIELD_NAMES}
        values["phase"] = Phase(self.phase)
        values["preferred_weekdays"] = tuple(self.weekday_list)
        return values


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        Index("ix_patients_name_key", "name_key"),
        Index("ix_patients_last_first", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chart_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[dt.date] = mapped_column(Date, index=True)
    mobile_phone: Mapped[str] = mapped_column(String(40), default="")
    home_phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")  # state / province / county
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    driver_name: Mapped[str] = mapped_column(String(120), default="")
    driver_phone: Mapped[str] = mapped_column(String(40), default="")
    referring_provider: Mapped[str] = mapped_column(String(200), default="")
    indications: Mapped[str] = mapped_column(Text, default="")
    # Screening: the assessment a clinician completes before an induction may be booked.
    screening_cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    screening_cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    rems_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    rems_enrolled_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The day the patient agreed to receive letters by email; None: no email is sent.
    email_consent_on: Mapped[dt.date | None] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # The name folded (lower case, accents and apostrophes removed) for sorting and for the
    # search words' name order; kept in step with the fields above by the patient service.
    name_key: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    findings: Mapped[list[ScreeningFinding]] = relationship(
        back_populates="patient", order_by="ScreeningFinding.id"
    )
    screening_cleared_by: Mapped[Staff | None] = relationship()
    search_words: Mapped[list[PatientSearchWord]] = relationship(cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        """The name the desk and letters call the patient by."""
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email_consent(self) -> bool:
        """Whether letters may be emailed to the patient (consent given, not withdrawn)."""
        return self.email_consent_on is not None

    @property
    def address_lines(self) -> list[str]:
        town = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [line for line in (self.street, town) if line]


# Search words compare byte by byte (code point order) on every backend, so that a range
# ``word >= 'nune' AND word < 'nune' || U+10FFFF`` finds exactly the words starting with "nune"
# and a B-tree serves it; PostgreSQL would otherwise compare in the database's locale.
SEARCH_WORD = String(100).with_variant(String(100, collation="C"), "postgresql")


class PatientSearchWord(Base):
    """One word a patient can be found by: a folded name word or its first letters, or a chart
    or phone number key.

    Kept in step with the patient by the patient service. The patient's ``name_key`` and
    ``archived`` are repeated here so that the (kind, word) index alone gives a page of
    patients in name order, without visiting the patients it passes over.
    """

    __tablename__ = "patient_search_words"
    __table_args__ = (
        Index(
            "ix_patient_search_words_kind_word",
            "kind",
            "word",
            "name_key",
            "patient_id",
            "archived",
        ),
        # On SQLite the rows live in the primary key's B-tree: one copy fewer, and looking up
        # one patient's words reads only that B-tree.
        {"sqlite_with_rowid": False},
    )

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(6), primary_key=True)  # "name" or "number"
    word: Mapped[str] = mapped_column(SEARCH_WORD, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(400))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class ScreeningFinding(Base):
    """A contraindication that blocks booking, or a caution printed on letters and worklists."""

    __tablename__ = "screening_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # a key of domain.screening.FINDING_KINDS
    severity: Mapped[FindingSeverity] = mapped_column(_enum(FindingSeverity))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[FindingStatus] = mapped_column(_enum(FindingStatus), default=FindingStatus.OPEN)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    resolution_reason: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship(back_populates="findings")
    resolved_by: Mapped[Staff | None] = relationship(foreign_keys=[resolved_by_id])


class Series(Base):
    """A course of sessions for one patient under one protocol: an induction or maintenance."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"))
    status: Mapped[SeriesStatus] = mapped_column(_enum(SeriesStatus), default=SeriesStatus.ACTIVE)
    planned_count: Mapped[int] = mapped_column(Integer)  # sessions the course is meant to have
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship()
    protocol: Mapped[Protocol] = relationship()
    sessions: Mapped[list[TreatmentSession]] = relationship(
        back_populates="series", order_by="TreatmentSession.starts_at"
    )


class TreatmentSession(Base):
    """One booked session: a patient, a therapy, a place and a time.

    ``starts_at``/``ends_at`` span treatment and observation; the chair stays taken for
    ``buffer_minutes`` after ``ends_at``. Minutes are copied from the therapy when booked, so a
    later catalogue edit does not move sessions already on the books.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_chair_time", "chair_id", "starts_at"),
        Index("ix_sessions_patient_time", "patient_id", "starts_at"),
        Index("ix_sessions_nurse_time", "nurse_id", "starts_at"),
        Index("ix_sessions_starts_at", "starts_at"),
        # A patient's sessions by status in time order, with the course: their last completed
        # session of a course, and whether anything is booked ahead, from the index alone.
        Index("ix_sessions_patient_status_time", "patient_id", "status", "starts_at", "series_id"),
        # Sessions of one status in time order: the booster-due list reads completed ones from
        # the oldest, checking each against the index above before reading the session.
        Index("ix_sessions_status_time", "status", "starts_at", "patient_id", "series_id"),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)  # place within the series, from 1
    therapy_id: Mapped[int] = mapped_column(ForeignKey("therapies.id"))
    place: Mapped[Place] = mapped_column(_enum(Place))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    nurse_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    treatment_minutes: Mapped[int] = mapped_column(Integer)
    observation_minutes: Mapped[int] = mapped_column(Integer)
    buffer_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[SessionStatus] = mapped_column(
        _enum(SessionStatus), default=SessionStatus.BOOKED
    )
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    makeup_for_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Who takes the patient home that day (asked at check-in), or why no one does (a nurse's
    # words, e.g. "stays for a ride service"); a sedating session is completed only with one.
    escort_name: Mapped[str] = mapped_column(String(100), default="")
    escort_phone: Mapped[str] = mapped_column(String(30), default="")
    no_escort_reason: Mapped[str] = mapped_column(Text, default="")

    patient: Mapped[Patient] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="sessions")
    therapy: Mapped[Therapy] = relationship()
    chair: Mapped[Chair | None] = relationship()
    nurse: Mapped[Staff | None] = relationship()
    history: Mapped[list[SessionStatusChange]] = relationship(
        back_populates="session", order_by="SessionStatusChange.id"
    )

    @property
    def chair_free_at(self) -> dt.datetime:
        """When the chair is ready for the next patient (end plus turnover buffer)."""
        return self.ends_at + dt.timedelta(minutes=self.buffer_minutes)


class PatientLastSession(Base):
    """Each patient's last completed session of a course: where the booster-due list starts.

    Kept by database triggers on ``sessions`` (migration 0008), in the same statement as
    the change, so every writer keeps it right: the services, undo, bulk builders, copies
    and restores, plain SQL. Derived, so copies leave it out and the target's triggers
    fill it again (``DERIVED``).
    """

    __tablename__ = "patient_last_sessions"
    __table_args__ = (
        # The booster-due list reads from the oldest last session on, a page at a time.
        Index("ix_patient_last_sessions_time", "starts_at", "session_id"),
        {"info": {DERIVED: True}},
    )

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SessionStatusChange(Base):
    """One step in a session's life (booked, confirmed, checked in, completed, cancelled...)."""

    __tablename__ = "session_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    from_status: Mapped[SessionStatus | None] = mapped_column(_enum(SessionStatus))
    to_status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120), default="")

    session: Mapped[TreatmentSession] = relationship(back_populates="history")


class Letter(Base):
    """A record of one generated letter, so the desk sees what has been printed."""

    __tablename__ = "letters"
    __table_args__ = (
        Index("ix_letters_session_kind", "session_id", "kind"),
        # "What was printed today" on the Letters screen.
        Index("ix_letters_generated_at", "generated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(_enum(LetterKind))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    generated_by: Mapped[str] = mapped_column(String(120), default="")
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    file_name: Mapped[str] = mapped_column(String(300), default="")


class LetterEmail(Base):
    """One letter emailed to a patient, or the attempt that failed and why."""

    __tablename__ = "letter_emails"
    __table_args__ = (Index("ix_letter_emails_session_kind", "session_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(_enum(LetterKind))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    # None for a schedule letter, which covers all of the patient's upcoming sessions.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    sent: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it failed; empty when sent
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120), default="")


class AuditEntry(Base):
    """One write to the clinic's data: who, when, what, and the row before and after."""

    __tablename__ = "audit_trail"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "patient.create", "session.cancel"
    entity: Mapped[str] = mapped_column(String(40))  # table name
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")  # e.g. a clinician's override reason
    # Whose record the write touched, for the Audit screen's patient filter. No foreign key:
    # the trail must outlive and never block anything it mentions.
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The tamper-evident chain (store/audit_hash.py): the previous entry's hash and this
    # entry's own. ``prev_hash`` is unique, so two writers can never both extend one entry.
    prev_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    entry_hash: Mapped[str | None] = mapped_column(String(64))

    # The clinician who signed a decision, when it is not the person at the desk (``actor``);
    # None when nobody else signed (an empty column stays out of the entry's hash).
    signed_by: Mapped[str | None] = mapped_column(String(120))


class AuditCheckpoint(Base):
    """How far the audit chain is known to be intact (one row): a check reads only newer entries."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class WaitlistEntry(Base):
    """A patient waiting for a first course or an earlier slot, with the terms they accept.

    Weekdays and chairs are comma-separated ids ("0,2,4", "3,5"); empty means any. The entry
    is deleted when the patient is booked from it or taken off the list (the audit trail keeps
    it).
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("notice_hours >= 0", name="notice_not_negative"),
        Index("ix_waitlist_entries_added_at", "added_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"))
    weekdays: Mapped[str] = mapped_column(String(20), default="")
    earliest_start: Mapped[dt.time | None] = mapped_column(Time)
    latest_start: Mapped[dt.time | None] = mapped_column(Time)
    chair_ids: Mapped[str] = mapped_column(String(200), default="")
    earliest_day: Mapped[dt.date | None] = mapped_column(Date)
    notice_hours: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(120), default="")

    patient: Mapped[Patient] = relationship()
    protocol: Mapped[Protocol] = relationship()
