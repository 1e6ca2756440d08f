"""Loading the editable letter wording: shipped TOML files, overridden by the clinic's own.

Files are named ``<kind>.toml`` (prep, aftercare, schedule) for every therapy, and
``<kind>.<name>.toml`` for the entries that differ for some therapies, where the name is a
therapy's wording (``prep.ketamine.toml``, used by IV and IM ketamine) or one therapy's code
(``prep.iv_ketamine.toml``). A letter merges, from general to specific, the kind's file, its
therapy's wording file and its therapy's code file; at each step the clinic's file wins over
the shipped one. Every file is checked completely when loaded; a problem is refused with the
file and line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import platformdirs

from scheduler import APP_SLUG, resources
from scheduler.domain.enums import LetterKind
from scheduler.domain.letters.wording import (
    TEMPLATE_KEYS,
    TemplateSet,
    Wording,
    allowed_placeholders,
    template,
)
from scheduler.errors import ServiceError

SHIPPED_DIR = resources.shipped("letters")
_FILE_NAME = re.compile(r"^(prep|aftercare|schedule)(?:\.([a-z0-9_]+))?\.toml$")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")

Texts = dict[str, str | tuple[str, ...]]


# The most an entry may hold: the longest shipped text is under 200 characters.
ENTRY_MAX_CHARS = 2000
ENTRY_MAX_ITEMS = 40


class TemplateError(ServiceError):
    """A wording file cannot be used; the message names the file and the line."""


def user_template_dir() -> Path:
    """The clinic's own wording folder in the user data folder (used when Settings names none)."""
    return platformdirs.user_data_path(APP_SLUG, appauthor=False) / "letters"


def load_templates(
    clinic_dir: str | Path | None = None, *, shipped_dir: Path = SHIPPED_DIR
) -> TemplateSet:
    """All wording, the clinic's folder (Settings, else the user data folder) over the shipped."""
    own = Path(clinic_dir).expanduser() if clinic_dir else user_template_dir()
    if clinic_dir and not own.is_dir():
        raise TemplateError(f"The letter template folder {own} does not exist.")
    for kind in LetterKind:
        # The general wording ships with the desk; without it every letter would be refused
        # as if the clinic's wording were at fault.
        resources.required_file(shipped_dir / f"{kind.value}.toml", f"letters/{kind.value}.toml")
    shipped = _read_folder(shipped_dir)
    clinic = _read_folder(own) if own.is_dir() else {}
    general: dict[LetterKind, Wording] = {}
    layers: dict[tuple[LetterKind, str], Texts] = {}
    for kind in LetterKind:
        base: Texts = {**shipped.get((kind, None), {}), **clinic.get((kind, None), {})}
        missing = [key for key in TEMPLATE_KEYS[kind] if key not in base]
        if missing:
            raise TemplateError(
                f"The {kind.value} letter wording has no entry for {', '.join(missing)} "
                f"(looked in {own / (kind.value + '.toml')} and {shipped_dir})."
            )
        general[kind] = Wording(kind, base)
        names = {name for (k, name) in (*shipped, *clinic) if k is kind and name is not None}
        for name in sorted(names):
            layers[(kind, name)] = {**shipped.get((kind, name), {}), **clinic.get((kind, name), {})}
    return TemplateSet(general, layers)


def _read_folder(folder: Path) -> dict[tuple[LetterKind, str | None], Texts]:
    found: dict[tuple[LetterKind, str | None], Texts] = {}
    for path in sorted(folder.glob("*.toml")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            continue
        kind = LetterKind(match.group(1))
        found[(kind, match.group(2))] = parse_template_file(path, kind)
    return found


def parse_template_file(path: Path, kind: LetterKind) -> Texts:
    """The entries of one wording file, every one checked; ``TemplateError`` otherwise."""
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path}: is not UTF-8 text (byte {exc.start}).") from exc
    except OSError as exc:
        raise TemplateError(f"{path}: cannot be read ({exc.strerror}).") from exc
    return parse_template_text(source, kind, str(path))


def parse_template_text(source: str, kind: LetterKind, name: str) -> Texts:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        if position is None:
            raise TemplateError(f"{name}: {message}") from exc
        detail = message[: position.start()]
        raise TemplateError(
            f"{name}, line {position.group(1)}: {detail} (check the quotes and brackets there)."
        ) from exc
    lines = source.splitlines()
    specs = TEMPLATE_KEYS[kind]
    texts: Texts = {}
    for key, value in data.items():
        line = _key_line(lines, key)
        where = f"{name}, line {line}"
        spec = specs.get(key)
        if spec is None:
            raise TemplateError(
                f"{where}: “{key}” is not an entry of the {kind.value} letter "
                f"(known entries: {', '.join(specs)})."
            )
        if spec.is_list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TemplateError(f"{where}: “{key}” must be a list of texts in [ ].")
            items = tuple(value)
        elif isinstance(value, str):
            items = (value,)
        else:
            raise TemplateError(f"{where}: “{key}” must be one text in quotes.")
        _check_size(items, key, where)
        allowed = allowed_placeholders(kind, key)
        for item in items:
            _check_placeholders(item, allowed, key, lines, line, name)
        texts[key] = items if spec.is_list else items[0]
    return texts


def _check_size(items: tuple[str, ...], key: str, where: str) -> None:
    """Refuse an entry too long for a letter: a pasted book would take minutes to lay out."""
    if len(items) > ENTRY_MAX_ITEMS:
        raise TemplateError(
            f"{where}: “{key}” has {len(items):,} items; an entry may have at most "
            f"{ENTRY_MAX_ITEMS}."
        )
    longest = max((len(item) for item in items), default=0)
    if longest > ENTRY_MAX_CHARS:
        raise TemplateError(
            f"{where}: “{key}” has a text of {longest:,} characters; a text may have at most "
            f"{ENTRY_MAX_CHARS:,}."
        )


def _check_placeholders(
    text: str, allowed: frozenset[str], key: str, lines: list[str], line: int, name: str
) -> None:
    for match in template(text).pattern.finditer(text):
        found = match.group(0)
        where = f"{name}, line {_text_line(lines, line, found)}"
        if match.group("invalid") is not None:
            raise TemplateError(
                f"{where}: “{found}” in “{key}” is not a placeholder; write ${{name}}, "
                "or $$ for a dollar sign."
            )
        placeholder = match.group("braced")
        if placeholder is not None and placeholder not in allowed:
            raise TemplateError(
                f"{where}: “{key}” uses the unknown placeholder {found}; it may use "
                + ", ".join(f"${{{p}}}" for p in sorted(allowed))
                + "."
            )


def _key_line(lines: list[str], key: str) -> int:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for number, text in enumerate(lines, start=1):
        if pattern.match(text):
            return number
    return 1


def _text_line(lines: list[str], start: int, fragment: str) -> int:
    for number in range(start, len(lines) + 1):
        if fragment in lines[number - 1]:
            return number
    return start
