"""Wording templates: the clinic's own win, and a broken one is refused with file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.domain.enums import LetterKind
from scheduler.domain.letters import prep_letter
from scheduler.letters.templates import SHIPPED_DIR, TemplateError, load_templates
from scheduler.resources import MissingResource
from tests.test_letter_content import CLINIC, IV, PATIENT, at, session


def test_shipped_templates_cover_every_kind_and_each_therapy_wording() -> None:
    templates = load_templates(None)
    assert set(templates.general) == set(LetterKind)
    wordings = ("ketamine", "esketamine", "nad", "sgb")
    assert set(templates.layers) == {
        *((kind, name) for kind in LetterKind for name in wordings),
        (LetterKind.PREP, "visit"),
        (LetterKind.SCHEDULE, "visit"),
    }
    # The general wording says nothing drug-specific; each therapy's adds its own entries.
    general = templates.wording(LetterKind.PREP)
    ketamine = templates.wording(LetterKind.PREP, "ketamine", "iv_ketamine")
    esketamine = templates.wording(LetterKind.PREP, "esketamine", "esketamine")
    assert general.texts["therapy_items"] == ()
    assert len(ketamine.texts["therapy_items"]) == 3
    assert len(esketamine.texts["therapy_items"]) == 4
    assert esketamine.texts["greeting"] == general.texts["greeting"]


def test_clinic_folder_wins_entry_by_entry(tmp_path: Path) -> None:
    (tmp_path / "prep.toml").write_text(
        'greeting = "Hello ${patient}!"\ncancel = "Call $${clinic_phone}: fee $$50."\n',
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("ignored: not a template name")
    templates = load_templates(tmp_path)
    letter = prep_letter(
        CLINIC, PATIENT, session(IV, at(2026, 11, 16, 8)), templates, today=dt.date(2026, 11, 14)
    )
    assert letter.greeting == "Hello Zoë Łukasiewicz-Núñez!"
    assert letter.sections[-1].paragraphs == ("Call ${clinic_phone}: fee $50.",)
    assert letter.title == "Preparing for your infusion 3 of 6"  # still the shipped entry


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BROKEN = [
    pytest.param(
        "prep.toml",
        'title = "Hi"\n\ngreeting = "Dear ${patient},\n',
        ", line 3: ",
        id="unterminated-string",
    ),
    pytest.param(
        "prep.toml",
        'title = "Hi"\ngreeting = "Dear ${pateint},"\n',
        ", line 2: “greeting” uses the unknown placeholder ${pateint}; it may use ",
        id="unknown-placeholder",
    ),
    pytest.param(
        "aftercare.toml",
        'effects = [\n  "fine",\n  "also ${until_time}",\n]\n',
        ", line 3: “effects” uses the unknown placeholder ${until_time}; it may use ",
        id="placeholder-of-another-entry",
    ),
    pytest.param(
        "prep.toml",
        'intro = "See you ${date at ${time}"\n',
        ", line 1: “${date at ${time}” in “intro” is not a placeholder; write ${name}, "
        "or $$ for a dollar sign.",
        id="unclosed-brace",
    ),
    pytest.param(
        "schedule.toml",
        'closing = "Bye"\nsignoff = "x"\n',
        ", line 2: “signoff” is not an entry of the schedule letter (known entries: ",
        id="unknown-entry",
    ),
    pytest.param(
        "prep.esketamine.toml",
        'items = "one text"\n',
        ", line 1: “items” must be a list of texts in [ ].",
        id="text-for-a-list",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BROKEN)
def test_broken_template_is_refused_with_file_and_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(TemplateError) as refused:
        load_templates(tmp_path)
    assert str(refused.value).startswith(f"{path}{message}")


def test_a_named_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        load_templates(tmp_path / "missing")


def test_an_incomplete_shipped_set_names_the_missing_entries(tmp_path: Path) -> None:
    for path in SHIPPED_DIR.glob("*.toml"):
        _write(tmp_path, path.name, path.read_text(encoding="utf-8"))
    text = (tmp_path / "schedule.toml").read_text(encoding="utf-8")
    _write(tmp_path, "schedule.toml", text.replace('closing = "We look forward', '# closing = "'))
    with pytest.raises(TemplateError) as refused:
        load_templates(None, shipped_dir=tmp_path)
    assert str(refused.value).startswith("The schedule letter wording has no entry for closing ")


def test_a_shipped_file_missing_blames_the_installation_not_the_wording(tmp_path: Path) -> None:
    for path in SHIPPED_DIR.glob("*.toml"):
        if path.name != "prep.toml":
            _write(tmp_path, path.name, path.read_text(encoding="utf-8"))
    with pytest.raises(MissingResource) as refused:
        load_templates(None, shipped_dir=tmp_path)
    assert str(refused.value).startswith("The installation is missing letters/prep.toml ")


def test_the_user_data_folder_is_used_when_settings_name_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    own = tmp_path / "infusion-desk" / "letters"
    own.mkdir(parents=True)
    _write(own, "aftercare.esketamine.toml", 'closing = "Rest well, ${patient}."\n')
    templates = load_templates(None)
    assert templates.wording(LetterKind.AFTERCARE, "esketamine").texts["closing"] == (
        "Rest well, ${patient}."
    )
    assert templates.wording(LetterKind.AFTERCARE, "iv_ketamine").texts["closing"] == (
        "If anything worries you, call us on ${clinic_phone}."
    )
