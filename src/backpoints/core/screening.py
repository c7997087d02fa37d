"""Safety first: red-flag screening, and the profile whose cautions shape the guidance.

`screen(flags)` turns the yes answers to the red-flag questions into a verdict: any emergency
flag means "seek urgent care now", any other flag "see a doctor before self-massage"
(nice-cks-lbp, bass2018). `Profile` is what a person tells about themselves; what it forbids
or limits is decided in `backpoints.core.cautions`. Pure: imports only the vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpoints.core.errors import BackpointsError
from backpoints.core.vocab import EMERGENCY_FLAGS, RED_FLAGS, RegionId, Sex, Tool
from backpoints.i18n import N_

Urgency = Literal["emergency", "urgent"]

#: The red-flag questions, asked as yes/no, in the order people should see them.
QUESTIONS: Final[dict[str, str]] = {
    "bladder_or_bowel_change": N_(
        "Since the back pain started, have you had new trouble passing or holding urine, "
        "or lost control of your bowels?"
    ),
    "saddle_numbness": N_(
        "Is there numbness or tingling between your legs or around your back passage "
        "(where you would sit on a saddle)?"
    ),
    "progressive_leg_weakness": N_("Is one or both of your legs getting weaker?"),
    "major_trauma": N_(
        "Did the pain start after a bad fall, a car accident or another big injury?"
    ),
    "chest_pain_or_breathless": N_("Do you have chest pain, or are you short of breath?"),
    "fever_or_unwell": N_("Do you have a fever, or feel generally unwell?"),
    "cancer_history": N_("Have you ever had cancer?"),
    "unexplained_weight_loss": N_("Have you lost weight recently without trying?"),
    "constant_night_pain": N_("Is the pain constant at night, even when you lie still?"),
    "osteoporosis_or_steroids": N_(
        "Did the pain start after a minor fall or strain while you have osteoporosis "
        "or take steroid tablets long-term?"
    ),
    "immunosuppressed_or_iv_drugs": N_(
        "Is your immune system weakened (for example by medicines), or do you inject drugs?"
    ),
}

EMERGENCY_MESSAGE: Final = N_(
    "What you describe can be a sign that nerves at the base of the spine are squeezed "
    "(cauda equina syndrome). This needs urgent care now: go to an emergency department or "
    "call your emergency number. Do not massage your back."
)
URGENT_MESSAGE: Final = N_(
    "What you describe needs a doctor to look at it before you do self-massage. Please "
    "see your doctor soon (today if you feel unwell). backpoints will not suggest points "
    "until then."
)
#: A rise of this many points in a region counts as "much worse" (and asks the questions again).
MUCH_WORSE_POINTS: Final = 3


class UnknownFlag(BackpointsError, ValueError):
    """A red-flag answer that is not one of the questions."""

    field = "flags"


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
    yes = tuple(dict.fromkeys(flags))
    unknown = [f for f in yes if f not in RED_FLAGS]
    if unknown:
        raise UnknownFlag(f"Unknown red-flag answer {unknown[0]!r}; expected one of the questions.")
    if any(f in EMERGENCY_FLAGS for f in yes):
        return Verdict(True, "emergency", yes, EMERGENCY_MESSAGE)
    if yes:
        return Verdict(True, "urgent", yes, URGENT_MESSAGE)
    return Verdict(False, None, (), "")


def needs_screening(last_pain: Mapping[str, int] | None, pain: Mapping[str, int]) -> bool:
    """Ask the questions the first time, and when pain is new or much worse than last time."""
    if last_pain is None:
        return True
    for region, now in pain.items():
        before = last_pain.get(region, 0)
        if now > 0 and (before == 0 or now - before >= MUCH_WORSE_POINTS):
            return True
    return False
