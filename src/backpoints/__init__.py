"""backpoints: guided self-massage of back pressure points.

The library API people script against (`__all__`); internal modules may change freely.
Names are imported on first use, so `import backpoints` stays cheap for the CLI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Body": "backpoints.anatomy",
    "Position": "backpoints.anatomy",
    "body_from_measurements": "backpoints.anatomy",
    "body_from_stature": "backpoints.anatomy",
    "locate": "backpoints.anatomy",
    "Catalog": "backpoints.catalog",
    "Point": "backpoints.catalog",
    "load_catalog": "backpoints.catalog",
    "BackpointsError": "backpoints.errors",
    "ReferralRequired": "backpoints.errors",
    "UnknownPoint": "backpoints.errors",
    "UnknownRegion": "backpoints.errors",
    "Settings": "backpoints.settings",
    "REGION_IDS": "backpoints.vocab",
    "REGION_LABELS": "backpoints.vocab",
    "Profile": "backpoints.screening",
    "screen": "backpoints.screening",
    "PainEntry": "backpoints.planner",
    "plan": "backpoints.planner",
    "Guide": "backpoints.steps",
    "SessionState": "backpoints.session",
    "Routine": "backpoints.routines",
    "builtin_routines": "backpoints.routines",
}

__all__ = [
    "REGION_IDS",
    "REGION_LABELS",
    "BackpointsError",
    "Body",
    "Catalog",
    "Guide",
    "PainEntry",
    "Point",
    "Position",
    "Profile",
    "ReferralRequired",
    "Routine",
    "SessionState",
    "Settings",
    "UnknownPoint",
    "UnknownRegion",
    "__version__",
    "body_from_measurements",
    "body_from_stature",
    "builtin_routines",
    "load_catalog",
    "locate",
    "plan",
    "screen",
]

if TYPE_CHECKING:
    from backpoints.anatomy import (
        Body,
        Position,
        body_from_measurements,
        body_from_stature,
        locate,
    )
    from backpoints.catalog import Catalog, Point, load_catalog
    from backpoints.errors import BackpointsError, ReferralRequired, UnknownPoint, UnknownRegion
    from backpoints.planner import PainEntry, plan
    from backpoints.routines import Routine, builtin_routines
    from backpoints.screening import Profile, screen
    from backpoints.session import SessionState
    from backpoints.settings import Settings
    from backpoints.steps import Guide
    from backpoints.vocab import REGION_IDS, REGION_LABELS


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backpoints' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
