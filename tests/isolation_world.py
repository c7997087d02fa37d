"""A server-mode world for isolation tests: an owner with a full diary and four other visitors.

Ann (the owner, a client) has sessions (one rated, several active), a routine run, a found
spot, her own routine, PEG check-ins, screenings, a profile, and two care links to Tess (a
therapist she consents to). Bob is another client; Theo a therapist with a client of his own
(Bob) but not Ann; Zed a therapist whose invitation codes anyone may accept. `snapshot` is
everything of Ann's that nobody else may change; `MARKERS` are strings only Ann's data holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from backpoints.app import accounts, scan_service
from backpoints.app.service import Services
from backpoints.core.routines import builtin_routines
from backpoints.store import accounts_repo, backup_repo
from tests.flows import NO_ANSWERS

PASSWORD = "correct horse battery"
ANN_EMAIL = "ann.owner@example.org"
TESS_EMAIL = "tess.consented@example.org"
ROUTINE_NAME = "Ann private zq"
ROUTINE_ID = "my-ann-private-zq"
IDENTITIES = ("anonymous", "other client", "therapist without consent", "owner",
              "therapist with consent")  # fmt: skip


@dataclass
class Visitor:
    id: str
    email: str
    token: str
    csrf: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    client: TestClient
    services: Services
    ann: Visitor
    bob: Visitor
    tess: Visitor
    theo: Visitor
    zed: Visitor
    done_session: str = ""
    sessions: dict[str, str] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)
    spot: int = 0
    links: list[str] = field(default_factory=list)
    backup: bytes = b""

    def visitor(self, identity: str) -> Visitor | None:
        return {
            "owner": self.ann,
            "other client": self.bob,
            "therapist with consent": self.tess,
            "therapist without consent": self.theo,
        }.get(identity)

    def markers(self) -> set[str]:
        """Strings that only Ann's data holds (ids, her e-mail, her routine's name)."""
        return {ANN_EMAIL, ROUTINE_NAME, self.done_session, *self.sessions.values(),
                *self.runs.values()}  # fmt: skip


def register(client: TestClient, email: str, role: str = "client") -> Visitor:
    body = {"email": email, "password": PASSWORD, "role": role}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    client.cookies.clear()
    return Visitor(data["account_id"], email, data["token"], data["csrf_token"])


def new_session(world: World, who: Visitor, region: str = "neck", pain: int = 7) -> dict[str, Any]:
    body = {"pain": [{"region": region, "intensity": pain}], "answers": NO_ANSWERS}
    response = world.client.post("/api/v1/sessions", json=body, headers=who.auth)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def link(world: World, therapist: Visitor, client: Visitor) -> str:
    code = accounts.invite(world.services, therapist.id)
    return accounts.accept(world.services, client.id, code)


def build_world(client: TestClient, services: Services | None = None) -> World:
    """Register everyone and fill Ann's diary through the app itself (`services`: the
    database the app uses, when the app runs in other processes)."""
    services = services or client.app.state.bp.services  # type: ignore[attr-defined]
    assert services is not None
    ann, bob = register(client, ANN_EMAIL), register(client, "bob.other@example.org")
    tess = register(client, TESS_EMAIL, "therapist")
    theo = register(client, "theo.stranger@example.org", "therapist")
    zed = register(client, "zed.inviter@example.org", "therapist")
    world = World(client, services, ann, bob, tess, theo, zed)
    profile = {"stature_cm": 171.5, "tools_owned": ["tennis_ball"], "osteoporosis": True}
    assert client.put("/api/v1/profile", json=profile, headers=ann.auth).status_code == 200
    done = new_session(world, ann, "lower_back_left", 6)
    point = done["step"]["point"]
    rating = {"point_id": point["id"], "side": point["side"], "pain_after": 2}
    rated = client.post(f"/api/v1/sessions/{done['id']}/ratings", json=rating, headers=ann.auth)
    assert rated.json()["status"] == "relieved"
    world.done_session = done["id"]
    for use in ("api-rate", "api-skip", "api-stop", "page-rate", "page-skip", "page-stop"):
        world.sessions[use] = new_session(world, ann)["id"]
    peg = {"pain": "6", "enjoyment": "5", "activity": "4"}
    assert (
        client.post("/peg", data=peg, headers=ann.auth, follow_redirects=False).status_code == 303
    )
    build = {"name": ROUTINE_NAME, "points": ["BL23"], "duration_s": "60"}
    assert (
        client.post(
            "/routines/build", data=build, headers=ann.auth, follow_redirects=False
        ).status_code
        == 303
    )
    for use in ("page", "event"):
        started = client.post(
            f"/routines/{builtin_routines()[0].id}/start",
            data={"stress_before": "6"},
            headers=ann.auth,
            follow_redirects=False,
        )
        assert started.status_code == 303, started.text
        world.runs[use] = started.headers["location"].removeprefix("/runs/")
    spot = {"region": "lower_back_left", "level": "L3", "tenderness": "6"}
    assert (
        client.post("/scan/spot", data=spot, headers=ann.auth, follow_redirects=False).status_code
        == 303
    )
    world.spot = scan_service.spots(services, ann.id)[0].id
    link(world, tess, ann)  # the consent the therapist reads with; never revoked here
    world.links = [link(world, tess, ann), link(world, tess, ann)]  # for the revoke routes
    link(world, theo, bob)
    world.backup = client.get("/backup.json", headers=ann.auth).content
    return world


def snapshot(world: World, allowed_actor: str | None = None) -> str:
    """Everything of Ann's, as canonical JSON: her diary, account, links, routine, log-ins and
    audit log (minus the entries `allowed_actor` may add by reading with consent)."""
    ann = world.ann.id
    with world.services.db() as db:
        account = accounts_repo.account_by_id(db, ann)
        state = {
            "diary": backup_repo.diary_rows(db, ann),
            "account": None if account is None else vars(account),
            "links": [vars(x) for x in accounts_repo.links_of(db, ann)],
            "routine": accounts_repo.active_routine(db, ann),
            "login": accounts_repo.login_of(db, accounts.digest(world.ann.token), _now(world)),
            "audit": [a for a in accounts_repo.audit_of(db, ann) if a[1] != allowed_actor],
        }
    return json.dumps(state, sort_keys=True, default=str)


def _now(world: World) -> Any:
    return world.services.clock.now()
