"""Request and response bodies of the JSON API (Create/Public schemas, docs/architecture.md shapes).

Request models forbid unknown fields and bound every number and list, so bad input is a 422
that names the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from backpoints.catalog import Catalog
from backpoints.catalog.models import Names, Point, Technique
from backpoints.core.guided import SessionState
from backpoints.core.records import PainLevel
from backpoints.core.screening import Profile
from backpoints.core.steps import Step
from backpoints.core.vocab import RED_FLAGS, RedFlag, RegionId, Side, Tradition
from backpoints.i18n import gettext as _
from backpoints.store.repo import PointInsight, SessionSummary

#: The pain scale of every way data comes in (the API, restores, the session state).
#: A 0-10 level in a request body: a whole JSON number only (`true` or "5" is refused).
Intensity = Annotated[PainLevel, Field(strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegionPublic(BaseModel):
    id: str
    label: str


class PointPublic(BaseModel):
    """A catalogue point as the API shows it."""

    id: str
    names: Names
    tradition: Tradition
    regions: list[str]
    helps: list[dict[str, str]]
    how_to_find: list[str]
    technique: Technique
    avoid_when: list[str]
    cautions: list[str]
    coincides_with: list[str]
    muscle: str | None
    refers_pain_to: str | None
    sources: list[str]

    @classmethod
    def of(cls, point: Point) -> PointPublic:
        data = point.model_dump(mode="json", exclude={"location"})
        return cls(**data, regions=list(point.regions))


class PainIn(_Strict):
    region: RegionId
    intensity: Intensity


class ProfileIn(Profile):
    """The contraindication profile (`profile`), as the API reads and shows it."""


class SessionCreate(_Strict):
    """Start a session: the pain map, the answers to the red-flag questions, a profile.

    Without `profile` the saved one is used; with it, it is saved.
    """

    pain: list[PainIn] = Field(min_length=1, max_length=13)
    flags: list[RedFlag] = Field(default_factory=list, max_length=len(RED_FLAGS))
    answers: dict[RedFlag, bool] | None = Field(
        default=None,
        description="The full answer sheet {question id: yes?}; needed when the questions "
        "are due (GET /api/v1/screening). A `false` clears a standing flag.",
    )
    profile: ProfileIn | None = None

    @field_validator("pain")
    @classmethod
    def _each_region_once(cls, pain: list[PainIn]) -> list[PainIn]:
        seen: set[str] = set()
        for entry in pain:
            if entry.region in seen:
                said = _("each region once: {region} is given twice").format(region=entry.region)
                raise PydanticCustomError("region_twice", said)
            seen.add(entry.region)
        return pain


class QuestionPublic(BaseModel):
    """One red-flag question (yes/no)."""

    id: str
    text: str
    urgency: Literal["emergency", "urgent"]
    group: str
    sources: list[str]


class ScreeningPublic(BaseModel):
    """The red-flag questions, the flags standing for this person, and whether to ask now."""

    questions: list[QuestionPublic]
    standing: list[str]
    due: bool = Field(
        description="Ask now: the first time, for a new or worse pain, or while a flag stands"
    )


class AllClearCreate(_Strict):
    """A clinician's all-clear for flags that stand (see docs/safety.md)."""

    flags: list[RedFlag] = Field(min_length=1, max_length=32, description="Flags it covers")
    checked_on: date = Field(description="The day the clinician checked (at most 28 days ago)")
    clinician: str = Field("", max_length=120, description="Who checked (optional)")
    confirmed: StrictBool = Field(
        description="true: a clinician examined the person and said self-massage is fine"
    )


class RatingCreate(_Strict):
    point_id: str = Field(min_length=1, max_length=64)
    side: Side | None = None
    pain_after: Intensity


class RatingPublic(BaseModel):
    n: int
    region: str
    point_id: str
    side: Side | None
    pain_before: int
    pain_after: int
    relieved: bool
    rated_at: datetime


class SessionPublic(BaseModel):
    """A session as the API returns it: status, the current step (if any), and messages."""

    id: str
    status: Literal["active", "refer", "relieved", "exhausted", "stopped"]
    urgency: Literal["emergency", "urgent"] | None = None
    #: With `refer`: the red flags that stand (empty when the referral is for age).
    standing: list[str] = Field(default_factory=list)
    message: str | None = None
    advice: str | None = None
    notes: list[str] = Field(default_factory=list)
    step: Step | None = None
    pain: list[PainIn]
    ratings: list[RatingPublic] = Field(default_factory=list)
    started_at: datetime
    ended_at: datetime | None = None

    @classmethod
    def of(cls, session_id: str, state: SessionState) -> SessionPublic:
        return cls(
            id=session_id,
            status=state.status,
            urgency=state.urgency,
            standing=list(state.flags) if state.status == "refer" else [],
            # a referral's message and the closing advice are stored as the English msgids
            message=_(state.message)
            if state.status == "refer" and state.message
            else state.message,
            advice=_(state.advice) if state.advice else None,
            notes=list(state.notes),
            step=state.current,
            pain=[PainIn(region=r.region, intensity=r.pain_start) for r in state.regions],
            ratings=[RatingPublic.model_validate(r.model_dump()) for r in state.ratings],
            started_at=state.started_at,
            ended_at=state.ended_at,
        )

    @classmethod
    def of_summary(cls, summary: SessionSummary) -> SessionPublic:
        return cls(
            id=summary.id,
            status=summary.status,
            urgency=summary.urgency,
            pain=[PainIn(region=r, intensity=i) for r, i in summary.pain.items()],
            ratings=[RatingPublic.model_validate(vars(r)) for r in summary.ratings],
            started_at=summary.started_at,
            ended_at=summary.ended_at,
        )


class InsightPublic(BaseModel):
    """How often a point relieved a region for this person."""

    region: str
    point_id: str
    name: str
    helped: int
    tried: int
    mean_drop: float

    @classmethod
    def of(cls, insight: PointInsight, catalog: Catalog) -> InsightPublic:
        return cls(name=catalog.get(insight.point_id).display_name, **vars(insight))


class ErrorDetail(BaseModel):
    field: str = Field(description="The input the error is about, e.g. pain.0.intensity")
    message: str


class ErrorBody(BaseModel):
    """Every error answer: one entry per bad field."""

    detail: list[ErrorDetail]


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Server mode: log in first (or wrong password)"},
    403: {"model": ErrorBody, "description": "A cross-site request, or a missing CSRF token"},
    429: {"model": ErrorBody, "description": "Too many failed log-ins; wait and try again"},
    404: {"model": ErrorBody, "description": "No such point or session"},
    409: {"model": ErrorBody, "description": "The session has moved on or ended"},
    413: {"model": ErrorBody, "description": "The request body is too large"},
    422: {"model": ErrorBody, "description": "A field is invalid; `field` names it"},
}
