"""Asking in the terminal, and stopping: prompts that wrap at word boundaries, the end of
input, and Ctrl-C as exit code 130 with one short line in every command.

`install_interrupt` replaces Python's KeyboardInterrupt with `Interrupted`, which Click does
not turn into "Aborted!" and exit 1; `backpoints.cli.main.main` catches it and exits 130.
"""

from __future__ import annotations

import shutil
import signal
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Final, TextIO

import typer

#: The exit code of a program stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED_EXIT: Final = 130


class Interrupted(BaseException):
    """Ctrl-C: stop now, after the command has saved what it must."""


class EndOfInput(Exception):
    """The input ended (a closed pipe or Ctrl-D): stop cleanly, keep what was rated."""


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


def install_interrupt() -> None:
    """Ctrl-C raises `Interrupted` from here on (call once, from the entry point)."""
    signal.signal(signal.SIGINT, _raise_interrupted)


def wrap_prompt(prompt: str, width: int | None = None) -> str:
    """The prompt broken between words so no line is wider than the terminal."""
    columns = width or shutil.get_terminal_size((80, 24)).columns
    return "\n".join(textwrap.wrap(prompt, max(20, columns - 8))) or prompt


def ask(prompt: str) -> str:
    """One answer typed at the prompt ('' for Enter); EndOfInput when the input has ended."""
    # a question already ends in its own mark: no ":" after it
    suffix = " " if prompt.rstrip().endswith(("?", ":", "？", "：", "।")) else ": "
    try:
        text = wrap_prompt(prompt)
        return str(typer.prompt(text, default="", show_default=False, prompt_suffix=suffix))
    except (typer.Abort, EOFError):
        raise EndOfInput from None


@contextmanager
def keys_held(stream: TextIO | None = None) -> Iterator[None]:
    """While a countdown runs on a terminal: keys are not echoed (Enter cannot break the bar)
    and what was typed is thrown away at the end (it cannot answer the next question).
    Ctrl-C still stops. Off a terminal (a pipe, the tests) nothing changes."""
    stream = stream or sys.stdin
    try:
        import termios

        fd = stream.fileno()
        saved = termios.tcgetattr(fd) if stream.isatty() else None
    except (ImportError, OSError, ValueError, AttributeError):  # no terminal to hold
        saved = None
    if saved is None:
        yield
        return
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        termios.tcflush(fd, termios.TCIFLUSH)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
