"""Hatch build hook: compile the translation catalogues (.po -> .mo) into the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogues(BuildHookInterface):  # type: ignore[type-arg]
    """Writes src/backpoints/i18n/<lang>/LC_MESSAGES/backpoints.mo before the build."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root) / "src" / "backpoints" / "i18n"
        for po in root.glob("*/LC_MESSAGES/backpoints.po"):
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as out:
                write_mo(out, catalog)
