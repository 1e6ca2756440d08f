"""The command line: ``infusion-desk [--db PATH|URL] [COMMAND ...]``, or ``python main.py …``.

Without a command the desk opens. Each command lives in its own module here and registers
itself with ``add_parser(subparsers)``; its handler receives the parsed arguments and returns
the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from scheduler import APP_NAME, __version__
from scheduler.program import program_name
from scheduler.store.location import ENV_VAR, default_database_path

# Modules under scheduler.cli that each add one command.
COMMAND_MODULES = (
    "init",
    "demo",
    "sessions",
    "letters",
    "day_sheet",
    "report",
    "screenshots",
    "audit",
    "check",
    "backup",
    "export",  # and import
    "remind",
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose complaints are one ``error:`` line (and exit 2), no usage dump.

    ``--help`` still shows the usage; subcommands inherit this class from ``add_subparsers``.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=program_name(),
        description=f"{APP_NAME}: book treatment courses and print patient letters. "
        "Without a command, opens the desk.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    add_db_option(parser)
    from scheduler.cli.common import add_user_options

    add_user_options(parser)
    parser.add_argument(
        "--demo-if-new",
        action="store_true",
        help="before opening the desk, fill a new or missing database with the demo clinic "
        "(what ./desk does)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"scheduler.cli.{name}").add_parser(subparsers)
    for command_parser in subparsers.choices.values():
        _accept_db_everywhere(command_parser)
    return parser


def _accept_db_everywhere(parser: argparse.ArgumentParser) -> None:
    """Let ``--db`` follow a command too (``main.py demo --db x.sqlite3``), at any depth."""
    if not any("--db" in action.option_strings for action in parser._actions):
        add_db_option(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _accept_db_everywhere(child)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help=f"the clinic database: a SQLite file path or a SQLAlchemy URL "
        f"(default: ${ENV_VAR}, else {default_database_path()})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from scheduler.cli.desk import run_desk

        return run_desk(args)
    try:
        status: int = handler(args)
    except BrokenPipeError:
        # The reader went away (``main.py sessions ... | head``): not an error of ours.
        sys.stderr.close()
        return 0
    return status


if __name__ == "__main__":
    sys.exit(main())
