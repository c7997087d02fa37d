"""Server mode on SQLite and PostgreSQL: accounts, consent, and a matrix proving nobody sees or
changes another person's data (guessed ids included); CSRF, Origin, log-in limits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backpoints.settings import Settings
from backpoints.web.app import create_app
from tests.flows import NO_ANSWERS

PASSWORD = "correct horse battery"


@dataclass
class User:
    id: str
    token: str
    csrf: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def server(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"server_mode": True, "login_attempts": 3}))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _register(client: TestClient, email: str, role: str = "client") -> User:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "role": role}
    )
    assert response.status_code == 201, response.text
    data = response.json()
    client.cookies.clear()
    return User(data["account_id"], data["token"], data["csrf_token"])


def _session(client: TestClient, user: User, region: str = "lower_back_left") -> dict[str, Any]:
    body = {"pain": [{"region": region, "intensity": 6}], "answers": NO_ANSWERS}
    response = client.post("/api/v1/sessions", json=body, headers=user.auth)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _rate(client: TestClient, user: User, session: dict[str, Any], after: int) -> Any:
    point = session["step"]["point"]
    body = {"point_id": point["id"], "side": point["side"], "pain_after": after}
    return client.post(f"/api/v1/sessions/{session['id']}/ratings", json=body, headers=user.auth)


@pytest.fixture
def people(server: TestClient) -> tuple[User, User, User]:
    """Ann and Bob (clients) and Tess (therapist), with Ann consenting to Tess."""
    ann, bob = _register(server, "ann@example.org"), _register(server, "bob@example.org")
    tess = _register(server, "tess@example.org", "therapist")
    code = server.post("/api/v1/care/invites", headers=tess.auth).json()["code"]
    accepted = server.post("/api/v1/care/accept", json={"code": code}, headers=ann.auth)
    assert accepted.status_code == 200
    return ann, bob, tess


def test_without_a_login_only_public_things_answer(server: TestClient) -> None:
    assert server.get("/api/v1/regions").status_code == 200
    assert server.get("/api/v1/points/BL23").status_code == 200
    assert server.get("/api/v1/history").status_code == 401
    body = {"pain": [{"region": "neck", "intensity": 3}], "answers": NO_ANSWERS}
    assert server.post("/api/v1/sessions", json=body).status_code == 401
    page = server.get("/history", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/history"


def test_isolation_matrix(server: TestClient, people: tuple[User, User, User]) -> None:
    ann, bob, tess = people
    session = _session(server, ann)
    sid = session["id"]
    assert _rate(server, ann, session, 3).json()["status"] == "relieved"

    # Bob: Ann's session, ratings, history and insights are invisible and unchangeable.
    for method, path, body in [
        ("GET", f"/api/v1/sessions/{sid}", None),
        ("POST", f"/api/v1/sessions/{sid}/ratings", {"point_id": "BL23", "pain_after": 1}),
        ("POST", f"/api/v1/sessions/{sid}/skip", None),
        ("POST", f"/api/v1/sessions/{sid}/stop", None),
        ("GET", f"/api/v1/clients/{ann.id}/history", None),
        ("GET", f"/api/v1/clients/{ann.id}/insights", None),
        ("PUT", f"/api/v1/clients/{ann.id}/routine", {"points": ["BL23"]}),
    ]:
        response = server.request(method, path, json=body, headers=bob.auth)
        assert response.status_code == 404, (method, path, response.text)
        assert ann.id not in response.text or "clients" in path
    assert server.get("/api/v1/history", headers=bob.auth).json() == []
    assert server.get("/api/v1/insights", headers=bob.auth).json() == []
    for path in (f"/sessions/{sid}", f"/clients/{ann.id}"):
        assert server.get(path, headers=bob.auth).status_code == 404

    # Tess, with Ann's consent, reads Ann's diary; every read is in Ann's audit log.
    history = server.get(f"/api/v1/clients/{ann.id}/history", headers=tess.auth)
    assert [s["id"] for s in history.json()] == [sid]
    assert server.get(f"/api/v1/clients/{bob.id}/history", headers=tess.auth).status_code == 404
    assert server.get(f"/api/v1/sessions/{sid}", headers=tess.auth).status_code == 404
    audit = server.get("/api/v1/care/audit", headers=ann.auth).json()
    assert [a["therapist"] for a in audit] == ["tess@example.org"]
    assert server.get("/api/v1/care/audit", headers=bob.auth).json() == []

    # Ann revokes: Tess sees nothing any more.
    link = server.get("/api/v1/care/links", headers=ann.auth).json()[0]
    assert (
        server.post(f"/api/v1/care/links/{link['id']}/revoke", headers=bob.auth).status_code == 404
    )
    revoked = server.post(f"/api/v1/care/links/{link['id']}/revoke", headers=ann.auth)
    assert revoked.json()[0]["status"] == "revoked"
    assert server.get(f"/api/v1/clients/{ann.id}/history", headers=tess.auth).status_code == 404


def test_a_routine_from_the_therapist_leads_the_clients_session(
    server: TestClient, people: tuple[User, User, User]
) -> None:
    ann, bob, tess = people
    routine = {
        "points": ["TP-quadratus-lumborum-1", "BL52"],
        "duration_s": 75,
        "frequency": "daily",
    }
    put = server.put(f"/api/v1/clients/{ann.id}/routine", json=routine, headers=tess.auth)
    assert put.status_code == 200, put.text
    step = _session(server, ann)["step"]
    assert step["point"]["id"] == "TP-quadratus-lumborum-1"
    assert "therapist's home routine" in step["why"]
    assert step["technique"]["duration_s"] == 75
    assert "therapist" not in _session(server, bob)["step"]["why"]
    assert server.get("/api/v1/routine", headers=bob.auth).json() is None
    put_bob = server.put(f"/api/v1/clients/{bob.id}/routine", json=routine, headers=tess.auth)
    assert put_bob.status_code == 404


def test_deleting_an_account_deletes_the_data(
    server: TestClient, people: tuple[User, User, User]
) -> None:
    ann, _, tess = people
    _rate(server, ann, _session(server, ann), 2)
    wrong = server.post("/api/v1/account/delete", json={"password": "nope"}, headers=ann.auth)
    assert wrong.status_code == 422
    gone = server.post("/api/v1/account/delete", json={"password": PASSWORD}, headers=ann.auth)
    assert gone.status_code == 204
    assert server.get("/api/v1/history", headers=ann.auth).status_code == 401
    assert server.get(f"/api/v1/clients/{ann.id}/history", headers=tess.auth).status_code == 404
    again = server.post(
        "/api/v1/auth/login", json={"email": "ann@example.org", "password": PASSWORD}
    )
    assert again.status_code == 401
    owner_column = {
        "people": "id",
        "sessions": "person_id",
        "ratings": "person_id",
        "screenings": "person_id",
        "care_links": "client_id",
        "audit_log": "client_id",
        "accounts": "id",
    }
    state = server.app.state.bp  # type: ignore[attr-defined]
    from sqlalchemy import text

    with state.services.db() as db:
        for table, column in owner_column.items():
            query = text(f"SELECT count(*) FROM {table} WHERE {column} = :p")
            assert db.execute(query, {"p": ann.id}).scalar() == 0, table


def test_password_change_ends_other_logins(server: TestClient) -> None:
    ann = _register(server, "ann@example.org")
    other = server.post(
        "/api/v1/auth/login", json={"email": "ann@example.org", "password": PASSWORD}
    ).json()
    server.cookies.clear()
    body = {"current_password": PASSWORD, "new_password": "a new long password"}
    assert server.post("/api/v1/account/password", json=body, headers=ann.auth).status_code == 204
    other_auth = {"Authorization": f"Bearer {other['token']}"}
    assert server.get("/api/v1/history", headers=other_auth).status_code == 401
    assert server.get("/api/v1/history", headers=ann.auth).status_code == 200


def test_logins_are_rate_limited(server: TestClient) -> None:
    _register(server, "ann@example.org")
    for _ in range(3):
        bad = server.post("/api/v1/auth/login", json={"email": "ann@example.org", "password": "x"})
        assert bad.status_code == 401
    blocked = server.post(
        "/api/v1/auth/login", json={"email": "ann@example.org", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert "Too many" in blocked.json()["detail"][0]["message"]


def test_passwords_are_stored_as_argon2id(server: TestClient) -> None:
    ann = _register(server, "ann@example.org")
    state = server.app.state.bp  # type: ignore[attr-defined]
    from sqlalchemy import text

    with state.services.db() as db:
        stored = db.execute(
            text("SELECT password_hash FROM accounts WHERE id = :i"), {"i": ann.id}
        ).scalar()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_cookie_forms_need_the_csrf_token_and_the_same_origin(server: TestClient) -> None:
    page = server.post(
        "/register", data={"email": "ann@example.org", "password": PASSWORD}, follow_redirects=False
    )
    assert page.status_code == 303
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    home = server.get("/")
    assert home.status_code == 200
    token = home.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"lower_back_left": "6"}
    assert server.post("/start", data=form).status_code == 403
    cross = server.post(
        "/start", data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    ok = server.post("/start", data={**form, "csrf_token": token})
    assert ok.status_code == 200
    assert "safety questions" in ok.text


def test_local_mode_has_no_accounts(tmp_path: Any) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app) as client:
        body = {"email": "a@example.org", "password": PASSWORD}
        assert client.post("/api/v1/auth/register", json=body).status_code == 404
        assert client.get("/login").status_code == 404
        assert client.get("/history").status_code == 200
        cross = client.post("/start", data={"neck": "3"}, headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403


def test_a_therapist_gives_a_whole_routine_only_with_consent(
    server: TestClient, people: tuple[User, User, User]
) -> None:
    ann, bob, tess = people
    given = server.put(f"/api/v1/clients/{ann.id}/routines/tennis-ball-wall", headers=tess.auth)
    assert given.status_code == 200, given.text
    assert given.json()["name"].endswith("(from your therapist)")
    assert "from your therapist" in server.get("/routines", headers=ann.auth).text
    refused = server.put(f"/api/v1/clients/{bob.id}/routines/tennis-ball-wall", headers=tess.auth)
    assert refused.status_code == 404
    assert "from your therapist" not in server.get("/routines", headers=bob.auth).text
    audit = server.get("/api/v1/care/audit", headers=ann.auth).json()
    assert any("Tennis ball" in a["action"] for a in audit)


def test_client_page_lets_the_therapist_give_a_routine(
    server: TestClient, people: tuple[User, User, User]
) -> None:
    ann, _, tess = people
    page = server.get(f"/clients/{ann.id}", headers=tess.auth)
    assert page.status_code == 200
    assert "<title>Client diary · backpoints</title>" in page.text
    assert page.text.count("Give this routine") == 1
    assert f'action="/clients/{ann.id}/routines"' in page.text
    assert "Foam roller for the mid back and hips" in page.text
