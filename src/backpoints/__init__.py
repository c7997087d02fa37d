"""backpoints: guided self-massage of back pressure points.

The library API people script against; internal modules may change freely.
"""

from backpoints.anatomy import (
    Body,
    Position,
    body_from_measurements,
    body_from_stature,
    locate,
)
from backpoints.catalog import Catalog, Point, load_catalog
from backpoints.errors import BackpointsError, ReferralRequired, UnknownPoint, UnknownRegion
from backpoints.settings import Settings
from backpoints.vocab import REGION_IDS, REGION_LABELS

__version__ = "0.1.0"

__all__ = [
    "REGION_IDS",
    "REGION_LABELS",
    "BackpointsError",
    "Body",
    "Catalog",
    "Point",
    "Position",
    "ReferralRequired",
    "Settings",
    "UnknownPoint",
    "UnknownRegion",
    "__version__",
    "body_from_measurements",
    "body_from_stature",
    "load_catalog",
    "locate",
]
