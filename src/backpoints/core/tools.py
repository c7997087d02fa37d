"""The tools library: how to use each tool on the back, common mistakes, who should not.

Data in `catalog/data/tools.toml`; every tool of `vocab.TOOLS` has an entry (a test checks).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Final

from pydantic import BaseModel, ConfigDict

from backpoints.core.errors import BackpointsError
from backpoints.core.vocab import ProfileCondition, Tool
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

FIRMNESS: Final = N_(
    "How firm: think of discomfort on a 0-10 scale and aim for a 'good' 5 to 7, a pressure "
    "that feels like it is doing something but lets you breathe slowly. Ease off at once for "
    "sharp, burning or spreading pain, numbness or tingling."
)


class ToolGuide(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Tool
    name: str
    how: tuple[str, ...]
    mistakes: tuple[str, ...]
    who_should_not: tuple[str, ...] = ()
    #: The profile conditions for which this tool is never used (the rule behind the list).
    not_for: tuple[ProfileCondition, ...] = ()


class _File(BaseModel):
    tools: tuple[ToolGuide, ...]


class UnknownTool(BackpointsError, LookupError):
    field = "tool"


@cache
def tool_guides() -> dict[str, ToolGuide]:
    text = resources.files("backpoints.catalog").joinpath("data", "tools.toml").read_text()
    return {t.id: t for t in _File.model_validate(tomllib.loads(text)).tools}


def guide_for(tool: str) -> ToolGuide:
    """The guide to one tool, in the language in force."""
    found = tool_guides().get(tool)
    if found is None:
        raise UnknownTool(f"Unknown tool {tool!r}. Tools: {', '.join(tool_guides())}.")
    return translated(found)


def translated(guide: ToolGuide) -> ToolGuide:
    """A tool guide with its texts in the language in force (gettext, from tools.toml)."""
    return guide.model_copy(
        update={
            "name": _(guide.name),
            "how": tuple(_(t) for t in guide.how),
            "mistakes": tuple(_(t) for t in guide.mistakes),
            "who_should_not": tuple(_(t) for t in guide.who_should_not),
        }
    )


def firmness() -> str:
    """How firm to press, in the language in force."""
    return _(FIRMNESS)
