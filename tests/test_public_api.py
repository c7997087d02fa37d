"""The curated library API: every name in `backpoints.__all__` resolves, and a script can run
the whole loop (screen, plan, guide, rate) with it alone."""

from __future__ import annotations

from datetime import UTC, datetime

import backpoints


def test_every_public_name_resolves_and_nothing_else_is_exported() -> None:
    for name in backpoints.__all__:
        assert getattr(backpoints, name) is not None, name
    assert set(backpoints._EXPORTS) == set(backpoints.__all__) - {"__version__"}


def test_a_script_can_plan_from_the_public_api() -> None:
    catalog = backpoints.load_catalog()
    assert not backpoints.screen([]).refer
    plans = backpoints.plan([backpoints.PainEntry("interscapular", 6)], catalog)
    assert plans[0].candidates[0].point.id == "sweet-spot"
    body = backpoints.body_from_stature(170, "female")
    assert backpoints.locate(catalog.get("BL23"), body)[0].side == "left"
    from backpoints.core.guided import start

    guide = backpoints.Guide(catalog, body)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = start([backpoints.PainEntry("neck", 4)], [], backpoints.Profile(), guide, now=now)
    assert isinstance(state, backpoints.SessionState) and state.status == "active"
    assert {r.id for r in backpoints.builtin_routines()} >= {"partner-whole-back"}
