"""`backpoints profile`: show and set everything the web profile holds (conditions that
change the guidance, where they are, sex, height, age and the tools owned). Options left out
keep their saved value; the result is checked by the same `Profile` model the web uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from backpoints.core.errors import BackpointsError
from backpoints.i18n import N_
from backpoints.i18n import gettext as _

if TYPE_CHECKING:
    from rich.table import Table

    from backpoints.core.screening import Profile

#: Profile field -> (option name, what it means), in the order the profile shows them.
CONDITIONS: dict[str, tuple[str, str]] = {
    "pregnant": ("pregnant", N_("Pregnant")),
    "anticoagulants": ("blood-thinners", N_("Blood thinners (anticoagulants)")),
    "bleeding_disorder": ("bleeding-disorder", N_("Has a bleeding disorder")),
    "osteoporosis": ("osteoporosis", N_("Has osteoporosis")),
    "recent_surgery": ("recent-surgery", N_("Recent surgery on the back")),
    "broken_skin": ("broken-skin", N_("Broken skin, a wound or a rash on the back")),
    "blood_clot_history": ("blood-clot", N_("Has had a blood clot (DVT)")),
    "cancer_at_site": ("cancer-at-site", N_("Cancer or a tumour in the back")),
}
SEX_WORDS = {"female": N_("Female"), "male": N_("Male")}


class BadProfile(BackpointsError, ValueError):
    """A profile value out of range or unknown."""

    field = "profile"


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)


def profile(
    pregnant: Annotated[bool | None, typer.Option("--pregnant/--not-pregnant")] = None,
    anticoagulants: Annotated[
        bool | None, typer.Option("--blood-thinners/--no-blood-thinners")
    ] = None,
    bleeding_disorder: Annotated[
        bool | None, typer.Option("--bleeding-disorder/--no-bleeding-disorder")
    ] = None,
    osteoporosis: Annotated[bool | None, typer.Option("--osteoporosis/--no-osteoporosis")] = None,
    recent_surgery: Annotated[
        bool | None, typer.Option("--recent-surgery/--no-recent-surgery")
    ] = None,
    broken_skin: Annotated[bool | None, typer.Option("--broken-skin/--no-broken-skin")] = None,
    blood_clot_history: Annotated[bool | None, typer.Option("--blood-clot/--no-blood-clot")] = None,
    cancer_at_site: Annotated[
        bool | None, typer.Option("--cancer-at-site/--no-cancer-at-site")
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="A region with surgery, a wound, a clot or a tumour (repeat)."),
    ] = None,
    no_sites: Annotated[bool, typer.Option("--no-sites", help="Clear those regions.")] = False,
    sex: Annotated[str | None, typer.Option("--sex", help="female or male.")] = None,
    height: Annotated[float | None, typer.Option("--height", help="Height in cm.")] = None,
    age: Annotated[int | None, typer.Option("--age", help="Age in years.")] = None,
    tool: Annotated[
        list[str] | None, typer.Option("--tool", help="A tool you own, e.g. tennis_ball (repeat).")
    ] = None,
    no_tools: Annotated[bool, typer.Option("--no-tools", help="Clear the tools.")] = False,
) -> None:
    """Show your profile, or set parts of it (options left out keep their value)."""
    from backpoints.app import service
    from backpoints.cli import views
    from backpoints.cli.main import _services

    given = {
        "pregnant": pregnant,
        "anticoagulants": anticoagulants,
        "bleeding_disorder": bleeding_disorder,
        "osteoporosis": osteoporosis,
        "recent_surgery": recent_surgery,
        "broken_skin": broken_skin,
        "blood_clot_history": blood_clot_history,
        "cancer_at_site": cancer_at_site,
        "sex": sex,
        "stature_cm": height,
        "age": age,
    }
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if site or no_sites:
        changes["affected_regions"] = tuple(site or ())
    if tool or no_tools:
        changes["tools_owned"] = tuple(tool or ())
    services = _services()
    try:
        me = service.person_id(services)
        saved = service.profile(services, me)
        if changes:
            saved = _updated(saved, changes)
            service.save_profile(services, me, saved)
    finally:
        services.close()
    out = views.console()
    if changes:
        out.print("Profile saved.")
    out.print(profile_table(saved))


def _updated(saved: Profile, changes: dict[str, Any]) -> Profile:
    from pydantic import ValidationError

    from backpoints.core.screening import Profile

    try:
        return Profile.model_validate(saved.model_dump() | changes)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        option = {"stature_cm": "height", "affected_regions": "site", "tools_owned": "tool"}
        name = option.get(str(error["loc"][0]), str(error["loc"][0]))
        raise BadProfile(
            f"--{name}: {error['msg']} (got {error.get('input')!r}; {where})."
        ) from None


def profile_table(saved: Profile) -> Table:
    """Every profile field with its value, in words."""
    from rich.table import Table

    from backpoints.cli.views import TOOLS
    from backpoints.core.vocab import region_label

    table = Table("", "", "option", box=None, show_header=False, pad_edge=False)
    for field, (option, label) in CONDITIONS.items():
        value = _("yes") if getattr(saved, field) else _("no")
        table.add_row(_(label), value, f"--{option}")
    none, unknown = _("none"), _("not given")
    regions = ", ".join(region_label(r) for r in saved.affected_regions) or none
    table.add_row(_("Where (never pressed)"), regions, "--site")
    table.add_row(_("Sex"), _(SEX_WORDS[saved.sex]) if saved.sex else unknown, "--sex")
    height = f"{saved.stature_cm:g} cm" if saved.stature_cm else unknown
    table.add_row(_("Height"), height, "--height")
    table.add_row(_("Age"), str(saved.age) if saved.age is not None else unknown, "--age")
    tools = ", ".join(_(TOOLS[t]) for t in saved.tools_owned) or none
    table.add_row(_("Tools you own"), tools, "--tool")
    return table
