"""The computed times a patient acts on: fasting cut-offs and when driving is safe again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from scheduler.domain.enums import DrivingRule
from scheduler.domain.letters.content import DrivingAdvice, FastingCutoff
from scheduler.domain.letters.facts import SessionFacts
from scheduler.domain.letters.wording import Wording
from scheduler.domain.when import clock_time, day_and_date, duration, weekday

# A cut-off earlier than this on the session's own day is "during the night before".
NIGHT_ENDS = dt.time(5, 0)
# A cut-off at or after this on an earlier day is "the evening before".
EVENING_STARTS = dt.time(12, 0)


def local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given for an instant; attach a time zone")
    return moment.astimezone(zone)


def fasting_cutoffs(
    session: SessionFacts, zone: ZoneInfo, wording: Wording, values: Mapping[str, str]
) -> tuple[FastingCutoff, ...]:
    """The clock times after which the patient may not eat, then not drink.

    Minutes are subtracted from the instant (real elapsed time), then shown on the local
    clock: an 8:00 AM session on the spring-forward morning has its 6-hour cut-off at
    1:00 AM, not at the 2:00 AM that did not exist.
    """
    therapy = session.therapy
    cutoffs = []
    for what, minutes in (
        ("solids", therapy.fasting_solids_minutes),
        ("liquids", therapy.fasting_liquids_minutes),
    ):
        if not minutes:
            continue
        at = local(session.starts_at - dt.timedelta(minutes=minutes), zone)
        when = wording.text(
            _cutoff_key(at, local(session.starts_at, zone).date()),
            {
                **values,
                "cutoff_time": clock_time(at),
                "cutoff_date": day_and_date(at.date()),
                "night_from": weekday(at.date() - dt.timedelta(days=1)),
            },
        )
        sentence = wording.text(
            f"fasting_{what}", {**values, "cutoff": when, "hours": duration(minutes)}
        )
        cutoffs.append(FastingCutoff(what, at, sentence))
    return tuple(cutoffs)


def _cutoff_key(at: dt.datetime, session_day: dt.date) -> str:
    if at.date() < session_day:
        return "cutoff_evening_before" if at.time() >= EVENING_STARTS else "cutoff_day_before"
    return "cutoff_night_before" if at.time() < NIGHT_ENDS else "cutoff_same_day"


def driving_advice(
    session: SessionFacts, zone: ZoneInfo, wording: Wording, values: Mapping[str, str]
) -> DrivingAdvice | None:
    """When the patient may drive again, or None when the therapy sets no limit.

    ``hours``: that many real hours after the end of observation. ``next_morning``: not on the
    day of the session at all, only the next day after sleep.
    """
    therapy = session.therapy
    ended = local(session.ends_at, zone)
    rule = therapy.driving_rule
    if rule is DrivingRule.HOURS and therapy.driving_hours:
        until = local(session.ends_at + dt.timedelta(hours=therapy.driving_hours), zone)
        sentence = wording.text(
            "driving_hours",
            {
                **values,
                "until_time": clock_time(until),
                "until_date": day_and_date(until.date()),
                "hours": duration(therapy.driving_hours * 60),
            },
        )
        return DrivingAdvice(rule, until, until.date(), sentence)
    if rule is DrivingRule.NEXT_MORNING:
        day = ended.date() + dt.timedelta(days=1)
        sentence = wording.text("driving_next_morning", {**values, "until_date": day_and_date(day)})
        return DrivingAdvice(rule, None, day, sentence)
    return None
