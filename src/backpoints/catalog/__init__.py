"""The point catalogue: data files validated by pydantic models, loaded once.

Names load on first use, so the quick listing in `catalog.index` need not import pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_MODELS = "backpoints.catalog.models"
_LOADER = "backpoints.catalog.loader"
_EXPORTS: dict[str, str] = {
    "Catalog": _LOADER,
    "check_region": "backpoints.core.errors",
    "load_catalog": _LOADER,
    "parse_catalog": _LOADER,
    "Help": _MODELS,
    "HipLocation": _MODELS,
    "Names": _MODELS,
    "Point": _MODELS,
    "SacralLocation": _MODELS,
    "ScapulaLocation": _MODELS,
    "ShoulderLocation": _MODELS,
    "Source": _MODELS,
    "SpineLocation": _MODELS,
    "Technique": _MODELS,
}

__all__ = [
    "Catalog",
    "Help",
    "HipLocation",
    "Names",
    "Point",
    "SacralLocation",
    "ScapulaLocation",
    "ShoulderLocation",
    "Source",
    "SpineLocation",
    "Technique",
    "check_region",
    "load_catalog",
    "parse_catalog",
]

if TYPE_CHECKING:
    from backpoints.catalog.loader import Catalog, load_catalog, parse_catalog
    from backpoints.catalog.models import (
        Help,
        HipLocation,
        Names,
        Point,
        SacralLocation,
        ScapulaLocation,
        ShoulderLocation,
        Source,
        SpineLocation,
        Technique,
    )
    from backpoints.core.errors import check_region


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backpoints.catalog' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
