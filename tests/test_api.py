"""The JSON API (docs/architecture.md contract) through the real app on real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backpoints.core.redflags import QUESTIONS
from backpoints.core.vocab import REGION_IDS
from backpoints.settings import Settings
from backpoints.web.app import create_app


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app on SQLite, then on PostgreSQL (the `settings` fixture)."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 4096}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


#: The full answer sheet with every red-flag question answered "no".
NO_ANSWERS = dict.fromkeys(QUESTIONS, False)


def _start(client: TestClient, **body: Any) -> dict[str, Any]:
    body.setdefault("pain", [{"region": "lower_back_left", "intensity": 6}])
    body.setdefault("answers", NO_ANSWERS)
    response = client.post("/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _fields(response: Any) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


def test_regions_and_points(client: TestClient) -> None:
    regions = client.get("/api/v1/regions").json()
    assert [r["id"] for r in regions] == list(REGION_IDS)
    assert {"id": "lower_back_left", "label": "Lower back, left"} in regions
    sacral = client.get("/api/v1/points", params={"region": "sacrum"}).json()
    assert sacral and all("sacrum" in p["regions"] for p in sacral)
    bl23 = client.get("/api/v1/points/BL23").json()
    assert bl23["names"]["pinyin"] == "Shenshu"
    assert bl23["how_to_find"] and "who2008" in bl23["sources"]


def test_unknown_point_and_region_are_4xx_naming_the_field(client: TestClient) -> None:
    missing = client.get("/api/v1/points/BL99")
    assert missing.status_code == 404
    assert _fields(missing) == {"point_id"}
    assert "Did you mean" in missing.json()["detail"][0]["message"]
    bad = client.get("/api/v1/points", params={"region": "knee"})
    assert bad.status_code == 422
    assert _fields(bad) == {"region"}


def test_session_cycle_relief(client: TestClient) -> None:
    session = _start(client)
    assert session["status"] == "active"
    step = session["step"]
    assert step["n"] == 1
    assert set(step["point"]) >= {"id", "side", "name", "x_cm", "y_cm", "level", "how_to_find"}
    assert step["technique"]["motion"] in ("circular", "back_and_forth", "static")
    assert step["cues"][0]["t_s"] == 0
    assert step["why"]
    rated = client.post(
        f"/api/v1/sessions/{session['id']}/ratings",
        json={"point_id": step["point"]["id"], "side": step["point"]["side"], "pain_after": 6},
    ).json()
    assert rated["status"] == "active"
    assert rated["step"]["point"]["id"] != step["point"]["id"]
    nxt = rated["step"]["point"]
    done = client.post(
        f"/api/v1/sessions/{session['id']}/ratings",
        json={"point_id": nxt["id"], "side": nxt["side"], "pain_after": 4},
    ).json()
    assert done["status"] == "relieved"
    assert done["step"] is None
    assert [r["pain_after"] for r in done["ratings"]] == [6, 4]
    history = client.get("/api/v1/history").json()
    assert history[0]["id"] == session["id"]
    assert len(history[0]["ratings"]) == 2
    insights = client.get("/api/v1/insights").json()
    assert {(i["point_id"], i["helped"]) for i in insights} == {
        (step["point"]["id"], 0),
        (nxt["id"], 1),
    }


def test_red_flag_refers_without_a_step(client: TestClient) -> None:
    session = _start(client, flags=["saddle_numbness"])
    assert session["status"] == "refer"
    assert session["urgency"] == "emergency"
    assert session["step"] is None
    assert "now" in session["message"]
    urgent = _start(client, flags=["fever_or_unwell"])
    assert urgent["urgency"] == "urgent"


def test_pregnancy_profile_keeps_avoided_points_out(client: TestClient) -> None:
    body = {"pain": [{"region": "sacrum", "intensity": 7}], "profile": {"pregnant": True}}
    session = _start(client, **body)
    seen = []
    while session["status"] == "active":
        point = session["step"]["point"]
        seen.append(point["id"])
        session = client.post(
            f"/api/v1/sessions/{session['id']}/ratings",
            json={"point_id": point["id"], "side": point["side"], "pain_after": 7},
        ).json()
    assert seen
    assert not {"BL31", "BL32", "BL33", "BL34", "sacral-point"} & set(seen)
    assert client.get("/api/v1/profile").json()["pregnant"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pain": []}, "pain"),
        ({"pain": [{"region": "knee", "intensity": 3}]}, "pain.0.region"),
        ({"pain": [{"region": "neck", "intensity": 11}]}, "pain.0.intensity"),
        ({"pain": [{"region": "neck", "intensity": 3}], "flags": ["sore"]}, "flags.0"),
        ({"pain": [{"region": "neck", "intensity": 3}], "extra": 1}, "extra"),
        ({"pain": [{"region": "neck", "intensity": 0}]}, "pain"),
        ({"pain": [{"region": "neck", "intensity": True}]}, "pain.0.intensity"),
        ({"pain": [{"region": "neck", "intensity": "5"}]}, "pain.0.intensity"),
        (
            {"pain": [{"region": "neck", "intensity": 5}, {"region": "neck", "intensity": 2}]},
            "pain",
        ),
    ],
)
def test_bad_session_bodies_name_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/sessions", json=body)
    assert response.status_code == 422
    assert field in _fields(response)


def test_wrong_ratings_are_clear_and_lose_nothing(client: TestClient) -> None:
    session = _start(client)
    url = f"/api/v1/sessions/{session['id']}/ratings"
    wrong = client.post(url, json={"point_id": "GB30", "pain_after": 3})
    assert wrong.status_code == 422
    assert _fields(wrong) == {"point_id"}
    bad = client.post(url, json={"point_id": "BL23", "pain_after": -1})
    assert _fields(bad) == {"pain_after"}
    for loose in (True, "3"):  # a whole JSON number only: nothing is guessed
        refused = client.post(url, json={"point_id": session["step"]["point"]["id"],
                                         "pain_after": loose})  # fmt: skip
        assert refused.status_code == 422 and _fields(refused) == {"pain_after"}
    assert client.get(f"/api/v1/sessions/{session['id']}").json()["step"] == session["step"]
    gone = client.post("/api/v1/sessions/nope/ratings", json={"point_id": "BL23", "pain_after": 3})
    assert gone.status_code == 404
    assert _fields(gone) == {"session_id"}


def test_a_finished_session_refuses_more_ratings(client: TestClient) -> None:
    session = _start(client)
    stopped = client.post(f"/api/v1/sessions/{session['id']}/stop").json()
    assert stopped["status"] == "stopped"
    point = session["step"]["point"]
    again = client.post(
        f"/api/v1/sessions/{session['id']}/ratings",
        json={"point_id": point["id"], "side": point["side"], "pain_after": 3},
    )
    assert again.status_code == 409


def test_hostile_input_never_gives_a_500(client: TestClient) -> None:
    assert client.post("/api/v1/sessions", content=b"{not json").status_code == 422
    big = client.post("/api/v1/sessions", content=b"x" * 10_000)
    assert big.status_code == 413
    assert _fields(big) == {"body"}
    assert client.get("/api/v1/points/" + "%00" * 50).status_code == 422  # NUL: never stored
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.get("/api/v1/regions").status_code == 200  # still serving


def test_openapi_documents_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/regions",
        "/api/v1/points",
        "/api/v1/points/{point_id}",
        "/api/v1/screening",
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}/ratings",
        "/api/v1/history",
        "/api/v1/insights",
    ):
        assert path in paths


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = spec
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


@pytest.mark.parametrize(
    ("path", "required"),
    [
        ("/api/v1/sessions", {"pain"}),
        ("/api/v1/sessions/{session_id}/ratings", {"point_id", "pain_after"}),
    ],
)
def test_bodies_read_once_are_still_documented_in_openapi(
    client: TestClient, path: str, required: set[str]
) -> None:
    """The session cycle validates its raw bodies in one pass; OpenAPI still describes them,
    with every nested schema resolvable (what clients and schemathesis generate from)."""
    spec = client.get("/openapi.json").json()
    body = spec["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    schema = _resolve(spec, body["content"]["application/json"]["schema"])
    assert set(schema["required"]) == required
    refs = [v for v in str(schema).split("'") if v.startswith("#/components/schemas/")]
    assert all(_resolve(spec, {"$ref": r}) for r in refs)


def test_a_session_body_must_be_declared_as_json(client: TestClient) -> None:
    body = '{"pain": [{"region": "neck", "intensity": 5}]}'
    for kind in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = client.post("/api/v1/sessions", content=body, headers={"content-type": kind})
        assert response.status_code == 422, kind
        assert _fields(response) == {"body"}
    started = client.post(
        "/api/v1/sessions",
        content=body[:-1] + ', "answers": ' + str(NO_ANSWERS).replace("'", '"').lower() + "}",
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert started.status_code == 201, started.text


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/v1/regions", "/static/app.js", "/api/v1/points/NOPE", "/nowhere"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
