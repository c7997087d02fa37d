"""Asking in the terminal, and stopping: prompts that wrap at word boundaries, the end of
input, and Ctrl-C as exit code 130 with one short line in every command.

`install_interrupt` replaces Python's KeyboardInterrupt with `Interrupted`, which Click does
not turn into "Aborted!" and exit 1; `backpoints.cli.main.main` catches it and exits 130.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Final, Protocol, TextIO

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


#: Keys that pause a countdown and go on again, and the key that ends it early.
PAUSE_KEYS: Final = frozenset(" p")
STOP_KEY: Final = "s"


class Keys(Protocol):
    """The keyboard during a countdown."""

    #: True on a real terminal, where the pause and stop keys work (and are worth a hint).
    live: bool

    def wait(self, seconds: float | None, sleep: Callable[[float], None]) -> str | None:
        """Wait `seconds` (None: until a key); the pause or stop key typed meanwhile, if any."""
        ...


class HeldKeys:
    """The terminal's keys, read one at a time without echo (`keys_held`); any other key is
    dropped. Off a terminal (`fd` None) `wait` just sleeps."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        self.live = fd is not None

    def wait(self, seconds: float | None, sleep: Callable[[float], None]) -> str | None:
        if self.fd is None:
            if seconds is not None:
                sleep(seconds)
            return None
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return None
            key = os.read(self.fd, 1).decode("utf-8", "replace").lower()
            if key in PAUSE_KEYS or key == STOP_KEY:
                return key


@contextmanager
def keys_held(stream: TextIO | None = None) -> Iterator[Keys]:
    """While a countdown runs on a terminal: keys are not echoed (Enter cannot break the bar),
    space or p pauses and s ends it early (`HeldKeys`), and what else was typed is thrown away
    at the end (it cannot answer the next question). Ctrl-C still stops. Off a terminal (a
    pipe, the tests) nothing changes."""
    stream = stream or sys.stdin
    try:
        import termios

        fd = stream.fileno()
        saved = termios.tcgetattr(fd) if stream.isatty() else None
    except (ImportError, OSError, ValueError, AttributeError):  # no terminal to hold
        saved = None
    if saved is None:
        yield HeldKeys(None)
        return
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    quiet[6][termios.VMIN], quiet[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield HeldKeys(fd)
    finally:
        termios.tcflush(fd, termios.TCIFLUSH)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
