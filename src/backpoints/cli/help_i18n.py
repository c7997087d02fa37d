"""The command line's help in the language in force.

Typer builds Click commands from the English docstrings and `help=` texts; `translate` puts
each through gettext before Click shows it. `help_texts` lists them: the Babel extractor
`extract` below gives them, and Click's own words (`CLICK_WORDS`, said by a help formatter of
ours), to `make messages` (see babel.cfg), and a test checks every one is translated.
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


#: Click's own words in a help page (its headings, the usage line, the --help option).
CLICK_WORDS: dict[str, str] = {
    "Usage: ": i18n.N_("Usage: "),
    "Options": i18n.N_("Options"),
    "Commands": i18n.N_("Commands"),
    "Arguments": i18n.N_("Arguments"),
    "Show this message and exit.": i18n.N_("Show this message and exit."),
    "required": i18n.N_("required"),
    "default": i18n.N_("default"),
}


def _said(text: str) -> str:
    """`text` in the language in force if it is one of Click's words; a parameter's help has
    its "[required]" and "[default: ...]" said too."""
    if text in CLICK_WORDS:
        return i18n.gettext(CLICK_WORDS[text])
    text = text.replace("[required]", f"[{_said('required')}]")
    return text.replace("[default: ", f"[{_said('default')}: ")


def _translated_context(context_class: Any) -> Any:
    """The command's context class with a help formatter that says Click's words in the
    language in force (Click writes them as fixed English)."""
    base = context_class.formatter_class

    class Formatter(base):  # type: ignore[misc, valid-type]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, _said("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            super().write_heading(_said(heading))

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            super().write_dl([(a, _said(b)) for a, b in rows], *args, **kwargs)

    return type("TranslatedContext", (context_class,), {"formatter_class": Formatter})


def translate(command: Command) -> None:
    """Put every help text of a command tree, and Click's own words, into the language in
    force."""
    if i18n.current() == i18n.DEFAULT:
        return
    for cmd in _walk(command):
        cmd.context_class = _translated_context(cmd.context_class)
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

    for text in [*help_texts(typer.main.get_command(app)), *CLICK_WORDS.values()]:
        yield 0, None, text, []
