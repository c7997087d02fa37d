"""backpoints: guided self-massage of back pressure points.

The library API people script against (`__all__`); internal modules may change freely.
Names are imported on first use, so `import backpoints` stays cheap for the CLI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Body": "backpoints.core.anatomy",
    "Position": "backpoints.core.anatomy",
    "body_from_measurements": "backpoints.core.anatomy",
    "body_from_stature": "backpoints.core.anatomy",
    "locate": "backpoints.core.anatomy",
    "Catalog": "backpoints.catalog",
    "Point": "backpoints.catalog",
    "load_catalog": "backpoints.catalog",
    "BackpointsError": "backpoints.core.errors",
    "ReferralRequired": "backpoints.core.errors",
    "UnknownPoint": "backpoints.core.errors",
    "UnknownRegion": "backpoints.core.errors",
    "Settings": "backpoints.settings",
    "REGION_IDS": "backpoints.core.vocab",
    "REGION_LABELS": "backpoints.core.vocab",
    "Profile": "backpoints.core.screening",
    "screen": "backpoints.core.screening",
    "PainEntry": "backpoints.core.planner",
    "plan": "backpoints.core.planner",
    "Guide": "backpoints.core.steps",
    "SessionState": "backpoints.core.guided",
    "Routine": "backpoints.core.routines",
    "builtin_routines": "backpoints.core.routines",
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
    from backpoints.catalog import Catalog, Point, load_catalog
    from backpoints.core.anatomy import (
        Body,
        Position,
        body_from_measurements,
        body_from_stature,
        locate,
    )
    from backpoints.core.errors import (
        BackpointsError,
        ReferralRequired,
        UnknownPoint,
        UnknownRegion,
    )
    from backpoints.core.guided import SessionState
    from backpoints.core.planner import PainEntry, plan
    from backpoints.core.routines import Routine, builtin_routines
    from backpoints.core.screening import Profile, screen
    from backpoints.core.steps import Guide
    from backpoints.core.vocab import REGION_IDS, REGION_LABELS
    from backpoints.settings import Settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backpoints' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
