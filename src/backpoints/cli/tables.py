"""Terminal tables over the diary: history, insights and routines, with plain names (not
ids) for points and regions, local times with their zone, and widths that fit 80 columns
(Rich wraps long cells; ids the user must type are never cut)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table

from backpoints.app.routine_service import RunSummary
from backpoints.catalog import Catalog
from backpoints.core.routines import Routine, describe_shown, run_status, shown, shown_name
from backpoints.core.vocab import region_label
from backpoints.i18n import format_number, format_percent, ngettext
from backpoints.i18n import gettext as _
from backpoints.report.ranking import helped_of, ranked
from backpoints.store.repo import PointInsight, SessionSummary


def local_time(at: datetime) -> str:
    """'2026-01-05 10:00 CET': the computer's local time, with its zone."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def point_name(catalog: Catalog, point_id: str) -> str:
    try:
        return catalog.get(point_id).display_name
    except LookupError:
        return point_id


def history_table(
    catalog: Catalog, sessions: Sequence[SessionSummary], runs: Sequence[RunSummary] = ()
) -> Table:
    """Sessions and routine runs, newest first, in the language in force (`catalog`: the
    catalogue with its point names in that language)."""
    from backpoints.cli.terminal_routine import SESSION_TITLES

    headers = (_("When"), _("What"), _("Points: pain before → after"), _("Outcome"))
    table = Table(*headers, expand=False)
    rows: list[tuple[datetime, tuple[str, str, str, str]]] = []
    for s in sessions:
        pain = "; ".join(f"{region_label(r)} {v}" for r, v in s.pain.items())
        tried = "; ".join(
            f"{point_name(catalog, r.point_id)} {r.pain_before}→{r.pain_after}" for r in s.ratings
        )
        status = _(SESSION_TITLES[s.status]) if s.status in SESSION_TITLES else s.status
        rows.append((s.started_at, (local_time(s.started_at), pain, tried or "-", status)))
    for r in runs:
        stress = (
            _("stress {before}→{after}").format(before=r.stress_before, after=r.stress_after)
            if r.stress_after is not None
            else _("stress {before}").format(before=r.stress_before)
        )
        what = _("routine: {name}").format(name=shown_name(r.routine_id, r.name))
        steps = ngettext("{n} step", "{n} steps", r.steps_done).format(n=r.steps_done)
        status = run_status(r.status)
        rows.append((r.started_at, (local_time(r.started_at), what, f"{steps}; {stress}", status)))
    for _when, cells in sorted(rows, key=lambda pair: pair[0], reverse=True):
        table.add_row(*cells)
    return table


def insights_table(catalog: Catalog, found: Sequence[PointInsight]) -> Table:
    """What helped, ranked by the expected chance of relief (as the planner ranks)."""
    table = Table(_("Region"), _("Point"), _("Relief in"), _("Estimated chance"), _("Mean drop"))
    for chance, i in ranked(catalog, found):
        table.add_row(
            region_label(i.region),
            point_name(catalog, i.point_id),
            helped_of(i.helped, i.tried),
            format_percent(chance),
            format_number(i.mean_drop),
        )
    return table


def routine_listing(found: Sequence[Routine]) -> Table:
    """Routines with their full ids (what `backpoints routine ID` takes)."""
    table = Table(_("id (type this)"), _("Routine"), _("Length"), _("For"))
    table.columns[0].no_wrap = True
    for r in found:
        who = _("a partner") if r.for_partner else _("yourself")
        table.add_row(r.id, shown(r).name, describe_shown(r), who)
    return table
