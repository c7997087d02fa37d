"""The point catalogue: data files validated by pydantic models, loaded once."""

from backpoints.catalog.loader import Catalog, check_region, load_catalog, parse_catalog
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
