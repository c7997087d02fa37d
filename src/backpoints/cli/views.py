"""What the terminal shows: listings, point panels, maps and tables built from library results.

Presentation only (Rich renderables and plain text); the CLI prints them. No I/O here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from backpoints.core.errors import BackpointsError, check_region
from backpoints.core.vocab import Sex, condition_phrase, region_label
from backpoints.i18n import N_, format_number, ngettext
from backpoints.i18n import gettext as _

if TYPE_CHECKING:
    from rich.console import Console, Group, RenderableType
    from rich.table import Table

    from backpoints.catalog import Point
    from backpoints.core.anatomy import Body


class BadBodyInput(BackpointsError, ValueError):
    """Sex or height given on the command line cannot describe a body."""

    field = "height"


def console() -> Console:
    """A Rich console for the CLI's output."""
    from rich.console import Console

    return Console(highlight=False)


def points_listing(region: str | None, width: int = 80) -> str:
    """Plain text in the language in force (fast: no pydantic, no Rich) that fits `width`
    columns: the full id and name on one line, the tradition and regions wrapped below it."""
    import textwrap

    from backpoints.catalog.index import point_summaries
    from backpoints.i18n import current

    rows = point_summaries(current())
    if region:
        check_region(region)
        rows = [r for r in rows if region in r.regions]
    lines = [_("ID and name; tradition: regions it helps (region ids, for --region)")]
    for r in rows:
        name = r.name.removeprefix(r.id).strip() or r.name
        lines.append(f"{r.id}  {name}")
        detail = f"{_(TRADITIONS.get(r.tradition, r.tradition))}: {', '.join(r.regions)}"
        lines += textwrap.wrap(detail, max(40, width), initial_indent="    ",
                               subsequent_indent="      ")  # fmt: skip
    count = ngettext("{n} point", "{n} points", len(rows)).format(n=len(rows))
    if region:
        count = _("{count} for {region}").format(count=count, region=region_label(region))
    lines.append(count)
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a text takes in a terminal (Chinese characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def body_for(sex: str | None, height: float | None) -> Body:
    """A body from the sex and height options; the ansur2 mean height when none is given."""
    from backpoints.core.anatomy import (
        ANSUR_STATURE_CM,
        ERNST_REFERENCE_STATURE_CM,
        body_from_stature,
    )

    if sex not in (None, "female", "male"):
        raise BadBodyInput(f"--sex must be 'female' or 'male', got {sex!r}.")
    known: Sex | None = "female" if sex == "female" else "male" if sex == "male" else None
    stature = height or (ANSUR_STATURE_CM[known] if known else ERNST_REFERENCE_STATURE_CM)
    try:
        return body_from_stature(stature, known)
    except ValueError as exc:
        raise BadBodyInput(f"--height: {exc}.") from exc


def locate_all(body: Body) -> dict[str, Any]:
    """The `locate --json` shape: the body, then every position of every point."""
    from dataclasses import asdict

    from backpoints.catalog import load_catalog
    from backpoints.core.anatomy import locate

    positions = [pos for point in load_catalog() for pos in locate(point, body)]
    return {
        "body": {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(body).items()},
        "points": [
            {
                "id": p.point_id,
                "side": p.side,
                "x_cm": round(p.x_cm, 2),
                "y_cm": round(p.y_cm, 2),
                "level": p.level,
                "uncertainty_cm": p.uncertainty_cm,
            }
            for p in positions
        ],
    }


def locate_table(result: dict[str, Any]) -> Table:
    """The located points as a Rich table."""
    from rich.table import Table

    body = result["body"]
    table = Table(
        title=f"Points on a body of {body['stature_cm']} cm ({body['sex'] or 'sex not given'}); "
        "x: + toward your right, y: cm below C7",
    )
    for column in ("id", "side", "x_cm", "y_cm", "level", "± cm"):
        table.add_column(column, justify="right" if column[0] in "xy±" else "left")
    for p in result["points"]:
        table.add_row(
            p["id"], p["side"] or "midline", format_number(p["x_cm"]),
            format_number(p["y_cm"]), p["level"], format_number(p["uncertainty_cm"]),
        )  # fmt: skip
    return table


def back_map_view(body: Body, region: str | None, out: Console) -> Group:
    """The terminal map fitted to `out`: every point as a dot, or one region shaded with the
    points inside it numbered (only the positions that lie in that region)."""
    from backpoints.catalog import load_catalog
    from backpoints.cli.termmap import MapMarker, look_for, map_with_legend
    from backpoints.core.anatomy import locate
    from backpoints.core.regions import regions_at

    catalog = load_catalog()
    if region:
        check_region(region)
    chosen = catalog.for_region(region) if region else catalog.points
    markers: list[MapMarker] = []
    for point in chosen:
        every = locate(point, body)
        spots = [
            pos
            for pos in every
            if not region or region in regions_at(body, pos.x_cm, pos.y_cm, tolerance=1.0)
        ] or every
        number = len({m.label for m in markers}) + 1 if region else 0
        markers += [MapMarker(number, pos, point.display_name) for pos in spots]
    size = (out.size.width, out.size.height)
    return map_with_legend(body, markers, size, look=look_for(out, region))


def point_panel(point: Point, out: Console) -> RenderableType:
    """Everything about one point, beside a map fitted to the terminal that marks it."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    from backpoints.cli.termmap import MapMarker, back_map, beside, fit_width, look_for
    from backpoints.core.anatomy import body_from_stature, locate
    from backpoints.i18n import current
    from backpoints.i18n.points import localized_catalog

    catalog = localized_catalog(current())
    body = body_from_stature(169.25)
    markers = [MapMarker(1, pos, point.id, highlight=True) for pos in locate(point, body)]
    body_text = Text()
    _point_details(point, body_text)
    also = catalog.also_known_as(point)
    if also:
        body_text.append(_("Also known as: {names}").format(names=also) + "\n")
    sources = "\n".join(f"[{k}] {catalog.sources[k].citation}" for k in point.sources)
    panel = Panel(
        body_text, title=f"[bold]{point.display_name}[/]", subtitle=_(TRADITIONS[point.tradition])
    )
    width = fit_width(body, out.size.height - 3, max(15, out.size.width // 3))
    drawn = Group(
        Text(_("Seen from behind:\nyour left on the left,\nthe point marked 1."), style="dim"),
        back_map(body, markers=markers, width=width, look=look_for(out)),
    )
    top = beside(drawn, panel) if out.size.width >= 70 else Group(panel, drawn)
    return Group(top, Text(_("Sources"), style="bold"), Text(sources, style="dim"))


#: Words for the catalogue's vocabularies, as the terminal and the pages show them.
TRADITIONS: Final[dict[str, str]] = {
    "acupressure": N_("acupressure"),
    "trigger-point": N_("trigger point"),
    "lay": N_("everyday name"),
}
WHY: Final[dict[str, str]] = {"local": N_("the point lies here"), "referred": N_("sends pain here")}
MOTIONS: Final[dict[str, str]] = {
    "circular": N_("circular"),
    "back_and_forth": N_("back-and-forth"),
    "static": N_("steady hold"),
}
PRESSURES: Final[dict[str, str]] = {
    "gentle": N_("gentle pressure"),
    "moderate": N_("moderate pressure"),
    "firm": N_("firm pressure"),
}
TOOLS: Final[dict[str, str]] = {
    "thumb": N_("thumb"),
    "fingers": N_("fingers"),
    "knuckles": N_("knuckles"),
    "elbow": N_("elbow"),
    "tennis_ball": N_("tennis ball"),
    "foam_roller": N_("foam roller"),
    "massage_tool": N_("massage tool"),
    "partner": N_("partner"),
    "body_weight": N_("body weight"),
}


def _point_details(point: Point, out: Any) -> None:
    names = point.names
    other = [n for n in (names.chinese, names.english) if n]
    out.append(f"{point.id}: {' / '.join(other)}\n", style="bold")
    if names.aliases:
        out.append(_("Also called: {names}").format(names=", ".join(names.aliases)) + "\n")
    if point.muscle:
        out.append(
            _("Muscle: {muscle}; sends pain to {where}").format(
                muscle=point.muscle, where=point.refers_pain_to
            )
            + "\n"
        )
    helps = ", ".join(f"{region_label(h.region)} ({_(WHY[h.why])})" for h in point.helps)
    out.append(_("Helps: {regions}").format(regions=helps) + "\n\n")
    out.append(_("How to find it") + "\n", style="bold")
    for i, step in enumerate(point.how_to_find, 1):
        out.append(f"  {i}. {step}\n")
    t = point.technique
    out.append("\n" + _("How to press it") + "\n", style="bold")
    tools = ", ".join(_(TOOLS[tool]) for tool in t.tools)
    seconds = ngettext("{n} second", "{n} seconds", t.duration_s).format(n=t.duration_s)
    out.append(
        "  "
        + _("{motion}, {pressure}, {seconds}; with: {tools}").format(
            motion=_(MOTIONS[t.motion]),
            pressure=_(PRESSURES[t.pressure]),
            seconds=seconds,
            tools=tools,
        )
        + "\n"
    )
    if point.avoid_when or point.cautions:
        out.append("\n" + _("Cautions") + "\n", style="bold red")
        for condition in point.avoid_when:
            line = _("Do not use if {condition}.").format(condition=condition_phrase(condition))
            out.append(f"  • {line}\n", style="red")
        for caution in point.cautions:
            out.append(f"  • {caution}\n", style="red")
