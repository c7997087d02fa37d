"""The diary on real SQLite: migrations, round trips, races, and ratings that survive a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from backpoints.app import begin, service
from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.core.screening import Profile
from backpoints.settings import Settings
from backpoints.store import repo
from backpoints.store.engine import current_revision, head_revision, make_engine, upgrade
from tests.flows import started


@pytest.fixture
def services(settings: Settings, catalog: Catalog) -> Iterator[service.Services]:
    s = service.Services(settings, catalog=catalog, clock=FakeClock())
    yield s
    s.close()


def test_opening_creates_the_schema_at_the_newest_revision(services: service.Services) -> None:
    service.person_id(services)
    assert services.engine is not None
    assert current_revision(services.engine) == head_revision()
    tables = set(inspect(services.engine).get_table_names())
    expected = {"people", "sessions", "ratings", "pain_entries", "steps", "accounts", "audit_log"}
    expected |= {"point_tallies"}
    assert expected <= tables


def test_sqlite_is_durable_and_checks_foreign_keys(tmp_path: Path) -> None:
    services = service.Services(Settings(data_dir=tmp_path / "data"))
    service.person_id(services)
    assert services.engine is not None
    with services.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    services.close()


def test_profile_round_trip(services: service.Services) -> None:
    me = service.person_id(services)
    assert service.profile(services, me) == Profile()
    mine = Profile(pregnant=True, stature_cm=158, sex="female", affected_regions=("sacrum",))
    service.save_profile(services, me, mine)
    assert service.profile(services, me) == mine


def test_a_session_and_its_ratings_round_trip(services: service.Services) -> None:
    me = service.person_id(services)
    sid, state = service.start_session(services, me, {"lower_back_left": 6, "neck": 2}, [])
    assert state.current is not None
    first = state.current
    clock = services.clock
    assert isinstance(clock, FakeClock)
    clock.advance(minutes=2)
    state = service.rate(services, sid, first.point.id, first.point.side, 6)
    _, loaded = service.load(services, sid)
    assert loaded == state
    [summary] = service.history(services, me)
    assert summary.pain == {"lower_back_left": 6, "neck": 2}
    assert summary.status == "active"
    [rating] = summary.ratings
    assert (rating.point_id, rating.pain_before, rating.pain_after) == (first.point.id, 6, 6)
    assert rating.rated_at == clock.now()
    assert rating.rated_at.tzinfo is not None


def test_two_ratings_racing_for_one_step_cannot_both_win(services: service.Services) -> None:
    me = service.person_id(services)
    sid, state = service.start_session(services, me, {"sacrum": 5}, [])
    assert state.current is not None
    stored, _ = service.load(services, sid)
    service.rate(services, sid, state.current.point.id, state.current.point.side, 5)
    with services.db() as db, pytest.raises(repo.Conflict):
        summary = {"status": "active", "urgency": None, "ended_at": None}
        repo.save_session(db, stored, stored.state, {**summary, "started_at": state.started_at})
    assert len(service.history(services, me)[0].ratings) == 1


def test_insights_count_what_helped(services: service.Services) -> None:
    me = service.person_id(services)
    helped: dict[str, int] = {}
    for day in range(4):
        sid, state = service.start_session(services, me, {"interscapular": 6}, [])
        assert state.current is not None
        point = state.current.point.id
        after = 3 if day % 2 == 0 else 6
        service.rate(services, sid, point, state.current.point.side, after)
        helped[point] = helped.get(point, 0) + (after == 3)
        assert isinstance(services.clock, FakeClock)
        services.clock.advance(days=1)
    found = {(i.region, i.point_id): i for i in service.insights(services, me)}
    assert sum(i.tried for i in found.values()) == 4
    for point, n in helped.items():
        assert found[("interscapular", point)].helped == n


def test_screening_is_due_again_only_when_pain_is_new_or_worse(
    services: service.Services,
) -> None:
    me = service.person_id(services)
    assert begin.screening_status(services, me, {"neck": 4}).due
    started(services, me, {"neck": 4})
    assert not begin.screening_status(services, me, {"neck": 5}).due
    assert begin.screening_status(services, me, {"neck": 8}).due
    assert begin.screening_status(services, me, {"sacrum": 1}).due


def test_a_rating_is_durable_the_moment_rate_returns(tmp_path: Path) -> None:
    """Kill the process (SIGKILL, no clean-up) right after rate() returns: the rating is there."""
    data = tmp_path / "data"
    script = textwrap.dedent(
        """
        import sys, time
        from backpoints.app import begin, service
        from backpoints.settings import Settings
        s = service.Services(Settings(data_dir=sys.argv[1]))
        me = service.person_id(s)
        sid, st = service.start_session(s, me, {"lower_back_right": 7}, [])
        service.rate(s, sid, st.current.point.id, st.current.point.side, 4)
        print(sid, flush=True)
        time.sleep(60)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script, str(data)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        sid = proc.stdout.readline().strip()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    again = service.Services(Settings(data_dir=data))
    try:
        _, state = service.load(again, sid)
        assert state.status == "relieved"
        [summary] = service.history(again, repo.LOCAL_PERSON)
        assert [r.pain_after for r in summary.ratings] == [4]
    finally:
        again.close()


def test_unknown_session_is_a_clear_error(services: service.Services) -> None:
    with pytest.raises(service.UnknownSession, match="Start a new one"):
        service.load(services, "nope")


def test_history_is_newest_first(services: service.Services) -> None:
    me = service.person_id(services)
    ids = []
    for _ in range(3):
        ids.append(service.start_session(services, me, {"neck": 3}, [])[0])
        assert isinstance(services.clock, FakeClock)
        services.clock.advance(hours=1)
    assert [s.id for s in service.history(services, me)] == ids[::-1]
    assert services.clock.now() - timedelta(hours=3) < services.clock.now()


def test_every_shown_step_and_the_pain_map_are_rows(services: service.Services) -> None:
    me = service.person_id(services)
    sid, state = service.start_session(services, me, {"neck": 5, "sacrum": 2}, [])
    assert state.current is not None
    first = state.current.point.id
    state = service.skip(services, sid)
    assert state.current is not None
    service.rate(services, sid, state.current.point.id, state.current.point.side, 2)
    with services.db() as db:
        steps = repo.steps_of(db, sid)
        pain: dict[str, int] = dict(
            db.execute(
                text("SELECT region, intensity FROM pain_entries WHERE session_id = :s"), {"s": sid}
            ).all()
        )
    assert [s.n for s in steps] == [1, 2, 3]
    assert steps[0].point_id == first
    assert pain == {"neck": 5, "sacrum": 2}


def test_upgrading_from_the_first_schema_keeps_and_backfills_sessions(tmp_path: Path) -> None:
    from backpoints.store.engine import make_engine, upgrade

    settings = Settings(data_dir=tmp_path / "data")
    engine = make_engine(settings)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO people (id, created_at, profile) VALUES ('p', '2026-01-01', '{}')")
        )
        conn.execute(
            text(
                "INSERT INTO sessions (id, person_id, status, started_at, version, state) "
                "VALUES ('s1', 'p', 'stopped', '2026-01-01 10:00:00', 1, "
                '\'{"regions": [{"region": "neck", "pain_start": 4}]}\')'
            )
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT session_id, region, intensity FROM pain_entries")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("s1", "neck", 4)]


def test_two_workers_rating_one_step_at_once_store_exactly_one(settings: Settings) -> None:
    """Two app processes (two Services, two engines) answer the same step at the same moment."""
    import threading

    workers = [service.Services(settings) for _ in range(2)]
    me = service.person_id(workers[0])
    sid, state = service.start_session(workers[0], me, {"lower_back_left": 6}, [])
    assert state.current is not None
    point, side = state.current.point.id, state.current.point.side
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(worker: service.Services) -> None:
        service.load(worker, sid)  # connect first, so both race on the write
        barrier.wait()
        try:
            service.rate(worker, sid, point, side, 5)
            outcomes.append("saved")
        except repo.Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=answer, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert sorted(outcomes) == ["conflict", "saved"]
        [summary] = service.history(workers[0], me)
        assert len(summary.ratings) == 1
        _, final = service.load(workers[1], sid)
        assert final.steps_shown == 2
    finally:
        for w in workers:
            w.close()


@pytest.mark.parametrize("afters", [(2, 6, 6, 1), (6, 6, 6, 6), (0, 1, 2, 3), (6, 2, 9, 6)])
def test_tallies_kept_with_each_rating_match_counting_the_ratings(
    services: service.Services, afters: tuple[int, ...]
) -> None:
    from backpoints.core.learning import evidence_from_counts, evidence_from_ratings

    me = service.person_id(services)
    for after in afters:
        sid, state = service.start_session(services, me, {"mid_back_right": 6}, [])
        while state.status == "active" and state.current is not None:
            state = service.rate(services, sid, state.current.point.id, None, after)
            after = 6
    with services.db() as db:
        kept = evidence_from_counts(repo.tallies(db, me))
        counted = evidence_from_counts(repo.counted_tallies(db, me))
        rated = evidence_from_ratings(repo.ratings_for_person(db, me))
    assert kept == counted == rated
    assert sum(t.helped for t in kept.values()) == sum(a <= 4 for a in afters)


def test_a_refused_rating_counts_no_try(services: service.Services) -> None:
    me = service.person_id(services)
    sid, state = service.start_session(services, me, {"mid_back_right": 6}, [])
    assert state.current is not None
    point = state.current.point.id
    service.rate(services, sid, point, None, 5)
    with pytest.raises(repo.Conflict):
        service.rate(services, sid, point, None, 5)  # the same step answered twice
    with services.db() as db:
        assert [t[2:] for t in repo.tallies(db, me)] == [(0, 1)]


def test_the_migration_counts_the_ratings_already_in_the_diary(settings: Settings) -> None:
    engine = make_engine(settings)
    upgrade(engine, "0006")
    rows = [
        ("neck", "gb20", True),
        ("neck", "gb20", False),
        ("neck", "gb20", True),
        ("sacrum", "bl32", False),
    ]
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO people (id, created_at, profile) VALUES ('p', '2026-01-01', '{}')")
        )
        conn.execute(
            text(
                "INSERT INTO sessions (id, person_id, status, started_at, version, state) "
                "VALUES ('s1', 'p', 'stopped', '2026-01-01 10:00:00', 1, '{}')"
            )
        )
        for n, (region, point, relieved) in enumerate(rows, start=1):
            conn.execute(
                text(
                    "INSERT INTO ratings (session_id, person_id, n, region, point_id, side, "
                    "pain_before, pain_after, relieved, rated_at) VALUES ('s1', 'p', :n, :r, "
                    ":p, NULL, 6, 3, :ok, '2026-01-01 10:05:00')"
                ),
                {"n": n, "r": region, "p": point, "ok": relieved},
            )
    upgrade(engine)
    with Session(engine) as db:
        assert sorted(repo.tallies(db, "p")) == [("neck", "gb20", 2, 3), ("sacrum", "bl32", 0, 1)]
    engine.dispose()


def test_workers_starting_together_migrate_once(settings: Settings) -> None:
    """Four app workers open a fresh database at the same moment: all end at the newest schema."""
    import threading

    workers = [service.Services(settings) for _ in range(4)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it(worker: service.Services) -> None:
        barrier.wait()
        try:
            worker.open()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert errors == []
        for w in workers:
            assert w.engine is not None
            assert current_revision(w.engine) == head_revision()
    finally:
        for w in workers:
            w.close()
