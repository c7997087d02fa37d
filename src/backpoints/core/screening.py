"""Safety first: red-flag screening, and the profile whose cautions shape the guidance.

`screen(flags)` turns the yes answers to the red-flag questions (`backpoints.core.redflags`)
into a verdict: any emergency flag means "get help now", any other flag "see a doctor before
self-massage" (nice-cks-lbp, bass2018, nhs-back-pain). `Profile` is what a person tells about
themselves; what it forbids or limits is decided in `backpoints.core.cautions`. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from backpoints.core.redflags import (
    EMERGENCY_MESSAGE,
    QUESTIONS,
    URGENT_MESSAGE,
    UnknownFlag,
    Urgency,
    check_flags,
    gravest,
    pain_is_new_or_worse,
)
from backpoints.core.vocab import RegionId, Sex, Tool

#: Re-exported: the questions and messages live in `backpoints.core.redflags`.
__all__ = [
    "EMERGENCY_MESSAGE",
    "QUESTIONS",
    "URGENT_MESSAGE",
    "Profile",
    "UnknownFlag",
    "Urgency",
    "Verdict",
    "needs_screening",
    "screen",
]


class Profile(BaseModel):
    """What a person tells about themselves that changes the guidance (the `profile`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pregnant: bool = False
    anticoagulants: bool = False
    bleeding_disorder: bool = False
    osteoporosis: bool = False
    recent_surgery: bool = False
    broken_skin: bool = False
    blood_clot_history: bool = False
    cancer_at_site: bool = False
    #: Where the surgery, broken skin, clot or tumour is (these regions are never pressed).
    #: A site condition without a region withholds all guidance until it is named.
    affected_regions: tuple[RegionId, ...] = Field(
        default=(),
        description="Where the recent surgery, broken skin, blood clot or tumour is; needed "
        "when one of those is ticked (without it no guidance is given).",
    )
    sex: Sex | None = None
    stature_cm: float | None = Field(default=None, ge=100, le=250)
    age: int | None = Field(default=None, ge=0, le=120)
    #: The tools the person has; steps lead with one of these when the point allows it.
    tools_owned: tuple[Tool, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The outcome of screening: go ahead, or refer (with how urgently and why)."""

    refer: bool
    urgency: Urgency | None
    flags: tuple[str, ...]
    message: str


def screen(flags: Iterable[str]) -> Verdict:
    """Judge the yes answers; emergency wins over urgent; no flag means go ahead."""
    yes = check_flags(flags)
    urgency = gravest(yes)
    if urgency == "emergency":
        return Verdict(True, "emergency", yes, EMERGENCY_MESSAGE)
    if urgency == "urgent":
        return Verdict(True, "urgent", yes, URGENT_MESSAGE)
    return Verdict(False, None, (), "")


#: Kept for callers of the older name: ask the first time and for a new or worse pain.
needs_screening = pain_is_new_or_worse
