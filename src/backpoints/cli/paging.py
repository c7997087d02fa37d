"""Output taller than the terminal goes through a pager, as git does: `less -RFX` keeps the
colours, quits at once when everything fits, and leaves the text on the screen."""

from __future__ import annotations

import shutil
import subprocess
import sys

from rich.console import Console, RenderableType
from rich.pager import Pager


class LessPager(Pager):
    """`less -RFX` when installed; otherwise the text is printed as it is."""

    def show(self, content: str) -> None:
        less = shutil.which("less")
        if less is None:
            sys.stdout.write(content)
            return
        subprocess.run([less, "-RFX"], input=content.encode("utf-8"), check=False)


def print_paged(out: Console, renderable: RenderableType, pager: Pager | None = None) -> None:
    """Print `renderable`; on a terminal too short for all of it, through `pager`."""
    lines = out.render_lines(renderable, out.options, pad=False)
    if not out.is_terminal or len(lines) <= out.size.height - 1:
        out.print(renderable)
        return
    with out.pager(pager or LessPager(), styles=True):
        out.print(renderable)
