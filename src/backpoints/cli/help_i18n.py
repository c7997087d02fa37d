"""The command line's help in the language in force.

Typer builds Click commands from the English docstrings and `help=` texts; `translate` puts
each through gettext before Click shows it. `help_texts` lists them: the Babel extractor
`extract` below gives them to `make messages` (see babel.cfg), and a test checks every one
is translated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from backpoints import i18n

#: A Click command as Typer builds it (Typer vendors its own Click, so typed loosely).
Command = Any


def _walk(command: Command) -> Iterator[Command]:
    yield command
    for sub in (getattr(command, "commands", None) or {}).values():
        yield from _walk(sub)


def help_texts(command: Command) -> list[str]:
    """Every help text of a command tree (commands and their parameters), in order, once."""
    found: list[str] = []
    for cmd in _walk(command):
        found += [t for t in (cmd.help, cmd.short_help) if t]
        found += [t for p in cmd.params if (t := getattr(p, "help", None))]
    return list(dict.fromkeys(found))


def translate(command: Command) -> None:
    """Put every help text of a command tree into the language in force."""
    if i18n.current() == i18n.DEFAULT:
        return
    for cmd in _walk(command):
        cmd.help = i18n.gettext(cmd.help) if cmd.help else cmd.help
        cmd.short_help = i18n.gettext(cmd.short_help) if cmd.short_help else cmd.short_help
        for param in cmd.params:
            text = getattr(param, "help", None)
            if text:
                param.help = i18n.gettext(text)


def extract(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method: the help texts of the `backpoints` command."""
    import typer

    from backpoints.cli.main import app

    for text in help_texts(typer.main.get_command(app)):
        yield 0, None, text, []
