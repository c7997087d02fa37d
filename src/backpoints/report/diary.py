"""What the reports show, as plain data: a period of the diary and the points for the chart.

`gather` collects a period's sessions, PEG check-ins, screenings and per-point counts, plus the
person's profile and body; the helpers turn them into the words and rows the PDF prints.
`chart_points` chooses the points for the printable chart (as the web's /chart page does).
Reads through `backpoints.app.service`, `backpoints.report.peg` and the store; no reportlab or
matplotlib here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final

from backpoints.app import routine_service, scan_service, service
from backpoints.catalog import Catalog
from backpoints.catalog.models import Point
from backpoints.core.anatomy import Body
from backpoints.core.cautions import cautions_for
from backpoints.core.errors import BackpointsError
from backpoints.core.learning import Tally
from backpoints.core.planner import PainEntry, expected_relief, plan
from backpoints.core.routines import run_status, shown_name
from backpoints.core.screening import Profile
from backpoints.core.vocab import REGION_LABELS, region_label
from backpoints.i18n import N_, format_day, format_number, format_percent, ngettext
from backpoints.i18n import gettext as _
from backpoints.report import peg
from backpoints.report.ranking import tries
from backpoints.store import flags_repo, repo
from backpoints.store.repo import PointInsight, SessionSummary, StoredRating

#: How many points the printable chart shows (the same as the web's /chart page).
CHART_POINTS: Final = 6
OUTCOMES: Final = {
    "relieved": N_("Relief"),
    "exhausted": N_("No relief (every suggested point tried)"),
    "stopped": N_("Stopped early"),
    "active": N_("Not finished"),
}
URGENCY_ADVICE: Final = {
    "emergency": N_("Told to get emergency care now; no massage advised."),
    "urgent": N_("Told to see a doctor before any self-massage; no massage advised."),
}
FLAG_LABELS: Final = {
    "bladder_or_bowel_change": N_("New bladder or bowel disturbance"),
    "saddle_numbness": N_("Saddle numbness"),
    "progressive_leg_weakness": N_("Progressive leg weakness"),
    "major_trauma": N_("Major trauma"),
    "chest_pain_or_breathless": N_("Chest pain or breathlessness"),
    "fever_or_unwell": N_("Fever or feeling unwell"),
    "cancer_history": N_("History of cancer"),
    "unexplained_weight_loss": N_("Unexplained weight loss"),
    "constant_night_pain": N_("Constant pain at night"),
    "osteoporosis_or_steroids": N_("Minor trauma with osteoporosis or long-term steroids"),
    "immunosuppressed_or_iv_drugs": N_("Immunosuppression, injected drug use or recent infection"),
    "bilateral_leg_symptoms": N_("Numbness, weakness or pain in both legs"),
    "new_thoracic_pain": N_("New thoracic (interscapular) pain"),
    "back_lump_or_deformity": N_("Lump, swelling or deformity of the back"),
    "difficulty_walking": N_("Difficulty walking"),
    "sexual_dysfunction": N_("New sexual dysfunction"),
    "new_pain_under_20_or_over_50": N_("First onset under 20 or over 50"),
}
CONDITIONS: Final = {
    "pregnant": N_("Pregnant"),
    "anticoagulants": N_("Takes anticoagulants (blood thinners)"),
    "bleeding_disorder": N_("Bleeding disorder"),
    "osteoporosis": N_("Osteoporosis"),
    "recent_surgery": N_("Recent surgery on the back"),
    "broken_skin": N_("Broken or infected skin on the back"),
    "blood_clot_history": N_("Blood clot (current or past) on the back"),
    "cancer_at_site": N_("Tumour in the back"),
}
BEFORE_AFTER_CAPTION: Final = N_(
    "Per session, the first region treated: pain at the start (grey) and after the last point "
    "tried (green: relief, a drop of at least 2 points or 30%; orange: no relief)."
)


class ReportError(BackpointsError):
    """The report could not be written (a missing folder, a full disk)."""

    field = "path"


class InvalidPeriod(BackpointsError, ValueError):
    """A period date that is not YYYY-MM-DD, or a start after the end."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_day(text: str | None, field: str) -> date | None:
    """A YYYY-MM-DD date from a form or an option; empty means "not given"."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        message = f"{field}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31."
        raise InvalidPeriod(field, message) from None


@dataclass(frozen=True)
class Period:
    """Whole days, both included (UTC)."""

    start: date
    end: date

    def covers(self, when: datetime) -> bool:
        return self.start <= when.astimezone(UTC).date() <= self.end


@dataclass(frozen=True)
class ScreeningRecord:
    at: datetime
    flags: tuple[str, ...]
    pain: dict[str, int]
    urgency: str | None


@dataclass(frozen=True)
class PointStats:
    point_id: str
    label: str
    region: str
    helped: int
    tried: int
    #: Mean of (pain after - pain before): negative means pain went down.
    mean_change: float
    #: The expected chance of relief the planner ranks by (prior weighed with the tries).
    chance: float = 0.0


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows; sessions, check-ins and screenings oldest first."""

    period: Period
    generated: datetime
    sessions: list[SessionSummary]
    pegs: list[peg.StoredPeg]
    screenings: list[ScreeningRecord]
    profile: Profile
    body: Body
    catalog: Catalog
    runs: list[routine_service.RunSummary]
    spots: list[scan_service.Found]
    #: Flags lifted by a clinician's all-clear (and not answered since), whenever recorded.
    all_clears: list[flags_repo.ClearedFlag] = field(default_factory=list)

    @property
    def pain_series(self) -> dict[str, list[tuple[datetime, int]]]:
        series: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        for s in self.sessions:
            for region, level in s.pain.items():
                series[region].append((s.started_at, level))
        return {r: series[r] for r in REGION_LABELS if r in series}

    @property
    def mean_pain(self) -> dict[str, float]:
        return {
            r: round(sum(v for _, v in pts) / len(pts), 1) for r, pts in self.pain_series.items()
        }

    @property
    def before_after(self) -> list[tuple[str, int, int]]:
        return [_before_after(s) for s in self.sessions if s.ratings]

    @property
    def points(self) -> list[PointStats]:
        return point_stats((r for s in self.sessions for r in s.ratings), self.catalog)


def gather(
    services: service.Services, start: date | None, end: date | None, person: str | None = None
) -> ReportData:
    """The person's diary of [start, end] (by default from its first entry to today); the
    local person's when `person` is not given (a personal install)."""
    person = person or service.person_id(services)
    sessions = service.history(services, person, limit=1_000_000)[::-1]
    pegs = peg.history(services, person)
    screenings = screenings_of(services, person)
    now = services.clock.now()
    stamps = [s.started_at for s in sessions] + [c.at for c in pegs] + [s.at for s in screenings]
    period = _period(start, end, now.astimezone(UTC).date(), stamps)
    prof = service.profile(services, person)
    runs = routine_service.runs(services, person, limit=100_000)[::-1]
    spots = scan_service.spots(services, person)
    with services.conn() as db:
        cleared = flags_repo.all_clears(db, person)
    return ReportData(
        period,
        now,
        [s for s in sessions if period.covers(s.started_at)],
        [c for c in pegs if period.covers(c.at)],
        [s for s in screenings if period.covers(s.at)],
        prof,
        service.body_of(prof),
        service.shown_catalog(services),  # the point names in the report's language
        [r for r in runs if period.covers(r.started_at)],
        [f for f in spots if period.covers(f.found_at)],
        cleared,
    )


def _period(start: date | None, end: date | None, today: date, stamps: list[datetime]) -> Period:
    end = end or today
    days = [t.astimezone(UTC).date() for t in stamps]
    start = start or min((d for d in days if d <= end), default=end)
    if start > end:
        message = f"from ({start}) is after to ({end}): a period must start before it ends."
        raise InvalidPeriod("from", message)
    return Period(start, end)


def screenings_of(services: service.Services, person: str) -> list[ScreeningRecord]:
    """The person's red-flag screenings, oldest first."""
    with services.db() as db:
        rows = repo.screenings_of(db, person)
    return [
        ScreeningRecord(
            at,
            tuple(answers.get("flags", ())),
            dict(answers.get("pain", {})),
            answers.get("urgency"),
        )
        for at, answers in rows
    ]


def _name(catalog: Catalog, point_id: str) -> str:
    try:
        return catalog.get(point_id).display_name
    except BackpointsError:  # a point no longer in the catalogue
        return point_id


def point_stats(ratings: Iterable[StoredRating], catalog: Catalog) -> list[PointStats]:
    """Per (point, region): times it relieved, times tried, mean change; best share first."""
    grouped: dict[tuple[str, str], list[StoredRating]] = defaultdict(list)
    for r in ratings:
        grouped[(r.point_id, r.region)].append(r)
    stats = []
    for (pid, region), rs in grouped.items():
        helped = sum(r.relieved for r in rs)
        chance = expected_relief(catalog, region, pid, Tally(helped, len(rs)))
        change = sum(r.pain_after - r.pain_before for r in rs) / len(rs)
        stats.append(PointStats(pid, _name(catalog, pid), region, helped, len(rs), change, chance))
    return sorted(stats, key=lambda p: (-p.chance, -p.tried, p.label))


def local(when: datetime, with_time: bool = True) -> str:
    """A stored (UTC) time as this computer's local time: '2026-01-05 10:00'."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def zone_name(when: datetime) -> str:
    """The local zone's name and offset, e.g. 'CET, UTC+01:00'."""
    here = when.astimezone()
    offset = here.strftime("%z")
    return f"{here.tzname()}, UTC{offset[:3]}:{offset[3:]}"


def _before_after(s: SessionSummary) -> tuple[str, int, int]:
    region = s.ratings[0].region
    after = [r.pain_after for r in s.ratings if r.region == region][-1]
    day = format_day(s.started_at.astimezone())
    return day, s.pain.get(region, s.ratings[0].pain_before), after


def _pain_text(pain: dict[str, int]) -> str:
    return (
        "\n".join(
            f"{(region_label(r) if r in REGION_LABELS else r)}: {v}" for r, v in pain.items() if v
        )
        or "–"
    )


def session_row(s: SessionSummary, catalog: Catalog) -> list[str]:
    """Date, pain at the start, points tried (before -> after), outcome."""
    sides = {"left": _("left"), "right": _("right")}
    relief = " (" + _("relief") + ")"
    tries = [
        f"{_name(catalog, r.point_id)}{f' ({sides[r.side]})' if r.side in sides else ''}: "
        f"{r.pain_before} → {r.pain_after}{relief if r.relieved else ''}"
        for r in s.ratings
    ]
    if s.status == "refer":
        urgency = {"emergency": _("emergency"), "urgent": _("urgent")}.get(s.urgency or "", "")
        outcome = _("Referred ({urgency}): no massage advised").format(urgency=urgency)
    else:
        outcome = _(OUTCOMES[s.status]) if s.status in OUTCOMES else s.status
    eased = dict.fromkeys(
        (region_label(r.region) if r.region in REGION_LABELS else r.region)
        for r in s.ratings
        if r.relieved
    )
    if eased and s.status != "relieved":
        outcome += "; " + _("relief in {regions}").format(regions=", ".join(eased))
    return [local(s.started_at), _pain_text(s.pain), "\n".join(tries) or "–", outcome]


def all_no_line(screenings: list[ScreeningRecord]) -> str | None:
    """The screenings answered no to every question, in one sentence (None if there are none)."""
    clear = [s for s in screenings if not s.flags]
    if not clear:
        return None
    days = ", ".join(dict.fromkeys(local(s.at, with_time=False) for s in clear))
    return _(
        "No to all {n} red-flag questions {times} (on {days}); no advice against massage was given."
    ).format(n=len(FLAG_LABELS), times=times(len(clear)), days=days)


def run_row(r: routine_service.RunSummary) -> list[str]:
    """Date, routine, steps done, stress before → after (0-10), how it ended."""
    not_given = _("not given")
    stress = f"{r.stress_before} → {r.stress_after}" if r.stress_after is not None else (
        f"{r.stress_before} → {not_given}" if r.stress_before is not None else "–"
    )  # fmt: skip
    steps = ngettext("{n} step", "{n} steps", r.steps_done).format(n=r.steps_done)
    return [
        local(r.started_at),
        shown_name(r.routine_id, r.name),
        steps,
        stress,
        run_status(r.status),
    ]


def spot_row(f: scan_service.Found, catalog: Catalog) -> list[str]:
    """Date, region, tenderness (1-10), the catalogue points nearest the spot."""
    near = ", ".join(_name(catalog, p) for p in f.points) or _("none within 4 cm")
    return [
        local(f.found_at),
        (region_label(f.region) if f.region in REGION_LABELS else f.region),
        str(f.tenderness),
        near,
    ]


def caution_lines(profile: Profile, catalog: Catalog) -> list[str]:
    """The contraindications on file and how the guidance was adapted to them."""
    lines = [_(text) for field, text in CONDITIONS.items() if getattr(profile, field)]
    limits = cautions_for(profile, catalog)
    lines += [r for r in dict.fromkeys(limits.excluded_regions.values()) if r != limits.withheld]
    lines += [_("Guidance adapted: {note}").format(note=note) for note in limits.notes]
    return lines


def overview_lines(data: ReportData) -> list[str]:
    """The key numbers of a period, one sentence each."""
    p, n = data.period, len(data.sessions)
    eased = sum(1 for s in data.sessions if any(r.relieved for r in s.ratings))
    referred = sum(1 for s in data.sessions if s.status == "refer")
    days = (p.end - p.start).days + 1
    span = ngettext("{n} day", "{n} days", days).format(n=days)
    lines = [_("Period: {start} to {end} ({days}).").format(start=p.start, end=p.end, days=span)]
    lines.append(
        _(
            "Sessions: {n}; relief from at least one point in {eased}; referred without "
            "massage: {referred}."
        ).format(n=n, eased=eased, referred=referred)
        if n
        else _("Sessions: none.")
    )
    if data.runs:
        runs = ngettext("{n} run", "{n} runs", len(data.runs)).format(n=len(data.runs))
        lines.append(_("Routines: {runs}.").format(runs=runs))
    if data.spots:
        lines.append(_("Tender spots found: {n}.").format(n=len(data.spots)))
    for region, pts in sorted(data.pain_series.items(), key=lambda kv: -len(kv[1]))[:3]:
        (t0, v0), (t1, v1) = pts[0], pts[-1]
        name, day0 = region_label(region), local(t0, False)
        if len(pts) == 1:
            lines.append(
                _("{region}: pain {pain} on {day} (1 session).").format(
                    region=name, pain=v0, day=day0
                )
            )
            continue
        sessions = ngettext("{n} session", "{n} sessions", len(pts)).format(n=len(pts))
        lines.append(
            _(
                "{region}: pain {first} on {first_day}, {last} on {last_day} "
                "(mean {mean} over {sessions})."
            ).format(
                region=name,
                first=v0,
                first_day=day0,
                last=v1,
                last_day=local(t1, False),
                mean=format_number(data.mean_pain[region]),
                sessions=sessions,
            )
        )
    if data.pegs:
        first, last = data.pegs[0], data.pegs[-1]
        count = ngettext("{n} check-in", "{n} check-ins", len(data.pegs)).format(n=len(data.pegs))
        lines.append(
            _("PEG score: {first} on {first_day}, {last} on {last_day} ({count}).").format(
                first=format_number(first.score, fixed=True),
                first_day=local(first.at, False),
                last=format_number(last.score, fixed=True),
                last_day=local(last.at, False),
                count=count,
            )
            if len(data.pegs) > 1
            else _("PEG score: {score} on {day} (1 check-in).").format(
                score=format_number(first.score, fixed=True), day=local(first.at, False)
            )
        )
    lines.append(red_flag_summary(data.screenings))
    helped = [s for s in data.points if s.helped]
    if helped:
        best = helped[0]
        lines.append(
            _(
                "Most likely to help: {point} for {region} (relief in {helped} of {tries}; "
                "estimated chance {chance})."
            ).format(
                point=best.label,
                region=region_label(best.region),
                helped=best.helped,
                tries=tries(best.tried),
                chance=format_percent(best.chance),
            )
        )
    return lines


def times(n: int) -> str:
    if n == 0:
        return _("never")
    return ngettext("once", "{n} times", n).format(n=n) if n != 2 else _("twice")


def red_flag_summary(screenings: list[ScreeningRecord]) -> str:
    """One sentence: how often red flags were reported, or that the questions were not asked."""
    flagged = sum(1 for s in screenings if s.flags)
    if flagged:
        return _("Red flags reported {times}: see below.").format(times=times(flagged))
    if not screenings:
        return _("Red flags: the questions were not asked in this period.")
    return _("Red flags: none (questions answered {times}, all no).").format(
        times=times(len(screenings))
    )


def chart_points(services: service.Services, person: str) -> tuple[list[Point], bool]:
    """The chart's points: those that helped this person (best first), else the first
    suggestions for common pain; and whether they are the person's own."""
    profile = service.profile(services, person)
    catalog = services.catalog
    limits = cautions_for(profile, catalog)
    found = service.insights(services, person)
    helped = [
        p
        for p in point_stats_of(found, catalog)
        if p.helped and not limits.withheld and limits.allows(catalog.get(p.point_id))
    ]
    chosen = list(dict.fromkeys(i.point_id for i in helped))[:CHART_POINTS]
    if not chosen:
        pain = [PainEntry(r, 5) for r in ("lower_back_left", "interscapular", "sacrum")]
        chosen = [p.candidates[0].point.id for p in plan(pain, catalog, limits) if p.candidates]
    return [catalog.get(p) for p in chosen], bool(helped)


def point_stats_of(found: Iterable[PointInsight], catalog: Catalog) -> list[PointStats]:
    """Stored insights as PointStats, ranked by the expected chance of relief."""
    stats = [
        PointStats(
            i.point_id,
            _name(catalog, i.point_id),
            i.region,
            i.helped,
            i.tried,
            -i.mean_drop,
            expected_relief(catalog, i.region, i.point_id, Tally(i.helped, i.tried)),
        )
        for i in found
    ]
    return sorted(stats, key=lambda p: (-p.chance, -p.tried, p.label))
