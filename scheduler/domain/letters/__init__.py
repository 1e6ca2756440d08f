"""What a prep, aftercare or schedule letter says: every computed time and sentence, as values.

The facts come in as plain values (built from the database by the letters service); the
wording comes from editable templates (``Wording``); out comes a ``LetterContent`` that a
renderer lays out and that tests compare exactly. Instants are aware datetimes; every time a
patient reads is converted to the clinic's zone only here, after the arithmetic was done on
real elapsed time, so a fasting cut-off stays right across a daylight-saving change.

The modules: ``facts`` (what comes in), ``wording`` (template entries and placeholders),
``content`` (what comes out), ``timing`` (fasting and driving times), ``parts`` (what every
letter shares) and one module per letter kind. The names the letters service works with are
importable from here.
"""

from scheduler.domain.letters.aftercare import aftercare_letter
from scheduler.domain.letters.content import LetterContent, LetterRenderer
from scheduler.domain.letters.facts import ClinicFacts, PatientFacts, SessionFacts, TherapyFacts
from scheduler.domain.letters.prep import prep_letter
from scheduler.domain.letters.schedule import schedule_letter
from scheduler.domain.letters.wording import TemplateSet

__all__ = [
    "ClinicFacts",
    "LetterContent",
    "LetterRenderer",
    "PatientFacts",
    "SessionFacts",
    "TemplateSet",
    "TherapyFacts",
    "aftercare_letter",
    "prep_letter",
    "schedule_letter",
]
