"""PDF documents (reportlab): the diary report for a clinician and the point chart for a carer.

`write_report` summarises a period: pain on the back, trends, before/after, PEG scores, the
sessions, the points that helped, screening answers and red flags, cautions on file, and a
disclaimer. `write_point_chart` draws the person's points on their back, numbered, with how to
find and press each. What goes in comes from `backpoints.report.diary`; reportlab and
matplotlib are imported inside the functions. Times are shown in the computer's local time
and say which zone that is; each heading is kept on the page with what follows it.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any, Final

from backpoints import __version__, i18n
from backpoints.app import service
from backpoints.core.anatomy import locate
from backpoints.core.cautions import cautions_for, fit_technique
from backpoints.core.screening import QUESTIONS
from backpoints.core.steps import technique_summary
from backpoints.core.vocab import region_label
from backpoints.i18n import format_number, format_percent
from backpoints.i18n import gettext as _
from backpoints.report import charts, diary
from backpoints.report.partner import for_partner
from backpoints.report.ranking import helped_of, tries

Target = str | Path | IO[bytes]
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
#: Fonts for the scripts DejaVu lacks, from Debian packages (`make fonts`), embedded in the PDF:
#: (file, index in a collection). Devanagari is shaped by HarfBuzz (uharfbuzz).
SCRIPT_FONTS: Final[dict[str, tuple[str, int]]] = {
    "hi": ("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf", 0),
    "zh": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
}
SHAPED: Final = frozenset({"hi"})
MM: Final = 72 / 25.4
PAGE_WIDTH_MM: Final = 174  # A4 less two 18 mm margins
DISCLAIMER: Final = i18n.N_(
    "This diary comes from backpoints, an app that guides self-massage of back pressure points. "
    "It is self-care guidance, not medical care: it does not diagnose, and its suggestions were "
    "not made by a clinician. Pain is self-rated on a 0–10 scale. A point counts as having "
    "helped (relief) when pain dropped by at least 2 points or by 30% from the start of the "
    "session (farrar2001). The evidence that massage or acupressure eases low back pain is of "
    "low to very low certainty (furlan2015, li2021); only acupressure compared with physical "
    "therapy reaches moderate certainty (li2021). The PEG score is the mean of three 0–10 "
    "items: average pain, and interference with enjoyment of life and with general activity, "
    "in the past week (krebs2009)."
)
CHART_NOTE: Final = i18n.N_(
    "From backpoints, an app that guides self-massage. It is self-care guidance, not medical "
    "care. Stop if pain becomes sharp, burning or spreads down a leg, or if there is numbness "
    "or weakness, and see a clinician if pain persists or worsens."
)
#: At most this many points in the relief-rate chart (the best first).
CHART_BARS: Final = 10
RELIEF_CAPTION: Final = i18n.N_(
    "Estimated chance of relief (a drop of at least 2 points or 30% in the region treated) for "
    "each point tried, with the tries it rests on; best first, at most 10 points."
)
RANKING_NOTE: Final = i18n.N_(
    "Ranked by the estimated chance of relief, the number the app plans with: the point's "
    "prior from the literature weighed with this person's tries, so one lucky try ranks "
    "below a point that helped 3 of 5 times."
)


@functools.cache
def _fonts(lang: str) -> tuple[str, str]:
    """Register the fonts for a language: DejaVu Sans (shipped with matplotlib, for arrows and
    dashes), or the script's font; returns the (regular, bold) names."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

    if lang in SCRIPT_FONTS:
        path, index = SCRIPT_FONTS[lang]
        if not Path(path).is_file():
            raise diary.ReportError(
                f"The font for {i18n.LANGUAGES[lang]} is not installed ({path}); run `make fonts`."
            )
        name = f"backpoints-{lang}"
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        return name, name
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (FONT, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(folder / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return FONT, BOLD


def _styles() -> dict[str, Any]:
    return _styles_for(i18n.current())


@functools.cache
def _styles_for(lang: str) -> dict[str, Any]:
    from reportlab.lib.colors import HexColor  # type: ignore[import-untyped]
    from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]

    regular, bold = _fonts(lang)
    shaping = 1 if lang in SHAPED else 0  # HarfBuzz only where the script needs it
    body = ParagraphStyle(
        "body", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=4, shaping=shaping
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=10.5, spaceAfter=0),
        "title": ParagraphStyle("title", body, fontName=bold, fontSize=15, leading=19),
        "h2": ParagraphStyle("h2", body, fontName=bold, fontSize=12.5, leading=16, spaceBefore=9),
        "flag": ParagraphStyle("flag", body, fontName=bold, textColor=HexColor("#b00020")),
        "bold": bold,
    }


def _p(text: str, style: str = "body") -> Any:
    from reportlab.platypus import Paragraph  # type: ignore[import-untyped]

    return Paragraph(_escape(text), _styles()[style])


def _escape(text: str) -> str:
    """Text as reportlab markup: escaped, each newline a line break."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return safe.replace("\n", "<br/>")


def _image(png: bytes, width_mm: float) -> Any:
    from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
    from reportlab.platypus import Image

    w, h = ImageReader(io.BytesIO(png)).getSize()
    return Image(io.BytesIO(png), width_mm * MM, width_mm * MM * h / w)


def _table(rows: Sequence[Sequence[str]], widths_mm: Sequence[float]) -> Any:
    """A table with a bold header row; cells wrap."""
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table, TableStyle

    cells = [[_p(c, "cell") for c in row] for row in rows]
    table = Table(cells, colWidths=[w * MM for w in widths_mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor("#c8c2ba")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    for cell in cells[0]:
        cell.style = _styles()["cell"].clone("head", fontName=_styles()["bold"])
    return table


def _document(target: Target, title: str, footer: str) -> Any:
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.platypus import SimpleDocTemplate

    if isinstance(target, str | Path) and not Path(target).parent.is_dir():
        raise diary.ReportError(f"Cannot write {target}: its folder does not exist.")
    margin = 18 * MM
    doc = SimpleDocTemplate(
        target if not isinstance(target, Path) else str(target),
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author="backpoints",
    )
    doc.footer_text = footer
    return doc


def _footer(canvas: Any, doc: Any) -> None:
    """The footer line, as a paragraph so scripts that need shaping (Devanagari) are shaped."""
    from reportlab.platypus import Paragraph

    page = _("page {n}").format(n=doc.page)
    style = _styles()["small"].clone("footer", fontSize=7.5, leading=9)
    line = Paragraph(_escape(f"{doc.footer_text} · {page}"), style)
    canvas.saveState()
    line.wrapOn(canvas, PAGE_WIDTH_MM * MM, 12 * MM)
    line.drawOn(canvas, 18 * MM, 8 * MM)
    canvas.restoreState()


def _build(doc: Any, story: list[Any]) -> None:
    try:
        doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    except OSError as exc:
        raise diary.ReportError(f"Cannot write the PDF: {exc.strerror or exc}.") from exc


# ---- the report ------------------------------------------------------------------------------


def write_report(
    services: service.Services,
    path: Target,
    start: date | None = None,
    end: date | None = None,
    person: str | None = None,
) -> diary.Period:
    """Write the clinician's report of [start, end] (whole diary by default); returns the period."""
    data = diary.gather(services, start, end, person)
    title = _("Back pain self-care diary: {start} to {end}").format(
        start=data.period.start, end=data.period.end
    )
    zone = diary.zone_name(data.generated)
    generated = _("generated {when}").format(when=diary.local(data.generated))
    footer = f"backpoints {__version__} · {title} · {generated} ({zone})"
    story: list[Any] = [
        _p(title, "title"),
        _p(
            _("Name: {blank}   Date of birth: {short}   Times: {zone}.").format(
                blank="_" * 22, short="_" * 14, zone=zone
            )
        ),
    ]
    for section in _SECTIONS:
        story.extend(_kept(section(data)))
    _build(_document(path, title, footer), story)
    return data.period


def _kept(section: list[Any]) -> list[Any]:
    """A section whose heading stays on the page with the first thing under it."""
    from reportlab.platypus import KeepTogether

    return [KeepTogether(section[:2]), *section[2:]] if len(section) > 1 else section


def _overview(data: diary.ReportData) -> list[Any]:
    from reportlab.platypus import Table

    facts = [_p(line, "cell") for line in diary.overview_lines(data)]
    heat = _image(charts.heat_map(data.body, data.mean_pain, _("Mean pain at the start")), 80)
    layout = Table([[heat, facts]], colWidths=[84 * MM, (PAGE_WIDTH_MM - 84) * MM])
    layout.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    caption = _(
        "The back seen from behind (the person's left is on the left). Each coloured region "
        "shows the mean pain (0–10) reported for it at the start of sessions in this period; "
        "uncoloured regions were not reported as painful."
    )
    return [_p(_("At a glance"), "h2"), layout, _p(caption, "small")]


def _red_flags(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Red flags reported"), "h2")]
    flagged = [s for s in data.screenings if s.flags]
    if not flagged:
        return [*out, _p(diary.red_flag_summary(data.screenings)), *_all_clears(data)]
    for s in flagged:
        advice = _(diary.URGENCY_ADVICE[s.urgency]) if s.urgency in diary.URGENCY_ADVICE else ""
        level = {"emergency": _("EMERGENCY"), "urgent": _("URGENT")}.get(s.urgency or "", "")
        out.append(_p(f"{diary.local(s.at)}: {level}. {advice}", "flag"))
        for f in s.flags:
            label = _flag_label(f)
            question = _(QUESTIONS[f]) if f in QUESTIONS else f
            said = _("Answered yes to: “{question}”").format(question=question)
            out.append(_p(f"• {label}. {said}"))
    return [*out, *_all_clears(data)]


def _flag_label(flag: str) -> str:
    return _(diary.FLAG_LABELS[flag]) if flag in diary.FLAG_LABELS else flag


def _all_clears(data: diary.ReportData) -> list[Any]:
    """The flags a clinician's all-clear lifted: when it was recorded, the day of the check,
    who checked."""
    out = []
    for c in data.all_clears:
        label = _flag_label(c.flag)
        said = (
            _("a clinician's all-clear (checked on {day} by {who}) for: {label}.")
            if c.clinician
            else _("a clinician's all-clear (checked on {day}) for: {label}.")
        )
        line = said.format(day=c.checked_on.isoformat(), who=c.clinician, label=label)
        out.append(_p(f"{diary.local(c.recorded_at)}: {line}"))
    return out


def _trends(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Pain over time"), "h2")]
    if not data.sessions:
        return [*out, _p(_("No sessions in this period."))]
    out += [_image(charts.pain_over_time(data.pain_series), PAGE_WIDTH_MM)]
    out += [_p(_("Pain (0–10) at the start of each session, per region."), "small")]
    if data.before_after:
        out += [_image(charts.before_after(data.before_after), PAGE_WIDTH_MM)]
        out += [_p(_(diary.BEFORE_AFTER_CAPTION), "small")]
    return out


def _peg(data: diary.ReportData) -> list[Any]:
    out = [_p(_("PEG weekly check-ins"), "h2")]
    if not data.pegs:
        return [*out, _p(_("No PEG check-ins in this period."))]
    rows = [
        [
            _("Date"),
            _("Average pain"),
            _("Enjoyment of life"),
            _("General activity"),
            _("PEG score"),
        ]
    ]
    for c in data.pegs:
        a = c.answers
        rows.append([diary.local(c.at, False), str(a.pain), str(a.enjoyment), str(a.activity)])
        rows[-1].append(format_number(c.score, fixed=True))
    out.append(_table(rows, (34, 35, 35, 35, 35)))
    chart = [(c.at, c.answers.pain, c.answers.enjoyment, c.answers.activity) for c in data.pegs]
    return [*out, _image(charts.peg_scores(chart), PAGE_WIDTH_MM)]


def _sessions(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Sessions"), "h2")]
    if not data.sessions:
        return [*out, _p(_("No sessions in this period."))]
    rows = [
        [
            _("Date"),
            _("Pain at the start (0–10)"),
            _("Points tried: pain before → after"),
            _("Outcome"),
        ]
    ]
    rows += [diary.session_row(s, data.catalog) for s in data.sessions]
    return [*out, _table(rows, (27, 45, 70, 32))]


def _helped(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Points that helped"), "h2")]
    if not data.points:
        return [*out, _p(_("No points were rated in this period."))]
    helped = [p for p in data.points if p.helped]
    rows = [[_("Point"), _("Region"), _("Relief in"), _("Estimated chance"), _("Mean change")]]
    rows += [
        [p.label, region_label(p.region), helped_of(p.helped, p.tried), format_percent(p.chance),
         format_number(p.mean_change, signed=True, fixed=True)]
        for p in helped
    ]  # fmt: skip
    out += [_table(rows, (56, 44, 26, 26, 22))] if helped else [_p(_("None gave relief."))]
    out.append(_p(_(RANKING_NOTE), "small"))
    others = [
        f"{p.label} ({region_label(p.region)}, {tries(p.tried)})"
        for p in data.points
        if not p.helped
    ]
    if others:
        tried = _("Tried without relief: {points}.").format(points="; ".join(others))
        out.append(_p(tried, "small"))
    bars = [
        (f"{p.label} ({region_label(p.region)})", p.helped, p.tried, p.chance) for p in data.points
    ]
    chart = charts.relief_rates(bars[:CHART_BARS])
    return [*out, _image(chart, PAGE_WIDTH_MM), _p(_(RELIEF_CAPTION), "small")]


def _screenings(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Screening answers"), "h2")]
    if not data.screenings:
        return [*out, _p(_("The red-flag questions were not asked in this period."))]
    clear = diary.all_no_line(data.screenings)
    if clear:
        out.append(_p(clear))
    for s in (s for s in data.screenings if s.flags):
        advice = _(diary.URGENCY_ADVICE[s.urgency]) if s.urgency in diary.URGENCY_ADVICE else ""
        said = _("answered yes.")
        out.append(_p(f"{diary.local(s.at)}: {said} {advice}", "flag"))
        yes = _("Yes.")
        out += [_p(f"• “{_(QUESTIONS[f]) if f in QUESTIONS else f}” {yes}") for f in s.flags]
        others = len(QUESTIONS) - len(s.flags)
        out.append(_p(_("No to the other {n} questions.").format(n=others), "small"))
    return out


def _routines(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Routines and stress"), "h2")]
    if not data.runs:
        return [*out, _p(_("No routines were run in this period."))]
    rows = [
        [_("Date"), _("Routine"), _("Steps done"), _("Stress (0–10) before → after"), _("Ended")]
    ]
    rows += [diary.run_row(r) for r in data.runs]
    return [*out, _table(rows, (27, 60, 22, 40, 25))]


def _spots(data: diary.ReportData) -> list[Any]:
    out = [_p(_("Tender spots found"), "h2")]
    if not data.spots:
        return [*out, _p(_("No tender spots were marked in this period."))]
    rows = [[_("Date"), _("Region"), _("Tenderness (1–10)"), _("Nearest points")]]
    rows += [diary.spot_row(f, data.catalog) for f in data.spots]
    return [*out, _table(rows, (27, 45, 30, 72))]


def _cautions(data: diary.ReportData) -> list[Any]:
    lines = diary.caution_lines(data.profile, data.catalog)
    body = [_p(f"• {line}") for line in lines] or [_p(_("None recorded in the profile."))]
    return [_p(_("Cautions on file (from the person's profile)"), "h2"), *body]


def _disclaimer(data: diary.ReportData) -> list[Any]:
    return [_p(_("About this report"), "h2"), _p(_(DISCLAIMER))]


_SECTIONS: Final[tuple[Callable[[diary.ReportData], list[Any]], ...]] = (
    _overview,
    _red_flags,
    _trends,
    _peg,
    _sessions,
    _helped,
    _routines,
    _spots,
    _screenings,
    _cautions,
    _disclaimer,
)


# ---- the point chart -------------------------------------------------------------------------


def write_point_chart(
    services: service.Services, path: Target, person: str | None = None
) -> list[str]:
    """Write the printable chart of the person's points (the local person's by default);
    returns the point ids drawn."""
    person = person or service.person_id(services)
    profile = service.profile(services, person)
    points, personal = diary.chart_points(services, person)
    body = service.body_of(profile)
    marks = [(str(n), pos) for n, p in enumerate(points, 1) for pos in locate(p, body)]
    limits = cautions_for(profile, services.catalog)
    lead = (
        _("The points that helped them, numbered") if personal else _("Suggested starting points")
    )
    title = _("Massage points chart")
    intro = _(
        "For the partner or carer who gives the massage. {lead}, on their back as you see it "
        "when you stand behind them: their left is on the left of the picture. Press each "
        "point as described; stop at once if they feel sharp pain or numbness."
    ).format(lead=lead)
    story: list[Any] = [
        _p(title, "title"),
        _p(intro),
        _image(charts.points_map(body, marks), 100),
        *[_p(note, "flag") for note in limits.notes],
    ]
    shown = service.shown_catalog(services)
    # the English steps are rewritten for the partner; a translation is read as written
    partner = for_partner if i18n.current() == i18n.DEFAULT else str
    for n, original in enumerate(points, 1):
        point = shown.get(original.id)
        fitted = fit_technique(original, limits, owned=profile.tools_owned)
        technique = fitted.technique
        how = technique_summary(technique.motion, technique.pressure, technique.tools[0])
        chinese = f" ({point.names.chinese})" if point.names.chinese else ""
        story.append(_p(f"{n}. {point.display_name}{chinese}", "h2"))
        story += [_p(f"{i}. {partner(step)}") for i, step in enumerate(point.how_to_find, 1)]
        story.append(_p(_("How: {how} About {n} seconds.").format(how=how, n=technique.duration_s)))
        story += [
            _p(_("Caution: {text}").format(text=c), "small")
            for c in (*point.cautions, *fitted.notes)
        ]
    story.append(_p(_(CHART_NOTE), "small"))
    footer = f"backpoints · {title} · {i18n.format_date(services.clock.now())}"
    _build(_document(path, title, footer), story)
    return [p.id for p in points]
