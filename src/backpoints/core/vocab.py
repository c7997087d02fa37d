"""The shared vocabularies: region ids, vertebral levels, traditions, techniques, flags.

These ids are stable API (see docs/architecture.md). This module owns only names and orderings;
it imports only the translation functions (`backpoints.i18n`, standard library only), so every
layer may depend on it. Labels are English msgids, shown through `region_label` and
`condition_phrase` in the language in force.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from backpoints.i18n import N_, gettext

RegionId = Literal[
    "neck",
    "upper_trapezius_left",
    "upper_trapezius_right",
    "scapula_left",
    "scapula_right",
    "interscapular",
    "mid_back_left",
    "mid_back_right",
    "lower_back_left",
    "lower_back_right",
    "sacrum",
    "buttock_left",
    "buttock_right",
]
REGION_IDS: Final[tuple[str, ...]] = get_args(RegionId)

REGION_LABELS: Final[dict[str, str]] = {
    "neck": N_("Neck"),
    "upper_trapezius_left": N_("Top of the shoulder, left"),
    "upper_trapezius_right": N_("Top of the shoulder, right"),
    "scapula_left": N_("Shoulder blade, left"),
    "scapula_right": N_("Shoulder blade, right"),
    "interscapular": N_("Between the shoulder blades"),
    "mid_back_left": N_("Mid back, left"),
    "mid_back_right": N_("Mid back, right"),
    "lower_back_left": N_("Lower back, left"),
    "lower_back_right": N_("Lower back, right"),
    "sacrum": N_("Sacrum (base of the spine)"),
    "buttock_left": N_("Buttock, left"),
    "buttock_right": N_("Buttock, right"),
}

Side = Literal["left", "right"]
SIDES: Final[tuple[str, ...]] = get_args(Side)

Tradition = Literal["acupressure", "trigger-point", "lay"]
Motion = Literal["circular", "back_and_forth", "static"]
Pressure = Literal["gentle", "moderate", "firm"]
PRESSURES: Final[tuple[str, ...]] = get_args(Pressure)
Tool = Literal[
    "thumb",
    "fingers",
    "knuckles",
    "elbow",
    "tennis_ball",
    "foam_roller",
    "massage_tool",
    "partner",
    "body_weight",
]
TOOLS: Final[tuple[str, ...]] = get_args(Tool)

#: Vertebral levels in order from the top; positions along C7->PSIS are interpolated on this.
LEVELS: Final[tuple[str, ...]] = (
    ("C7",)
    + tuple(f"T{i}" for i in range(1, 13))
    + tuple(f"L{i}" for i in range(1, 6))
    + tuple(f"S{i}" for i in range(1, 6))
)
LEVEL_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(LEVELS)}

EmergencyFlag = Literal[
    "bladder_or_bowel_change",
    "saddle_numbness",
    "progressive_leg_weakness",
    "bilateral_leg_symptoms",
    "chest_pain_or_breathless",
    "major_trauma",
]
UrgentFlag = Literal[
    "fever_or_unwell",
    "cancer_history",
    "unexplained_weight_loss",
    "constant_night_pain",
    "osteoporosis_or_steroids",
    "immunosuppressed_or_iv_drugs",
    "new_thoracic_pain",
    "back_lump_or_deformity",
    "difficulty_walking",
    "sexual_dysfunction",
    "new_pain_under_20_or_over_50",
]
RedFlag = EmergencyFlag | UrgentFlag
EMERGENCY_FLAGS: Final[tuple[str, ...]] = get_args(EmergencyFlag)
URGENT_FLAGS: Final[tuple[str, ...]] = get_args(UrgentFlag)
RED_FLAGS: Final[tuple[str, ...]] = EMERGENCY_FLAGS + URGENT_FLAGS

#: Boolean contraindication fields of a profile (docs/architecture.md "Profile").
ProfileCondition = Literal[
    "pregnant",
    "anticoagulants",
    "bleeding_disorder",
    "osteoporosis",
    "recent_surgery",
    "broken_skin",
    "blood_clot_history",
    "cancer_at_site",
]
PROFILE_CONDITIONS: Final[tuple[str, ...]] = get_args(ProfileCondition)

Sex = Literal["female", "male"]


def level_index(level: str) -> int:
    """Position of a vertebral level in `LEVELS`; raises KeyError for an unknown level."""
    return LEVEL_INDEX[level]


def mirror_region(region: str) -> str:
    """The same region on the other side (midline regions map to themselves)."""
    if region.endswith("_left"):
        return region[: -len("_left")] + "_right"
    if region.endswith("_right"):
        return region[: -len("_right")] + "_left"
    return region


def region_side(region: str) -> Side | None:
    """Which side a region is on, or None for a midline region."""
    if region.endswith("_left"):
        return "left"
    if region.endswith("_right"):
        return "right"
    return None


#: Plain-language phrases for the profile conditions ("if you ...").
CONDITION_PHRASES: Final[dict[str, str]] = {
    "pregnant": N_("you are pregnant"),
    "anticoagulants": N_("you take blood thinners (anticoagulants)"),
    "bleeding_disorder": N_("you have a bleeding disorder"),
    "osteoporosis": N_("you have osteoporosis"),
    "recent_surgery": N_("you had surgery there recently"),
    "broken_skin": N_("the skin there is broken or infected"),
    "blood_clot_history": N_("you have or had a blood clot there"),
    "cancer_at_site": N_("there is a tumour there"),
}


def region_label(region: str) -> str:
    """The name of a region in the language in force."""
    return gettext(REGION_LABELS[region])


def condition_phrase(condition: str) -> str:
    """The plain-language phrase for a profile condition in the language in force."""
    return gettext(CONDITION_PHRASES[condition])
