"""The red-flag questions and the one decision before any guidance: ask, refer or go ahead.

Owns the 17 questions (ids from the vocabulary, plain wording, group, urgency and sources:
nice-cks-lbp, bass2018, nhs-back-pain), the rule that a flag answered yes *stands* until the
same question is answered "no" again, the age rule (under 16: no guidance), and `decide`,
which every surface reaches through the shell's `begin`. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from backpoints.core.errors import BackpointsError
from backpoints.i18n import N_

Urgency = Literal["emergency", "urgent"]

#: Youngest age (years, from the profile) that gets guidance: the app is for adults.
MIN_AGE: Final = 16
#: A rise of this many points in a region counts as "much worse" (and asks the questions again).
MUCH_WORSE_POINTS: Final = 3

_CAUDA = ("bass2018", "nice-cks-lbp", "nhs-back-pain")
_URGENT = ("nice-cks-lbp", "nhs-back-pain")


@dataclass(frozen=True)
class Question:
    """One yes/no red-flag question, as people see it."""

    id: str
    text: str
    #: A few words for the referral screen ("You said yes to: ...").
    label: str
    urgency: Urgency
    group: str
    sources: tuple[str, ...]


#: The groups, emergency ones first, in the order they are shown.
GROUPS: Final[tuple[str, ...]] = (
    N_("Bladder, bowels and legs"),
    N_("Chest, breathing and injuries"),
    N_("Your general health"),
    N_("The back pain itself"),
)

QUESTION_LIST: Final[tuple[Question, ...]] = (
    Question(
        "bladder_or_bowel_change",
        N_(
            "Since the back pain started, have you had new trouble passing or holding urine, "
            "or lost control of your bowels?"
        ),
        N_("new trouble with urine or bowels"),
        "emergency",
        GROUPS[0],
        _CAUDA,
    ),
    Question(
        "saddle_numbness",
        N_(
            "Is there numbness or tingling between your legs or around your bottom "
            "(where you would sit on a saddle)?"
        ),
        N_("numbness between the legs or around the bottom"),
        "emergency",
        GROUPS[0],
        _CAUDA,
    ),
    Question(
        "bilateral_leg_symptoms",
        N_("Do you have numbness, weakness or pain going down both legs?"),
        N_("numbness, weakness or pain in both legs"),
        "emergency",
        GROUPS[0],
        _CAUDA,
    ),
    Question(
        "progressive_leg_weakness",
        N_("Is one of your legs, or both, getting weaker?"),
        N_("a leg getting weaker"),
        "emergency",
        GROUPS[0],
        _CAUDA,
    ),
    Question(
        "chest_pain_or_breathless",
        N_("Along with the back pain, do you have chest pain or trouble breathing?"),
        N_("chest pain or trouble breathing"),
        "emergency",
        GROUPS[1],
        ("nhs-back-pain", "nice-cks-lbp"),
    ),
    Question(
        "major_trauma",
        N_(
            "Did the pain start after a serious accident, such as a fall from a height "
            "or a car crash?"
        ),
        N_("pain after a serious accident"),
        "emergency",
        GROUPS[1],
        ("nhs-back-pain", "nice-cks-lbp"),
    ),
    Question(
        "fever_or_unwell",
        N_("Do you have a fever, or feel generally unwell?"),
        N_("a fever or feeling unwell"),
        "urgent",
        GROUPS[2],
        _URGENT,
    ),
    Question(
        "unexplained_weight_loss",
        N_("Have you lost weight recently without trying?"),
        N_("weight loss without trying"),
        "urgent",
        GROUPS[2],
        _URGENT,
    ),
    Question(
        "cancer_history",
        N_("Have you ever had cancer?"),
        N_("having had cancer"),
        "urgent",
        GROUPS[2],
        _URGENT,
    ),
    Question(
        "immunosuppressed_or_iv_drugs",
        N_(
            "Is your immune system weakened (for example by medicines), do you inject drugs, "
            "or have you had an infection recently?"
        ),
        N_("a weakened immune system, injected drugs or a recent infection"),
        "urgent",
        GROUPS[2],
        _URGENT,
    ),
    Question(
        "osteoporosis_or_steroids",
        N_(
            "Did the pain start after a small fall or strain while you have osteoporosis "
            "or take steroid tablets long-term?"
        ),
        N_("pain after a small fall with osteoporosis or long-term steroids"),
        "urgent",
        GROUPS[2],
        _URGENT,
    ),
    Question(
        "constant_night_pain",
        N_("Is the pain there all the time at night, even when you lie still?"),
        N_("constant pain at night"),
        "urgent",
        GROUPS[3],
        _URGENT,
    ),
    Question(
        "new_thoracic_pain",
        N_("Is this a new pain between your shoulder blades?"),
        N_("new pain between the shoulder blades"),
        "urgent",
        GROUPS[3],
        _URGENT,
    ),
    Question(
        "back_lump_or_deformity",
        N_("Have you noticed a lump, a swelling or a change in the shape of your back?"),
        N_("a lump, swelling or change in the shape of the back"),
        "urgent",
        GROUPS[3],
        _URGENT,
    ),
    Question(
        "difficulty_walking",
        N_("Do you find it hard to walk because of this pain?"),
        N_("difficulty walking"),
        "urgent",
        GROUPS[3],
        _URGENT,
    ),
    Question(
        "sexual_dysfunction",
        N_(
            "Since the back pain started, have you had new problems with sex, such as "
            "no feeling or no erection?"
        ),
        N_("new problems with sex"),
        "urgent",
        GROUPS[3],
        _URGENT,
    ),
    Question(
        "new_pain_under_20_or_over_50",
        N_("Is this the first time you have had back pain, and are you under 20 or over 50?"),
        N_("back pain for the first time, under 20 or over 50"),
        "urgent",
        GROUPS[3],
        _URGENT,
    ),
)
QUESTIONS_BY_ID: Final[dict[str, Question]] = {q.id: q for q in QUESTION_LIST}
#: id -> question text, in the order people see them.
QUESTIONS: Final[dict[str, str]] = {q.id: q.text for q in QUESTION_LIST}
URGENCY: Final[dict[str, Urgency]] = {q.id: q.urgency for q in QUESTION_LIST}

EMERGENCY_MESSAGE: Final = N_(
    "What you describe can be a sign of a serious problem, such as squeezed nerves at the "
    "base of the spine, the heart or a main blood vessel, or a broken bone. It needs help "
    "now, not massage. Do not massage your back."
)
URGENT_MESSAGE: Final = N_(
    "What you describe needs a doctor to look at it before you do self-massage. Please "
    "see your doctor soon (today if you feel unwell). backpoints will not suggest points "
    "until then."
)
AGE_MESSAGE: Final = N_(
    "backpoints is made for adults, so it gives no massage guidance under 16. Please talk "
    "to a parent or carer, or to a doctor, nurse or physiotherapist about the back pain."
)


class UnknownFlag(BackpointsError, ValueError):
    """A red-flag answer that is not one of the questions."""

    field = "flags"


def check_flags(flags: Iterable[str]) -> tuple[str, ...]:
    """The flags, deduplicated in question order; raises UnknownFlag for any other id."""
    given = tuple(dict.fromkeys(flags))
    unknown = [f for f in given if f not in URGENCY]
    if unknown:
        raise UnknownFlag(f"Unknown red-flag answer {unknown[0]!r}; expected one of the questions.")
    return tuple(q for q in QUESTIONS if q in given)


def gravest(flags: Iterable[str]) -> Urgency | None:
    """Emergency wins over urgent; None for no flag."""
    found = {URGENCY[f] for f in flags}
    if "emergency" in found:
        return "emergency"
    return "urgent" if found else None


def standing_after(standing: Iterable[str], answers: Mapping[str, bool]) -> tuple[str, ...]:
    """The flags that stand once these answers are in: a yes stands, a no clears its question."""
    now = set(standing) | {q for q, yes in answers.items() if yes}
    now -= {q for q, yes in answers.items() if not yes}
    return check_flags(now)


def pain_is_new_or_worse(last_pain: Mapping[str, int] | None, pain: Mapping[str, int]) -> bool:
    """True the first time, and when a region is newly painful or much worse than last time."""
    if last_pain is None:
        return True
    for region, now in pain.items():
        before = last_pain.get(region, 0)
        if now > 0 and (before == 0 or now - before >= MUCH_WORSE_POINTS):
            return True
    return False


def due(
    standing: Iterable[str], last_pain: Mapping[str, int] | None, pain: Mapping[str, int]
) -> bool:
    """Ask the questions now: the first time, for a new or worse pain, or while a flag stands."""
    return bool(tuple(standing)) or pain_is_new_or_worse(last_pain, pain)


def too_young(age: int | None) -> bool:
    """Under 16 by the profile's age (an unknown age is not refused)."""
    return age is not None and age < MIN_AGE


@dataclass(frozen=True)
class Ask:
    """The questions must be answered first; `missing` lists the unanswered ones."""

    missing: tuple[str, ...]
    standing: tuple[str, ...]


@dataclass(frozen=True)
class Refer:
    """No guidance: the standing flags (gravest urgency wins), or too young (`age`)."""

    urgency: Urgency | None
    standing: tuple[str, ...]
    message: str
    age: bool = False


@dataclass(frozen=True)
class GoAhead:
    """Guidance may be given."""


Decision = Ask | Refer | GoAhead


def decide(
    *,
    age: int | None,
    standing: Iterable[str],
    answers: Mapping[str, bool],
    asked_now: bool,
) -> Decision:
    """The one rule before any guidance.

    `standing` are the flags that stood before these `answers`; `asked_now` says whether the
    questions are due now (see `due`). Under 16: refer. Any flag standing after the answers:
    refer. Otherwise, when due, every question must have an answer.
    """
    if too_young(age):
        return Refer(None, (), AGE_MESSAGE, age=True)
    after = standing_after(standing, answers)
    urgency = gravest(after)
    if urgency is not None:
        message = EMERGENCY_MESSAGE if urgency == "emergency" else URGENT_MESSAGE
        return Refer(urgency, after, message)
    missing = tuple(q for q in QUESTIONS if q not in answers) if asked_now else ()
    if missing:
        return Ask(missing, after)
    return GoAhead()


def questions_in_groups() -> list[tuple[str, list[Question]]]:
    """The questions under their group headings, emergency groups first."""
    return [(g, [q for q in QUESTION_LIST if q.group == g]) for g in GROUPS]
