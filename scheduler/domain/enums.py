"""The fixed vocabularies of the clinic, stored by value in the database."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    """What a staff member does at the clinic; one person may hold several roles."""

    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    CLINICIAN = "clinician"
    ADMINISTRATOR = "administrator"


class ChairKind(StrEnum):
    """What kind of place a chair row is: sessions need a place of a kind their therapy allows."""

    CHAIR = "chair"
    ROOM = "room"
    PROCEDURE_ROOM = "procedure_room"
    OFFICE = "office"


class Place(StrEnum):
    """Where a therapy may be given. The first four need a chair row of that kind."""

    CHAIR = "chair"
    ROOM = "room"
    PROCEDURE_ROOM = "procedure_room"
    OFFICE = "office"
    HOME = "home"
    VIDEO = "video"

    @property
    def needs_chair(self) -> bool:
        return self not in (Place.HOME, Place.VIDEO)

    @property
    def label(self) -> str:
        return _PLACE_LABELS[self]


_PLACE_LABELS = {
    Place.CHAIR: "Clinic chair",
    Place.ROOM: "Clinic room",
    Place.PROCEDURE_ROOM: "Procedure room",
    Place.OFFICE: "Office",
    Place.HOME: "Home visit",
    Place.VIDEO: "Video call",
}


class DrivingRule(StrEnum):
    """When a patient may drive again after a session."""

    NONE = "none"  # no restriction (e.g. a consultation)
    HOURS = "hours"  # a number of hours after the end of observation
    NEXT_MORNING = "next_morning"  # not until the next day, after restful sleep


class Phase(StrEnum):
    INDUCTION = "induction"
    MAINTENANCE = "maintenance"
    SINGLE = "single"


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MailSecurity(StrEnum):
    """How the desk talks to the clinic's mail server."""

    STARTTLS = "starttls"  # plain connection upgraded to TLS (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption: only to a server on this computer (loopback)


class SessionStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def holds_slot(self) -> bool:
        """Whether a session in this status still occupies its chair, nurse and patient."""
        return self not in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)

    @property
    def label(self) -> str:
        return _SESSION_STATUS_LABELS[self]


# The statuses of sessions that still occupy their chair, nurse and patient.
HOLDING = tuple(s for s in SessionStatus if s.holds_slot)
# Sessions still to come as the patient knows them: on their schedule letter and calendar file.
UPCOMING = (SessionStatus.BOOKED, SessionStatus.CONFIRMED)

_SESSION_STATUS_LABELS = {
    SessionStatus.BOOKED: "Booked",
    SessionStatus.CONFIRMED: "Confirmed",
    SessionStatus.CHECKED_IN: "Checked in",
    SessionStatus.COMPLETED: "Completed",
    SessionStatus.CANCELLED: "Cancelled",
    SessionStatus.NO_SHOW: "No-show",
}


class FindingSeverity(StrEnum):
    """A screening finding either blocks booking until resolved, or is a caution to print."""

    BLOCKING = "blocking"
    CAUTION = "caution"


class FindingStatus(StrEnum):
    OPEN = "open"
    CLEARED = "cleared"  # a clinician judged it no longer applies
    OVERRIDDEN = "overridden"  # it applies, but a clinician accepted the risk, with a reason


class LetterKind(StrEnum):
    PREP = "prep"
    AFTERCARE = "aftercare"
    SCHEDULE = "schedule"


class PaperSize(StrEnum):
    A4 = "A4"
    LETTER = "Letter"
