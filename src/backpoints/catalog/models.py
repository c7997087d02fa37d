"""Pydantic models of the point catalogue: points, where they are, how to press them, sources.

The catalogue is data (TOML files beside this module); these models validate it on load.
Imports only `backpoints.core.vocab`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backpoints.core.vocab import (
    LEVEL_INDEX,
    Motion,
    Pressure,
    ProfileCondition,
    RegionId,
    Tool,
    Tradition,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_level(level: str) -> str:
    if level not in LEVEL_INDEX:
        raise ValueError(f"unknown vertebral level {level!r}")
    return level


class Source(_Frozen):
    """A reference the catalogue cites by key."""

    key: str
    citation: str
    kind: Literal["standard", "textbook", "study", "review", "guideline", "survey", "article"]
    note: str = ""


class Names(_Frozen):
    """What a point is called: standard code, Chinese name (characters and pinyin), English,
    and the words people use."""

    code: str | None = None
    pinyin: str | None = None
    hanzi: str | None = Field(default=None, pattern=r"^[\u4e00-\u9fff]{1,4}$")
    english: str
    #: For a lay point: the standard points it is, in words ("GV11 Shendao, with BL43 ...").
    same_as: str | None = None
    aliases: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _chinese_name_whole(self) -> Names:
        if (self.pinyin is None) != (self.hanzi is None):
            raise ValueError("a standard point has both its Chinese characters and pinyin")
        return self

    @property
    def chinese(self) -> str | None:
        """The standard Chinese name, characters then pinyin (BL23: 肾俞 Shenshu)."""
        return f"{self.hanzi} {self.pinyin}" if self.hanzi and self.pinyin else None


class Help(_Frozen):
    """A region the point helps, and why: the point lies there, or its pain is sent there."""

    region: RegionId
    why: Literal["local", "referred"]


class SpineLocation(_Frozen):
    """At the lower border of a spinous process (one or more levels), some cun from the midline."""

    kind: Literal["spine"] = "spine"
    levels: tuple[str, ...] = Field(min_length=1)
    lateral_cun: float = Field(ge=0, le=8)
    down_cun: float = Field(default=0.0, ge=-4, le=4)

    @field_validator("levels")
    @classmethod
    def _levels_known(cls, levels: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_level(level) for level in levels)


class SacralLocation(_Frozen):
    """At a posterior sacral foramen (1-4); in it, or some cun from the median sacral crest."""

    kind: Literal["sacral"] = "sacral"
    foramen: int = Field(ge=1, le=4)
    lateral_cun: float | None = Field(default=None, ge=0, le=6)


class ShoulderLocation(_Frozen):
    """On the line from the C7 spinous process to the lateral end of the acromion."""

    kind: Literal["shoulder"] = "shoulder"
    fraction: float = Field(gt=0, lt=1)
    down_cun: float = Field(default=0.0, ge=-3, le=3)


class ScapulaLocation(_Frozen):
    """On the line from the midpoint of the scapular spine to the inferior angle."""

    kind: Literal["scapula"] = "scapula"
    fraction: float = Field(ge=0, le=1)


class HipLocation(_Frozen):
    """On the line from the greater trochanter to the sacral hiatus."""

    kind: Literal["hip"] = "hip"
    fraction: float = Field(ge=0, le=1)


Location = Annotated[
    SpineLocation | SacralLocation | ShoulderLocation | ScapulaLocation | HipLocation,
    Field(discriminator="kind"),
]


class Technique(_Frozen):
    """Default way to massage a point; the first tool is the default one."""

    motion: Motion
    pressure: Pressure
    tools: tuple[Tool, ...] = Field(min_length=1)
    duration_s: int = Field(ge=30, le=180)


class Point(_Frozen):
    """One pressure point of the catalogue."""

    id: str = Field(pattern=r"^(GV|GB|SI|BL)[1-9][0-9]?$|^EX-B[1-9]$|^TP-[a-z-]+[0-9]*$|^[a-z-]+$")
    names: Names
    tradition: Tradition
    helps: tuple[Help, ...] = Field(min_length=1)
    location: Location
    how_to_find: tuple[str, ...] = Field(min_length=1)
    technique: Technique
    avoid_when: tuple[ProfileCondition, ...] = ()
    cautions: tuple[str, ...] = ()
    coincides_with: tuple[str, ...] = ()
    muscle: str | None = None
    refers_pain_to: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)

    @property
    def bilateral(self) -> bool:
        """Whether the point exists on both sides (it is away from the midline)."""
        loc = self.location
        if isinstance(loc, SpineLocation | SacralLocation):
            return loc.lateral_cun is None or loc.lateral_cun > 0
        return True

    @property
    def regions(self) -> tuple[str, ...]:
        """The ids of the regions this point helps, in catalogue order."""
        return tuple(h.region for h in self.helps)

    @property
    def display_name(self) -> str:
        """A short name for people: code and English name, or the lay name."""
        if self.names.code:
            return f"{self.names.code} {self.names.english}"
        return self.names.english

    @model_validator(mode="after")
    def _technique_fits_tradition(self) -> Point:
        t = self.technique
        if self.tradition == "trigger-point" and t.motion == "static" and t.duration_s > 90:
            raise ValueError("sustained trigger-point compression lasts 30-90 s")
        if t.motion != "static" and not 60 <= t.duration_s <= 120:
            raise ValueError("a moving massage lasts 60-120 s")
        return self


class CatalogFile(_Frozen):
    """The shape of one points data file."""

    points: tuple[Point, ...]


class SourcesFile(_Frozen):
    """The shape of the sources data file."""

    sources: tuple[Source, ...]
