"""Routines: built-ins are valid and sourced, safety rules apply to every step, runs move on
in order and are stored, custom routines round-trip through their JSON file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpoints.app import routine_service
from backpoints.app.routine_run import RunError, next_step, record_stress, skip_step, start_run
from backpoints.app.service import Services
from backpoints.catalog import Catalog
from backpoints.core.anatomy import body_from_stature
from backpoints.core.clock import FakeClock
from backpoints.core.routines import (
    Routine,
    RoutineError,
    builtin_routines,
    fit_routine,
    from_json,
    to_json,
)
from backpoints.core.screening import Profile
from backpoints.core.steps import Guide
from backpoints.core.vocab import PROFILE_CONDITIONS
from backpoints.settings import Settings

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
EXPECTED = {
    "shoulder-blade-tension",
    "evening-lower-back",
    "desk-neck-shoulders",
    "partner-whole-back",
    "tennis-ball-wall",
    "foam-roller",
}


def test_the_built_in_routines_are_there_valid_and_sourced(catalog: Catalog) -> None:
    routines = {r.id: r for r in builtin_routines()}
    assert set(routines) == EXPECTED
    for routine in routines.values():
        assert routine.purpose and routine.sources
        assert set(routine.sources) <= set(catalog.sources)
        for step in routine.steps:
            point = catalog.get(step.point_id)
            if step.side in ("left", "right"):
                assert point.bilateral, (routine.id, step.point_id)
    partner = routines["partner-whole-back"]
    assert partner.for_partner and all(s.tool == "partner" for s in partner.steps)
    assert 8 * 60 <= partner.total_s <= 12 * 60  # about ten minutes
    assert all(s.tool == "tennis_ball" for s in routines["tennis-ball-wall"].steps)


profiles = st.builds(
    Profile,
    **{c: st.booleans() for c in PROFILE_CONDITIONS if c != "pregnant"},
    pregnant=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(EXPECTED)), profiles)
def test_every_routine_obeys_the_profile(
    catalog: Catalog, routine_id: str, profile: Profile
) -> None:
    routine = next(r for r in builtin_routines() if r.id == routine_id)
    fitted = fit_routine(routine, profile, catalog)
    whole = len(fitted.skipped) == 1 and "left out" in fitted.skipped[0] and not fitted.steps
    assert whole or len(fitted.steps) + len(fitted.skipped) == len(routine.steps)
    for planned in fitted.steps:
        point = catalog.get(planned.step.point_id)
        if profile.pregnant:
            assert "pregnant" not in point.avoid_when
            assert not {"BL31", "BL32", "BL33", "BL34", "GB21"} & set(point.coincides_with)
        if profile.osteoporosis:
            assert planned.tool not in ("foam_roller", "body_weight")


def test_pregnancy_skips_gb21_and_says_why(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "desk-neck-shoulders")
    fitted = fit_routine(routine, Profile(pregnant=True), catalog)
    assert "GB21" not in {p.step.point_id for p in fitted.steps}
    assert any("GB21" in s and "pregnant" in s for s in fitted.skipped)


def test_osteoporosis_leaves_the_foam_roller_routine_out_whole(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "foam-roller")
    fitted = fit_routine(routine, Profile(osteoporosis=True), catalog)
    assert fitted.steps == ()
    assert "foam roller" in fitted.skipped[0] and "osteoporosis" in fitted.skipped[0]


def _guide(catalog: Catalog) -> Guide:
    return Guide(catalog, body_from_stature(170))


def test_a_run_goes_through_every_step_in_order(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "evening-lower-back")
    run = start_run(routine, [], Profile(), _guide(catalog), now=NOW, stress_before=7)
    shown = []
    while run.current is not None:
        step = run.current
        shown.append(step.point.id)
        assert step.technique.duration_s == routine.steps[len(shown) - 1].duration_s
        assert step.cues[-1].kind == "end"
        run = next_step(run, now=NOW)
    assert shown == [s.point_id for s in routine.steps]
    assert run.status == "completed"
    with pytest.raises(RunError):
        next_step(run, now=NOW)
    assert record_stress(run, 3).stress_after == 3


def test_a_red_flag_refers_a_routine_too(catalog: Catalog) -> None:
    routine = builtin_routines()[0]
    run = start_run(routine, ["major_trauma"], Profile(), _guide(catalog), now=NOW)
    assert run.status == "refer" and run.current is None and run.urgency == "urgent"


def test_the_tool_of_a_step_leads_its_technique(catalog: Catalog) -> None:
    routine = next(r for r in builtin_routines() if r.id == "tennis-ball-wall")
    run = start_run(routine, [], Profile(), _guide(catalog), now=NOW)
    assert all(s.technique.tool == "tennis_ball" for s in run.steps)
    run = skip_step(run, now=NOW)
    assert run.skipped_steps == (0,)


def test_custom_routine_json_round_trip_and_refusals(catalog: Catalog) -> None:
    mine = Routine(
        id="my-evening",
        name="My evening",
        steps=({"point_id": "BL23", "side": "both", "duration_s": 90},),
    )
    assert from_json(to_json(mine), catalog) == mine
    data = json.loads(to_json(mine))
    assert data["format"] == "backpoints-routine"
    with pytest.raises(RoutineError, match="not JSON"):
        from_json("{nope", catalog)
    with pytest.raises(RoutineError, match="format"):
        from_json(json.dumps({"id": "x"}), catalog)
    bad = {**data, "steps": [{"point_id": "BL99", "duration_s": 60}]}
    with pytest.raises(RoutineError, match="BL99"):
        from_json(json.dumps(bad), catalog)
    too_long = {**data, "steps": [{"point_id": "BL23", "duration_s": 999}]}
    with pytest.raises(RoutineError, match="duration_s"):
        from_json(json.dumps(too_long), catalog)


@pytest.fixture
def services(tmp_path: Path, catalog: Catalog) -> Iterator[Services]:
    s = Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=FakeClock())
    yield s
    s.close()


def test_runs_and_custom_routines_are_stored(services: Services) -> None:
    from backpoints.app.service import person_id

    me = person_id(services)
    run_id, run = routine_service.start(services, me, "desk-neck-shoulders", [], stress_before=6)
    assert run.status == "active"
    routine_service.next_step(services, run_id)
    routine_service.stop(services, run_id)
    routine_service.record_stress(services, run_id, 4)
    [summary] = routine_service.runs(services, me)
    assert (summary.status, summary.stress_before, summary.stress_after) == ("stopped", 6, 4)
    assert summary.steps_done == 1
    with pytest.raises(routine_service.UnknownRun):
        routine_service.load(services, run_id, person="someone-else")

    mine = Routine(id="mine", name="Mine", steps=({"point_id": "GV4", "duration_s": 60},))
    routine_service.save_custom(services, me, mine)
    assert routine_service.custom_routines(services, me) == (mine,)
    run_id, run = routine_service.start(services, me, "mine")
    assert run.current is not None and run.current.point.id == "GV4"
