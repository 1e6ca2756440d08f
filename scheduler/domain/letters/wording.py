"""The editable wording of letters: the entries each kind must define, and their placeholders."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from scheduler.domain.enums import LetterKind
from scheduler.domain.letters.facts import TherapyFacts


@dataclass(frozen=True)
class KeySpec:
    """One entry a wording template may (and, once merged, must) define."""

    is_list: bool = False
    extras: frozenset[str] = frozenset()  # placeholders only this entry may use


_SESSION_FACTS = frozenset(
    {
        "patient", "patient_full_name", "clinic", "clinic_phone", "clinic_email", "today",
        "therapy", "noun", "session_label", "date", "time", "arrival_time", "arrival_minutes",
        "place", "observation",
    }
)  # fmt: skip
_SCHEDULE_FACTS = frozenset(
    {
        "patient", "patient_full_name", "clinic", "clinic_phone", "clinic_email", "today",
        "count", "arrival_minutes",
    }
)  # fmt: skip
_CUTOFF = frozenset({"cutoff_time", "cutoff_date", "night_from"})
_PLAIN, _LIST = KeySpec(), KeySpec(is_list=True)

# Every entry of each kind's templates; the letter code fills the placeholders.
TEMPLATE_KEYS: dict[LetterKind, dict[str, KeySpec]] = {
    LetterKind.PREP: {
        "title": _PLAIN,
        "greeting": _PLAIN,
        "intro": _PLAIN,
        "glance_heading": _PLAIN,
        "glance_date": _PLAIN,
        "glance_stop_eating": _PLAIN,
        "glance_liquids": _PLAIN,
        "glance_arrive": _PLAIN,
        "glance_video": _PLAIN,
        "glance_driver": _PLAIN,
        "glance_no_driver": _PLAIN,
        "when_heading": _PLAIN,
        "arrival": _PLAIN,
        "arrival_video": _PLAIN,
        "fasting_heading": _PLAIN,
        "fasting_solids": KeySpec(extras=frozenset({"cutoff", "hours"})),
        "fasting_liquids": KeySpec(extras=frozenset({"cutoff", "hours"})),
        "cutoff_evening_before": KeySpec(extras=_CUTOFF),
        "cutoff_day_before": KeySpec(extras=_CUTOFF),
        "cutoff_night_before": KeySpec(extras=_CUTOFF),
        "cutoff_same_day": KeySpec(extras=_CUTOFF),
        "driver_heading": _PLAIN,
        "driver_on_file": KeySpec(extras=frozenset({"driver", "driver_phone"})),
        "driver_needed": _PLAIN,
        "bring_heading": _PLAIN,
        "items": _LIST,
        "therapy_items": KeySpec(is_list=True, extras=frozenset({"one_hour_before"})),
        "video_items": _LIST,
        "during_heading": _PLAIN,
        "during": _LIST,
        "cautions_heading": _PLAIN,
        "cancel": _PLAIN,
        "closing": _PLAIN,
    },
    LetterKind.AFTERCARE: {
        "title": _PLAIN,
        "greeting": _PLAIN,
        "intro": _PLAIN,
        "glance_heading": _PLAIN,
        "glance_no_driving": _PLAIN,
        "glance_driving_hours": KeySpec(extras=frozenset({"until_time", "until_day"})),
        "glance_driving_next_day": KeySpec(extras=frozenset({"until_day"})),
        "glance_next": _PLAIN,
        "glance_crisis": _PLAIN,
        "glance_after_hours": _PLAIN,
        "driving_heading": _PLAIN,
        "driving_hours": KeySpec(extras=frozenset({"until_time", "until_date", "hours"})),
        "driving_next_morning": KeySpec(extras=frozenset({"until_date"})),
        "may_drive": _PLAIN,
        "coming_days_heading": _PLAIN,
        "coming_days": _LIST,
        "effects_heading": _PLAIN,
        "effects": _LIST,
        "emergency_heading": _PLAIN,
        "emergency_intro": _PLAIN,
        "emergency": _LIST,
        "crisis_heading": _PLAIN,
        "crisis": _LIST,
        "after_hours": KeySpec(extras=frozenset({"after_hours_phone"})),
        "after_hours_missing": _PLAIN,
        "next_heading": _PLAIN,
        "next_session": KeySpec(extras=frozenset({"label", "session_date", "session_time"})),
        "no_next_session": _PLAIN,
        "closing": _PLAIN,
    },
    LetterKind.SCHEDULE: {
        "title": _PLAIN,
        "greeting": _PLAIN,
        "intro": _PLAIN,
        "table_header": _LIST,
        "at_clinic": _PLAIN,
        "at_home": _PLAIN,
        "by_video": _PLAIN,
        "prep_heading": _PLAIN,
        "fasting_solids": KeySpec(extras=frozenset({"therapy", "hours"})),
        "fasting_liquids": KeySpec(extras=frozenset({"therapy", "hours"})),
        "arrival": _PLAIN,
        "driver_on_file": KeySpec(extras=frozenset({"driver", "driver_phone"})),
        "driver_needed": _PLAIN,
        "therapy_note": KeySpec(extras=frozenset({"therapy"})),
        "cancel": _PLAIN,
        "closing": _PLAIN,
    },
}


def allowed_placeholders(kind: LetterKind, key: str) -> frozenset[str]:
    base = _SCHEDULE_FACTS if kind is LetterKind.SCHEDULE else _SESSION_FACTS
    return base | TEMPLATE_KEYS[kind][key].extras


class _Template(string.Template):
    # Only ${name} is a placeholder, so a plain "$" in clinic wording ("$50 fee") prints as is.
    flags = re.RegexFlag(0)
    pattern = r"""
    \$(?:
      (?P<escaped>\$) |
      (?P<named>(?!)) |
      {(?P<braced>[_a-z][_a-z0-9]*)} |
      (?P<invalid>{[^}\n]*}?)
    )
    """  # type: ignore[assignment]


def template(text: str) -> string.Template:
    """The placeholder syntax of letter wording: ``${name}``; ``$$`` prints a dollar sign."""
    return _Template(text)


@dataclass(frozen=True)
class Wording:
    """The merged, checked wording of one letter kind for one therapy."""

    kind: LetterKind
    texts: Mapping[str, str | tuple[str, ...]]

    def text(self, key: str, values: Mapping[str, str]) -> str:
        raw = self.texts[key]
        assert isinstance(raw, str)
        return template(raw).substitute(values)

    def items(self, key: str, values: Mapping[str, str]) -> tuple[str, ...]:
        raw = self.texts[key]
        assert isinstance(raw, tuple)
        return tuple(template(item).substitute(values) for item in raw)


Texts = Mapping[str, str | tuple[str, ...]]


@dataclass(frozen=True)
class TemplateSet:
    """All wording: the general wording per kind, and the entries that differ per name.

    A name is a therapy's wording ("ketamine", "visit") or its code ("iv_ketamine"); a letter
    merges the general wording, then its therapy's wording, then its therapy's code, so a
    therapy nobody wrote wording for reads the neutral general letter.
    """

    general: Mapping[LetterKind, Wording]
    layers: Mapping[tuple[LetterKind, str], Texts] = field(default_factory=dict)

    def wording(self, kind: LetterKind, *names: str) -> Wording:
        texts = dict(self.general[kind].texts)
        for name in dict.fromkeys(names):
            texts.update(self.layers.get((kind, name), {}))
        return Wording(kind, texts)

    def for_therapy(self, kind: LetterKind, therapy: TherapyFacts) -> Wording:
        return self.wording(kind, therapy.letter_wording, therapy.code)
