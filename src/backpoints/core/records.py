"""What a diary record may hold: the ranges and one pydantic model per kind of stored row.

Every way data comes in uses these: the JSON API (`PainLevel` in its request bodies), the
guided session's state (`backpoints.core.guided`), a routine file (`backpoints.core.routines`
uses `StepSeconds`) and a backup being restored (each row is checked against the model of its
table, `RECORDS`). So a pain of 42 on the 0-10 scale is refused the same way wherever it
comes from. Pure: pydantic and the domain vocabularies only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from backpoints.core.vocab import RED_FLAGS, RedFlag, RegionId, Side

#: The 0-10 numeric rating scale of pain (0 no pain, 10 the worst imaginable); LOINC 72514-3.
PAIN_MIN: Final = 0
PAIN_MAX: Final = 10


def parse_level(text: object, low: int = PAIN_MIN) -> int | None:
    """A 0-10 rating (pain, stress, tenderness) as typed or posted: the whole number from `low`
    to 10, or None when the text is not one. The one parser of every surface."""
    raw = str("" if text is None else text).strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2):  # no "²", no 5,000 digits
        return None
    return int(raw) if low <= int(raw) <= PAIN_MAX else None


PainLevel = Annotated[
    int, Field(ge=PAIN_MIN, le=PAIN_MAX, description="0 = no pain, 10 = worst imaginable")
]
#: A 0-10 rating of something other than pain (stress before and after a routine).
Rating010 = Annotated[int, Field(ge=0, le=10)]
#: How tender a found spot is, 1-10 (0 would not be a tender spot).
Tenderness = Annotated[int, Field(ge=1, le=10)]
#: Seconds of pressure on one point (a routine step, a therapist's home routine).
StepSeconds = Annotated[int, Field(ge=30, le=180)]
#: A place on the back in the body frame (cm): finite, and within reach of any back.
Centimetres = Annotated[float, Field(ge=-100, le=150, allow_inf_nan=False)]

Id = Annotated[str, Field(min_length=1, max_length=64)]
PointId = Annotated[str, Field(min_length=1, max_length=64)]
SessionStatus = Literal["active", "refer", "relieved", "exhausted", "stopped"]
Urgency = Literal["emergency", "urgent"]
RunStatus = Literal["active", "completed", "stopped", "refer"]


class Record(BaseModel):
    """A stored row: unknown fields are refused; numbered ids are optional (a restore
    assigns its own)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class _Answers(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    flags: list[RedFlag] = Field(default_factory=list, max_length=len(RED_FLAGS))
    #: The whole answer sheet (every question asked, yes or no); older backups have none.
    answers: dict[RedFlag, bool] = Field(default_factory=dict)
    pain: dict[RegionId, PainLevel] = Field(default_factory=dict)
    urgency: Urgency | None = None


class PersonRecord(Record):
    id: Id
    created_at: AwareDatetime
    #: Checked against `backpoints.core.screening.Profile` by the caller (it owns the rules).
    profile: dict[str, Any] = Field(default_factory=dict)


class ScreeningRecord(Record):
    id: int | None = None
    person_id: Id
    at: AwareDatetime
    answers: _Answers


class SessionRecord(Record):
    id: Id
    person_id: Id
    status: SessionStatus
    urgency: Urgency | None = None
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    version: int = Field(default=1, ge=1)
    #: Checked against `backpoints.core.guided.SessionState` by the caller.
    state: dict[str, Any]


class RatingRecord(Record):
    id: int | None = None
    session_id: Id
    person_id: Id
    n: int = Field(ge=1, le=1000)
    region: RegionId
    point_id: PointId
    side: Side | None = None
    pain_before: PainLevel
    pain_after: PainLevel
    relieved: bool
    rated_at: AwareDatetime


class PainEntryRecord(Record):
    id: int | None = None
    session_id: Id
    region: RegionId
    intensity: PainLevel
    recorded_at: AwareDatetime


class StepRecord(Record):
    id: int | None = None
    session_id: Id
    n: int = Field(ge=1, le=1000)
    region: RegionId
    point_id: PointId
    side: Side | None = None
    shown_at: AwareDatetime


class PegRecord(Record):
    id: int | None = None
    person_id: Id
    at: AwareDatetime
    pain: PainLevel
    enjoyment: PainLevel
    activity: PainLevel


class RoutineRunRecord(Record):
    id: Id
    person_id: Id
    routine_id: Id
    status: RunStatus
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    stress_before: Rating010 | None = None
    stress_after: Rating010 | None = None
    version: int = Field(default=1, ge=1)
    #: Checked against `backpoints.app.routine_run.RoutineRun` by the caller.
    state: dict[str, Any]


class CustomRoutineRecord(Record):
    id: int | None = None
    person_id: Id
    routine_id: Id
    #: Checked against `backpoints.core.routines.Routine` (as a routine file is) by the caller.
    routine: dict[str, Any]
    updated_at: AwareDatetime

    @model_validator(mode="after")
    def _same_id(self) -> CustomRoutineRecord:
        if self.routine.get("id") != self.routine_id:
            raise ValueError("routine_id differs from the routine's own id")
        return self


class FoundSpotRecord(Record):
    id: int | None = None
    person_id: Id
    region: RegionId
    x_cm: Centimetres
    y_cm: Centimetres
    tenderness: Tenderness
    points: dict[str, list[PointId]]
    found_at: AwareDatetime


#: The model of each diary table's rows (the tables a person's backup holds).
class RedFlagAnswerRecord(Record):
    """A person's latest answer to one red-flag question (yes: the flag stands)."""

    person_id: Id
    flag: RedFlag
    answer: bool
    answered_at: AwareDatetime
    #: A clinician's all-clear: the day of the check and who checked (older files: none).
    cleared_on: date | None = None
    cleared_by: str | None = Field(default=None, max_length=120)


RECORDS: Final[dict[str, type[Record]]] = {
    "people": PersonRecord,
    "screenings": ScreeningRecord,
    "sessions": SessionRecord,
    "ratings": RatingRecord,
    "pain_entries": PainEntryRecord,
    "steps": StepRecord,
    "peg_checkins": PegRecord,
    "routine_runs": RoutineRunRecord,
    "custom_routines": CustomRoutineRecord,
    "found_spots": FoundSpotRecord,
    "red_flag_answers": RedFlagAnswerRecord,
}
