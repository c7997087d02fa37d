"""Every caution is a rule: no produced step ever breaks one, whatever the profile, the pain,
the routine (built-in or the person's own) and the tools the person owns.

The rules are checked by an oracle written from the tools data and the domain rules
(`tests.caution_rules`), not by the implementation's own functions. Generated tests cover the
product; the named tests below pin each rule to a case a person would meet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpoints.app.routine_run import start_run
from backpoints.catalog import Catalog
from backpoints.core import guided
from backpoints.core.anatomy import body_from_stature
from backpoints.core.cautions import cautions_for, fit_technique
from backpoints.core.guided import Queued
from backpoints.core.planner import PainEntry, plan
from backpoints.core.routines import Routine, build_routine, builtin_routines, fit_routine
from backpoints.core.scan import suggest
from backpoints.core.screening import Profile
from backpoints.core.steps import Guide, Step, build_step
from backpoints.core.vocab import REGION_IDS, TOOLS, Tool
from tests.caution_rules import (
    CONDITIONS,
    SITES,
    avoided,
    guidance_withheld,
    tools_data,
    violations,
)

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
ALL_TOOLS: tuple[Tool, ...] = get_args(Tool)
MAX_STEPS = 30

profiles = st.builds(
    Profile,
    **{c: st.booleans() for c in CONDITIONS},
    affected_regions=st.lists(st.sampled_from(REGION_IDS), unique=True, max_size=3).map(tuple),
    sex=st.sampled_from([None, "female", "male"]),
    stature_cm=st.one_of(st.none(), st.floats(140, 210)),
    age=st.one_of(st.none(), st.integers(16, 99)),
    tools_owned=st.lists(st.sampled_from(TOOLS), unique=True).map(tuple),
)
pain_maps = st.dictionaries(st.sampled_from(REGION_IDS), st.integers(1, 10), min_size=1, max_size=3)


def _guide(catalog: Catalog, profile: Profile) -> Guide:
    return Guide(catalog, body_from_stature(profile.stature_cm or 169.25, profile.sex))


def _check(step: Step, profile: Profile, catalog: Catalog) -> None:
    point = catalog.get(step.point.id)
    broken = violations(step, point, profile, {p.id: p for p in catalog})
    assert not broken, (step.point.id, step.region, step.technique, broken)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, pain_maps)
def test_no_session_step_ever_breaks_a_caution(
    catalog: Catalog, profile: Profile, pain: dict[str, int]
) -> None:
    guide = _guide(catalog, profile)
    entries = [PainEntry(r, i) for r, i in pain.items()]
    state = guided.start(entries, [], profile, guide, now=NOW)
    if guidance_withheld(profile):
        assert state.current is None
        assert any("not where it is" in n for n in state.notes)
        assert "not where it is" in (state.message or "")
    shown = 0
    while state.status == "active" and state.current is not None and shown < MAX_STEPS:
        _check(state.current, profile, catalog)
        shown += 1
        state = guided.skip(state, guide, now=NOW)


def _step_strategy(catalog: Catalog) -> st.SearchStrategy[dict[str, object]]:
    def step_for(point_id: str) -> st.SearchStrategy[dict[str, object]]:
        point = catalog.get(point_id)
        sides = ["both", "left", "right"] if point.bilateral else [None]
        return st.fixed_dictionaries(
            {
                "point_id": st.just(point_id),
                "side": st.sampled_from(sides),
                "tool": st.sampled_from([None, *TOOLS]),
                "duration_s": st.integers(30, 180),
            }
        )

    return st.sampled_from([p.id for p in catalog]).flatmap(step_for)


def _routines(catalog: Catalog) -> st.SearchStrategy[Routine]:
    own = st.lists(_step_strategy(catalog), min_size=1, max_size=6).map(
        lambda steps: Routine.model_validate({"id": "my-own", "name": "Mine", "steps": steps})
    )
    one_tool = st.tuples(
        st.lists(st.sampled_from([p.id for p in catalog if p.bilateral]), min_size=1, max_size=4),
        st.sampled_from(TOOLS),
    ).map(
        lambda pair: Routine.model_validate(
            {
                "id": "my-tool",
                "name": "One tool",
                "steps": [
                    {"point_id": p, "side": "both", "tool": pair[1], "duration_s": 60}
                    for p in pair[0]
                ],
            }
        )
    )
    built = st.lists(st.sampled_from([p.id for p in catalog]), min_size=1, max_size=5).map(
        lambda ids: build_routine("Built", ids, 60, catalog)
    )
    return st.one_of(st.sampled_from(builtin_routines()), own, one_tool, built)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), profiles)
def test_no_routine_step_ever_breaks_a_caution(
    catalog: Catalog, data: st.DataObject, profile: Profile
) -> None:
    routine = data.draw(_routines(catalog))
    run = start_run(routine, [], profile, _guide(catalog, profile), now=NOW)
    for step in run.steps:
        _check(step, profile, catalog)
    tools = {s.tool for s in routine.steps}
    have = {c for c in CONDITIONS if getattr(profile, c)}
    whole_tool = next(iter(tools)) if len(tools) == 1 else None
    if whole_tool is not None and have & set(tools_data()[whole_tool]["not_for"]):
        assert not run.steps and "left out" in run.skipped[0]
    elif guidance_withheld(profile):
        assert not run.steps and "not where it is" in run.skipped[0]
    else:
        assert len(run.steps) + len(run.skipped) == len(routine.steps)
        assert all("skipped" in line for line in run.skipped)


@settings(max_examples=80, deadline=None)
@given(
    profiles,
    st.sampled_from(REGION_IDS),
    st.lists(st.sampled_from(["GB21", "BL31", "BL32", "sacral-point", "BL23", "GV3"]), max_size=3),
)
def test_scan_suggestions_pass_the_cautions(
    catalog: Catalog, profile: Profile, region: str, ids: list[str]
) -> None:
    offered = suggest(region, tuple(ids), catalog, cautions_for(profile, catalog))
    by_id = {p.id: p for p in catalog}
    for point_id in offered.points:
        assert not avoided(by_id[point_id], profile, by_id)
    has_site = any(getattr(profile, c) for c in SITES)
    if guidance_withheld(profile) or (has_site and region in profile.affected_regions):
        assert offered.points == () and len(offered.left_out) == 1
    else:
        left = [i for i in ids if avoided(by_id[i], profile, by_id)]
        assert len(offered.left_out) == len(left)
        assert len(offered.points) == len(ids) - len(left)


# ---- the full product for one point: every profile of the tool rules x point x lead tool -----

TOOL_CONDITIONS = (
    "pregnant",
    "anticoagulants",
    "bleeding_disorder",
    "osteoporosis",
    "recent_surgery",
)


@pytest.mark.parametrize("mask", range(2 ** len(TOOL_CONDITIONS)))
def test_every_point_and_lead_tool_for_every_combination_of_conditions(
    catalog: Catalog, mask: int
) -> None:
    flags = {c: bool(mask >> i & 1) for i, c in enumerate(TOOL_CONDITIONS)}
    sites = ("buttock_left",) if flags["recent_surgery"] else ()
    profile = Profile(**flags, affected_regions=sites, tools_owned=tuple(TOOLS))
    guide = _guide(catalog, profile)
    limits = cautions_for(profile, catalog)
    by_id = {p.id: p for p in catalog}
    for point in catalog:
        if avoided(point, profile, by_id):
            assert not limits.allows(point)
            continue
        for region in dict.fromkeys(r for r in point.regions if r not in sites):
            for lead in (None, *ALL_TOOLS):
                queued = Queued(point_id=point.id, side=None, why="test")
                step = build_step(1, region, queued, profile, guide, tool=lead, cautions=limits)
                _check(step, profile, catalog)


# ---- named rules ----------------------------------------------------------------------------


def _step(
    catalog: Catalog, point_id: str, region: str, profile: Profile, tool: Tool | None = None
) -> Step:
    queued = Queued(point_id=point_id, side=None, why="test")
    return build_step(1, region, queued, profile, _guide(catalog, profile), tool=tool)


@pytest.mark.parametrize("condition", ["anticoagulants", "bleeding_disorder"])
def test_blood_thinners_mean_gentle_and_no_roller_knuckles_elbow_or_hook(
    catalog: Catalog, condition: str
) -> None:
    profile = Profile(**{condition: True}, tools_owned=tuple(TOOLS))
    limits = cautions_for(profile, catalog)
    for point in catalog:
        fitted = fit_technique(point, limits, owned=profile.tools_owned)
        assert fitted.technique.pressure == "gentle"
        assert not {"foam_roller", "knuckles", "elbow", "massage_tool", "body_weight"} & set(
            fitted.technique.tools
        )
        if point.technique.pressure != "gentle":
            assert any("blood thinners" in n for n in fitted.notes)
    step = _step(catalog, "EX-B7", "lower_back_left", profile, tool="knuckles")
    assert step.technique.tool != "knuckles" and any("knuckles" in c for c in step.cautions)


@pytest.mark.parametrize(
    ("tool", "condition"),
    [(t, c) for t, data in tools_data().items() for c in data["not_for"]],
)
def test_an_owned_tool_never_leads_for_a_profile_it_is_not_for(
    catalog: Catalog, tool: str, condition: str
) -> None:
    profile = Profile(**{condition: True}, tools_owned=(tool,))
    limits = cautions_for(profile, catalog)
    offered = [p for p in catalog if tool in p.technique.tools and limits.allows(p)]
    for point in offered:
        fitted = fit_technique(point, limits, owned=profile.tools_owned)
        assert tool not in fitted.technique.tools
        assert any(tools_data()[tool]["name"].lower() in n for n in fitted.notes)


def test_without_a_condition_an_owned_tool_leads_where_the_point_allows_it(
    catalog: Catalog,
) -> None:
    step = _step(catalog, "BL23", "lower_back_left", Profile(tools_owned=("tennis_ball",)))
    assert step.technique.tool == "tennis_ball"
    step = _step(catalog, "EX-B7", "lower_back_left", Profile(tools_owned=("knuckles",)))
    assert step.technique.tool == "knuckles"


def test_osteoporosis_keeps_knuckles_elbow_roller_and_body_weight_off(catalog: Catalog) -> None:
    profile = Profile(osteoporosis=True, tools_owned=("knuckles", "elbow", "foam_roller"))
    for point_id, region in [("EX-B7", "lower_back_left"), ("lumbar-points", "lower_back_left")]:
        step = _step(catalog, point_id, region, profile, tool="knuckles")
        assert not {"knuckles", "elbow", "foam_roller", "body_weight"} & {
            step.technique.tool,
            *step.technique.alternatives,
        }
        assert step.technique.pressure != "firm"
    for point_id in ("GV4", "EX-B2", "TP-multifidus-1", "base-of-spine"):
        step = _step(catalog, point_id, "lower_back_left", profile)
        assert step.technique.pressure == "gentle"


@pytest.mark.parametrize("point_id", ["GV11", "sweet-spot", "GV14", "GV4", "GV3", "base-of-spine"])
@pytest.mark.parametrize("tool", ["tennis_ball", "foam_roller", "body_weight", "partner", "thumb"])
def test_midline_points_are_for_fingertips_only(
    catalog: Catalog, point_id: str, tool: Tool
) -> None:
    point = catalog.get(point_id)
    profile = Profile(tools_owned=(tool,))
    step = _step(catalog, point_id, point.regions[0], profile, tool=tool)
    assert (step.technique.tool, step.technique.alternatives) == ("fingers", ())
    assert any("fingertips only" in c for c in step.cautions)
    assert point.technique.tools == ("fingers",), "the data itself says fingertips"


def test_no_ball_or_roller_right_beside_the_spine(catalog: Catalog) -> None:
    step = _step(catalog, "EX-B2", "mid_back_left", Profile(), tool="tennis_ball")
    assert step.technique.tool != "tennis_ball"
    assert any("beside the spine" in c for c in step.cautions)


def test_no_foam_roller_on_the_lumbar_spine_for_anyone(catalog: Catalog) -> None:
    step = _step(catalog, "BL23", "lower_back_left", Profile(), tool="foam_roller")
    assert step.technique.tool != "foam_roller"
    assert any("lower back" in c for c in step.cautions)
    mid = _step(catalog, "BL18", "mid_back_left", Profile(), tool="foam_roller")
    assert mid.technique.tool == "foam_roller"


def test_pregnancy_lower_back_gentle_with_the_reason_and_no_roller(catalog: Catalog) -> None:
    profile = Profile(pregnant=True, tools_owned=("foam_roller", "body_weight"))
    for point_id in ("BL23", "BL52", "EX-B7", "lumbar-points", "BL27"):
        point = catalog.get(point_id)
        step = _step(catalog, point_id, point.regions[0], profile, tool="foam_roller")
        assert step.technique.pressure == "gentle"
        assert any("pregnancy" in c for c in step.cautions)
        assert not {"foam_roller", "body_weight"} & {
            step.technique.tool,
            *step.technique.alternatives,
        }
    upper = _step(catalog, "BL13", "interscapular", profile)
    assert upper.technique.pressure == "moderate"


def test_the_foam_roller_routine_does_not_run_unchanged_in_pregnancy(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "foam-roller")
    for condition in ("pregnant", "osteoporosis", "anticoagulants", "bleeding_disorder"):
        profile = Profile(**{condition: True})
        fitted = fit_routine(routine, profile, catalog)
        assert fitted.steps == ()
        assert "foam roller" in fitted.skipped[0] and "left out" in fitted.skipped[0]
        run = start_run(routine, [], profile, _guide(catalog, profile), now=NOW)
        assert run.status == "completed" and not run.steps and run.skipped == fitted.skipped
    assert fit_routine(routine, Profile(), catalog).steps


def test_pregnancy_skips_the_points_it_avoids_in_a_routine_and_says_why(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "desk-neck-shoulders")
    fitted = fit_routine(routine, Profile(pregnant=True), catalog)
    assert "GB21" not in {p.step.point_id for p in fitted.steps}
    assert any("GB21" in s and "pregnant" in s for s in fitted.skipped)


def test_a_routine_step_whose_tool_is_not_allowed_says_what_replaced_it(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "tennis-ball-wall")
    profile = Profile(anticoagulants=True)
    run = start_run(routine, [], profile, _guide(catalog, profile), now=NOW)
    assert run.steps and all(s.technique.pressure == "gentle" for s in run.steps)
    assert any("blood thinners" in n and "steps" in n for n in run.notes)
    mine = Routine.model_validate(
        {
            "id": "my-x",
            "name": "X",
            "steps": [
                {"point_id": "GV11", "tool": "tennis_ball", "duration_s": 60},
                {"point_id": "BL23", "side": "both", "tool": "thumb", "duration_s": 60},
            ],
        }
    )
    fitted = fit_routine(mine, Profile(), catalog)
    assert fitted.steps[0].tool == "fingers"
    assert "instead of tennis ball" in (fitted.steps[0].note or "")
    run = start_run(mine, [], Profile(), _guide(catalog, Profile()), now=NOW)
    assert run.steps[0].technique.tool == "fingers"
    assert any("Step 1" not in n and "fingertips only" in n for n in run.notes)


def test_built_in_routines_need_no_change_for_a_person_without_conditions(
    catalog: Catalog,
) -> None:
    for routine in builtin_routines():
        fitted = fit_routine(routine, Profile(), catalog)
        assert not fitted.skipped and all(p.note is None for p in fitted.steps), routine.id
        run = start_run(routine, [], Profile(), _guide(catalog, Profile()), now=NOW)
        assert run.notes == (), (routine.id, run.notes)


@pytest.mark.parametrize("site", SITES)
def test_a_site_condition_excludes_its_region_with_a_message(catalog: Catalog, site: str) -> None:
    profile = Profile(**{site: True}, affected_regions=("lower_back_left",))
    limits = cautions_for(profile, catalog)
    plans = plan([PainEntry("lower_back_left", 7), PainEntry("sacrum", 3)], catalog, limits)
    assert plans[0].candidates == () and "never press" in (plans[0].excluded_reason or "")
    assert plans[1].candidates
    routine = next(r for r in builtin_routines() if r.id == "evening-lower-back")
    fitted = fit_routine(routine, profile, catalog)
    assert all(p.region != "lower_back_left" for p in fitted.steps)
    assert any("Lower back, left is left out" in s for s in fitted.skipped)


@pytest.mark.parametrize("site", SITES)
def test_a_site_condition_without_a_region_withholds_guidance_with_a_message(
    catalog: Catalog, site: str
) -> None:
    profile = Profile(**{site: True})
    guide = _guide(catalog, profile)
    state = guided.start([PainEntry("neck", 5)], [], profile, guide, now=NOW)
    assert state.current is None and state.status == "exhausted"
    assert "not where it is" in (state.message or "") and "About you" in (state.message or "")
    assert "No point was suggested" in (state.advice or "")
    routine = builtin_routines()[0]
    run = start_run(routine, [], profile, guide, now=NOW)
    assert not run.steps and "not where it is" in run.skipped[0] and len(run.skipped) == 1
    offered = suggest("neck", ("GV14",), catalog, cautions_for(profile, catalog))
    assert offered.points == () and "not where it is" in offered.left_out[0]


def test_every_step_shows_its_tools_who_should_not_list(catalog: Catalog) -> None:
    for tool in ALL_TOOLS:
        step = _step(catalog, "BL18", "mid_back_left", Profile(), tool=tool)
        if step.technique.tool == tool:
            assert step.technique.not_for == tuple(tools_data()[tool]["who_should_not"])
    step = _step(catalog, "BL18", "mid_back_left", Profile(), tool="foam_roller")
    assert "Osteoporosis" in step.technique.not_for[0]
