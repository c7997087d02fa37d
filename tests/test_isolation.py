"""Isolation generated from the route table, on SQLite and PostgreSQL.

Every route of the server-mode app (API and pages, every method, the static mount) must be in
`ROUTES` with what each visitor may get; a route missing from the table fails the test, so a
new route cannot slip by. Each route is sent by anonymous, another client, a therapist without
consent, the owner and a therapist with consent, with real ids of the owner's data: to pages
with the log-in cookie and CSRF token as a browser sends them, to the API with a bearer token.
For every
request: the status is the expected one, the body holds none of the owner's data (unless the
visitor may see it), and nobody but the owner (and a consenting therapist, through the routes
consent opens) changes anything of the owner's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backpoints.app import accounts
from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.isolation_routes import OWNER, ROUTES, T_OK, Case, Request, route_keys
from tests.isolation_world import IDENTITIES, PASSWORD, TESS_EMAIL, World, build_world, snapshot

# ---- running it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    case: Case
    identity: str
    status: int


def _login(world: World, identity: str, fresh: bool) -> tuple[str, str] | None:
    """(token, CSRF token) of the visitor: their own log-in, or a new one to end."""
    visitor = world.visitor(identity)
    if visitor is None:
        return None
    if not fresh:
        return visitor.token, visitor.csrf
    new = accounts.log_in(world.services, visitor.email, PASSWORD, "testclient")
    return new.token, new.csrf_token


def _headers(path: str, login: tuple[str, str] | None) -> dict[str, str]:
    """As a browser sends them to pages (the cookie and the CSRF token), as API clients do to
    the API (a bearer token)."""
    if login is None:
        return {}
    token, csrf = login
    if path.startswith("/api/"):
        return {"Authorization": f"Bearer {token}"}
    return {"Cookie": f"bp_session={token}", "X-CSRF-Token": csrf}


def send(world: World, case: Case, identity: str) -> tuple[Any, Request]:
    request = {"path": case.path, **case.build(world, identity)}
    headers = _headers(request["path"], _login(world, identity, case.fresh_login))
    kwargs = {k: v for k, v in request.items() if k in ("json", "data", "files")}
    world.client.cookies.clear()
    response = world.client.request(
        case.method, request["path"], headers=headers, follow_redirects=False, **kwargs
    )
    return response, request


def expected(case: Case, identity: str, path: str) -> frozenset[int]:
    if identity == "anonymous" and not case.public:
        return frozenset({401 if path.startswith("/api/") else 303})
    wanted = case.expect[identity]
    return wanted if isinstance(wanted, frozenset) else frozenset({wanted})


def check(world: World, case: Case, identity: str) -> Checked:
    may_change = identity == OWNER or (identity == T_OK and case.consent_writes)
    actor = TESS_EMAIL if identity == T_OK else None
    before = snapshot(world, actor)
    response, request = send(world, case, identity)
    where = f"{case.method} {request['path']} as {identity}"
    assert response.status_code in expected(case, identity, request["path"]), (
        where,
        response.status_code,
        response.text[:300],
    )
    if identity == "anonymous" and not case.public and not request["path"].startswith("/api/"):
        assert response.headers["location"].startswith("/login?next="), where
    if identity != OWNER and not (identity == T_OK and case.reveals):
        sent = json.dumps(request, default=str)
        body = response.content.decode("latin-1")
        leaked = [m for m in world.markers() if m and m not in sent and m in body]
        assert not leaked, (where, leaked)
    if not may_change:
        assert snapshot(world, actor) == before, where
    return Checked(case, identity, response.status_code)


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    app = create_app(
        settings.model_copy(update={"server_mode": True, "registrations_per_hour": 1000})
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield build_world(client)


def run_matrix(world: World) -> list[Checked]:
    return [check(world, case, identity) for case in ROUTES for identity in IDENTITIES]


def test_every_route_is_classified(world: World) -> None:
    served = route_keys(world.client.app)
    table = [(c.method, c.path) for c in ROUTES]
    assert len(table) == len(set(table)), "a route is classified twice"
    assert served - set(table) == set(), "routes with no expected outcome: classify them"
    assert set(table) - served == set(), "classified routes the app does not serve"


def test_isolation_matrix(world: World) -> None:
    checked = run_matrix(world)
    assert len(checked) == len(ROUTES) * len(IDENTITIES)
    # The owner's own deletion, last: everything of hers goes, nobody else's.
    bob_before = world.client.get("/api/v1/history", headers=world.bob.auth).json()
    gone = world.client.post(
        "/api/v1/account/delete", json={"password": PASSWORD}, headers=world.ann.auth
    )
    assert gone.status_code == 204
    assert json.loads(snapshot(world))["diary"] == {
        name: [] for name in json.loads(snapshot(world))["diary"]
    }
    assert world.client.get("/api/v1/history", headers=world.bob.auth).json() == bob_before
