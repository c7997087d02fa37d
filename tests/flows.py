"""Test helpers: begin a session the one way the app does (`backpoints.app.begin`), and what
the browser tests ask a page (the service worker's kept paths)."""

from __future__ import annotations

from collections.abc import Mapping

from backpoints.app import begin
from backpoints.app.service import Services
from backpoints.core.guided import SessionState
from backpoints.core.redflags import QUESTIONS

#: The full answer sheet with every red-flag question answered "no".
NO_ANSWERS: dict[str, bool] = dict.fromkeys(QUESTIONS, False)


def started(
    services: Services, person: str, pain: Mapping[str, int], answers: bool = True
) -> tuple[str, SessionState]:
    """Begin a session (answering every question "no" when `answers`); it must start."""
    outcome = begin.begin(services, person, pain, NO_ANSWERS if answers else None)
    assert isinstance(outcome, begin.Started) and outcome.session is not None, outcome
    return outcome.id, outcome.session


def referred(
    services: Services, person: str, pain: Mapping[str, int], flags: list[str]
) -> tuple[str, SessionState]:
    """Begin a session answering yes to `flags`; it must be referred (and stored)."""
    outcome = begin.begin(services, person, pain, flags=flags)
    assert isinstance(outcome, begin.Referred) and outcome.session is not None, outcome
    assert outcome.session_id is not None
    return outcome.session_id, outcome.session


#: In a browser page: the paths the service worker keeps, in every cache.
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""
