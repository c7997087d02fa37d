"""The route table of the isolation tests: every route of the server-mode app, how to call it
with real ids of the owner's data, and what each visitor may get (see `Case`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from backpoints.app import accounts
from backpoints.core.routines import builtin_routines
from backpoints.core.screening import QUESTIONS
from tests.flows import NO_ANSWERS
from tests.isolation_world import IDENTITIES, PASSWORD, ROUTINE_ID, World

OWNER, T_OK = "owner", "therapist with consent"
LOGGED_IN = IDENTITIES[1:]
BUILTIN = builtin_routines()[0].id
Request = dict[str, Any]
Builder = Callable[[World, str], Request]


@dataclass(frozen=True)
class Case:
    """One route and method: how to call it and what each visitor gets.

    `expect` maps each logged-in identity to a status (or a set of them); anonymous visitors
    get 401 on the API and a redirect to /login on pages unless `public`. `reveals` says the
    consenting therapist may see the owner's data in the answer (her diary, her e-mail).
    `consent_writes`: the consenting therapist may change the owner's data through it.
    """

    method: str
    path: str
    expect: dict[str, int | frozenset[int]]
    build: Builder = field(default=lambda world, who: {})
    public: bool = False
    reveals: bool = False
    consent_writes: bool = False
    fresh_login: bool = False


def _all(status: int | frozenset[int]) -> dict[str, int | frozenset[int]]:
    return dict.fromkeys(LOGGED_IN, status)


def public(method: str, path: str, status: int = 200, build: Builder | None = None) -> Case:
    expect = {"anonymous": status, **_all(status)}
    return Case(method, path, expect, build or (lambda w, who: {}), public=True)


def mine(method: str, path: str, status: int | frozenset[int], build: Builder | None = None,
         **options: Any) -> Case:  # fmt: skip
    """A route about the caller's own data: everyone logged in gets the same answer."""
    return Case(method, path, _all(status), build or (lambda w, who: {}), **options)


def by_role(method: str, path: str, therapist: int, client: int,
            build: Builder | None = None, **options: Any) -> Case:  # fmt: skip
    expect: dict[str, int | frozenset[int]] = {
        "other client": client,
        "owner": client,
        "therapist without consent": therapist,
        "therapist with consent": therapist,
    }
    return Case(method, path, expect, build or (lambda w, who: {}), **options)


def owned(method: str, path: str, ok: int, build: Builder | None = None,
          others: int = 404) -> Case:  # fmt: skip
    """A route naming one of the owner's things: hers alone; anybody else gets `others`."""
    return Case(method, path, {**_all(others), OWNER: ok}, build or (lambda w, who: {}))


def consented(method: str, path: str, ok: int, build: Builder | None = None) -> Case:
    """A therapist's route about a client: only the therapist she consented to."""
    expect = {**_all(404), T_OK: ok}
    return Case(method, path, expect, build or (lambda w, who: {}), reveals=True,
                consent_writes=True)  # fmt: skip


# ---- request builders ------------------------------------------------------------------------


def _session_path(use: str, suffix: str = "", api: bool = True) -> Builder:
    def build(world: World, who: str) -> Request:
        prefix = "/api/v1/sessions" if api else "/sessions"
        return {"path": f"{prefix}/{world.sessions[use]}{suffix}"}

    return build


def _rating(use: str, api: bool) -> Builder:
    """A rating of the current point of one of the owner's sessions (a valid body)."""

    def build(world: World, who: str) -> Request:
        sid = world.sessions[use]
        step = world.client.get(f"/api/v1/sessions/{sid}", headers=world.ann.auth).json()["step"]
        point = step["point"]
        body = {"point_id": point["id"], "side": point["side"], "pain_after": 6}
        if api:
            return {"path": f"/api/v1/sessions/{sid}/ratings", "json": body}
        form = {**body, "side": point["side"] or "", "pain_after": "6"}
        return {"path": f"/sessions/{sid}/rate", "data": form}

    return build


def _client_path(template: str, **extra: Any) -> Builder:
    def build(world: World, who: str) -> Request:
        return {"path": template.format(ann=world.ann.id, builtin=BUILTIN), **extra}

    return build


def _invite_code(api: bool) -> Builder:
    def build(world: World, who: str) -> Request:
        code = accounts.invite(world.services, world.zed.id)
        return {"json": {"code": code}} if api else {"data": {"code": code}}

    return build


def _credentials(api: bool) -> Builder:
    """The visitor's own e-mail and password; anonymous tries the owner's with a wrong one."""

    def build(world: World, who: str) -> Request:
        visitor = world.visitor(who)
        body = (
            {"email": visitor.email, "password": PASSWORD}
            if visitor
            else {"email": world.ann.email, "password": "not the password"}
        )
        return {"json": body} if api else {"data": body}

    return build


_REGISTERED = iter(range(1_000_000))


def _new_account(api: bool) -> Builder:
    def build(world: World, who: str) -> Request:
        body = {"email": f"new{next(_REGISTERED)}@example.org", "password": PASSWORD}
        return {"json": body} if api else {"data": body}

    return build


def _wrong_password(api: bool, **fields: str) -> Builder:
    def build(world: World, who: str) -> Request:
        return {"json": fields} if api else {"data": fields}

    return build


def _restore(world: World, who: str) -> Request:
    """The owner's own backup (her session ids in it): restored into the caller's diary."""
    return {"files": {"file": ("backup.json", world.backup, "application/json")}}


def _routine_file(world: World, who: str) -> Request:
    routine = {
        "format": "backpoints-routine",
        "id": "imported-one",
        "name": "Imported one",
        "steps": [{"point_id": "BL23", "side": "both", "duration_s": 60}],
    }
    return {"files": {"file": ("r.json", json.dumps(routine).encode(), "application/json")}}


def _revoke(index: int, api: bool) -> Builder:
    def build(world: World, who: str) -> Request:
        lid = world.links[index]
        return {"path": f"/api/v1/care/links/{lid}/revoke" if api else f"/care/{lid}/revoke"}

    return build


NO = dict.fromkeys(QUESTIONS, "no")
PAIN_FORM = {"neck": "4"}
SCREENING_FORM = {"pain_neck": "4", **NO}
SPOT_FORM = {"region": "lower_back_right", "level": "L3", "tenderness": "4"}
START_OR_SCREEN = frozenset({200, 303})


def _form(data: dict[str, Any]) -> Builder:
    return lambda world, who: {"data": data}


def _json(body: Any) -> Builder:
    return lambda world, who: {"json": body}


def _owned_path(template: str, **extra: Any) -> Builder:
    def build(world: World, who: str) -> Request:
        ids = {"done": world.done_session, "run": world.runs["page"], "event": world.runs["event"],
               "spot": world.spot, "routine": ROUTINE_ID}  # fmt: skip
        return {"path": template.format(**ids), **extra}

    return build


# ---- the table -------------------------------------------------------------------------------

ROUTES: list[Case] = [
    # Public: the same for everyone, and nobody's data.
    public("GET", "/static", build=lambda w, who: {"path": "/static/app.css"}),
    public("GET", "/sw.js"),
    public("GET", "/manifest.webmanifest"),
    public("GET", "/openapi.json"),
    public("GET", "/offline"),
    public("GET", "/points"),
    public("GET", "/points/{point_id}", build=lambda w, who: {"path": "/points/BL23"}),
    public("GET", "/api/v1/regions"),
    public("GET", "/api/v1/points"),
    public(
        "GET", "/api/v1/points/{point_id}", build=lambda w, who: {"path": "/api/v1/points/BL23"}
    ),
    public("GET", "/login"),
    public("GET", "/register"),
    Case("POST", "/login", {"anonymous": 401, **_all(303)}, _credentials(False), public=True),
    Case(
        "POST",
        "/api/v1/auth/login",
        {"anonymous": 401, **_all(200)},
        _credentials(True),
        public=True,
    ),  # fmt: skip
    public("POST", "/register", 303, _new_account(False)),
    public("POST", "/api/v1/auth/register", 201, _new_account(True)),
    public("POST", "/language", 303, _form({"lang": "es", "next": "/points"})),
    # The caller's own data (no id in the path): each visitor gets their own, never the owner's.
    by_role("GET", "/", therapist=303, client=200),  # therapists land on their clients
    mine("GET", "/tools", 200),
    mine("GET", "/history", 200),
    mine("GET", "/refer", frozenset({200, 303})),  # the caller's own standing flags, if any
    mine("GET", "/screening/again", 200),
    mine("POST", "/screening/again", 422),  # an empty answer sheet: every question is asked
    mine("GET", "/api/v1/screening", 200),
    # a clinician's all-clear: only the caller's own standing flags (none here: home, or 422)
    mine("GET", "/screening/all-clear", frozenset({200, 303})),
    mine("POST", "/screening/all-clear", frozenset({303, 422}), _form({"flag": "fever_or_unwell"})),
    mine(
        "POST",
        "/api/v1/screening/all-clear",
        422,
        _json({"flags": ["fever_or_unwell"], "checked_on": "2026-01-01", "confirmed": True}),
    ),
    mine("GET", "/insights", 200),
    mine("GET", "/chart", 200),
    mine("GET", "/profile", 200),
    mine("POST", "/profile", 303, _form({"stature_cm": "170"})),
    mine("POST", "/start", START_OR_SCREEN, _form(PAIN_FORM)),
    mine("POST", "/screening", 303, _form(SCREENING_FORM)),
    mine("GET", "/report", 200),
    mine("GET", "/report.pdf", 200),
    mine("GET", "/chart.pdf", 200),
    mine("GET", "/peg", 200),
    mine("POST", "/peg", 303, _form({"pain": "3", "enjoyment": "2", "activity": "1"})),
    mine("GET", "/peg.png", 200),
    mine("GET", "/data", 200),
    mine("GET", "/export/ratings.csv", 200),
    mine("GET", "/export/fhir.json", 200),
    mine("GET", "/backup.json", 200),
    mine("GET", "/routines", 200),
    mine("POST", "/routines/import", 303, _routine_file),
    mine("POST", "/routines/build", 303, _form({"name": "Mine", "points": ["BL23"]})),
    mine("GET", "/scan", 200),
    mine("POST", "/scan/spot", 303, _form(SPOT_FORM)),
    mine("GET", "/camera", 200),
    mine("POST", "/camera/photo", 422, _form({"height": "170"})),
    mine("GET", "/account", 200),
    mine("GET", "/care", 200, reveals=True),
    mine("POST", "/care/accept", 303, _invite_code(False)),
    mine("GET", "/api/v1/profile", 200),
    mine("PUT", "/api/v1/profile", 200, _json({"stature_cm": 180})),
    mine(
        "POST",
        "/api/v1/sessions",
        201,
        _json({"pain": [{"region": "neck", "intensity": 3}], "answers": NO_ANSWERS}),
    ),
    mine("GET", "/api/v1/history", 200),
    mine("GET", "/api/v1/insights", 200),
    mine("GET", "/api/v1/routine", 200),
    mine("GET", "/api/v1/care/links", 200, reveals=True),
    mine("GET", "/api/v1/care/audit", 200),
    mine("POST", "/api/v1/care/accept", 200, _invite_code(True), reveals=True),
    by_role("POST", "/care/invite", therapist=200, client=422, reveals=True),  # lists clients
    by_role("POST", "/api/v1/care/invites", therapist=201, client=422),
    # The owner's things, named by their real ids: hers alone.
    owned("GET", "/api/v1/sessions/{session_id}", 200, _owned_path("/api/v1/sessions/{done}")),
    owned("POST", "/api/v1/sessions/{session_id}/ratings", 200, _rating("api-rate", api=True)),
    owned("POST", "/api/v1/sessions/{session_id}/skip", 200, _session_path("api-skip", "/skip")),
    owned("POST", "/api/v1/sessions/{session_id}/stop", 200, _session_path("api-stop", "/stop")),
    owned("GET", "/sessions/{session_id}", 200, _owned_path("/sessions/{done}")),
    owned("POST", "/sessions/{session_id}/rate", 303, _rating("page-rate", api=False)),
    owned(
        "POST", "/sessions/{session_id}/skip", 303, _session_path("page-skip", "/skip", api=False)
    ),  # fmt: skip
    owned(
        "POST", "/sessions/{session_id}/stop", 303, _session_path("page-stop", "/stop", api=False)
    ),  # fmt: skip
    owned("GET", "/routines/{routine_id}", 200, _owned_path("/routines/{routine}")),
    owned("GET", "/routines/{routine_id}.json", 200, _owned_path("/routines/{routine}.json")),
    owned(
        "POST",
        "/routines/{routine_id}/start",
        303,
        _owned_path("/routines/{routine}/start", data={"stress_before": "5", **NO}),
    ),
    owned("GET", "/runs/{run_id}", 200, _owned_path("/runs/{run}")),
    owned("POST", "/runs/{run_id}/{event}", 303, _owned_path("/runs/{event}/next")),
    # Forgetting a spot that is not yours does nothing and shows your own scan page.
    owned("POST", "/scan/{spot_id}/forget", 303, _owned_path("/scan/{spot}/forget"), others=303),
    # Consent: only the therapist the owner consented to reads her diary or gives routines.
    consented(
        "GET",
        "/api/v1/clients/{client_id}/history",
        200,
        _client_path("/api/v1/clients/{ann}/history"),
    ),  # fmt: skip
    consented(
        "GET",
        "/api/v1/clients/{client_id}/insights",
        200,
        _client_path("/api/v1/clients/{ann}/insights"),
    ),  # fmt: skip
    consented(
        "PUT",
        "/api/v1/clients/{client_id}/routine",
        200,
        _client_path("/api/v1/clients/{ann}/routine", json={"points": ["BL23"]}),
    ),
    consented(
        "PUT",
        "/api/v1/clients/{client_id}/routines/{routine_id}",
        200,
        _client_path("/api/v1/clients/{ann}/routines/{builtin}"),
    ),  # fmt: skip
    consented("GET", "/clients/{client_id}", 200, _client_path("/clients/{ann}")),
    consented(
        "POST",
        "/clients/{client_id}/routines",
        303,
        _client_path("/clients/{ann}/routines", data={"routine_id": BUILTIN}),
    ),
    consented(
        "POST",
        "/clients/{client_id}/routine",
        303,
        _client_path("/clients/{ann}/routine", data={"points": ["BL23"]}),
    ),
    # Late: they change the caller's diary or end links and log-ins.
    mine("POST", "/restore", 303, _restore),
    # The owner ends a link she shares with the therapist (who then finds it ended: 404).
    Case(
        "POST",
        "/api/v1/care/links/{link_id}/revoke",
        {**_all(404), OWNER: 200},
        _revoke(0, api=True),
        reveals=True,
    ),  # fmt: skip
    Case(
        "POST",
        "/care/{link_id}/revoke",
        {**_all(404), OWNER: 303},
        _revoke(1, api=False),
        reveals=True,
    ),
    mine(
        "POST",
        "/account/password",
        422,
        _wrong_password(False, current_password="wrong one!", new_password=PASSWORD),
    ),
    mine(
        "POST",
        "/api/v1/account/password",
        422,
        _wrong_password(True, current_password="wrong one!", new_password=PASSWORD),
    ),
    mine("POST", "/account/delete", 422, _wrong_password(False, password="wrong one!")),
    mine("POST", "/api/v1/account/delete", 422, _wrong_password(True, password="wrong one!")),
    mine("POST", "/logout", 303, fresh_login=True),
    mine("POST", "/api/v1/auth/logout", 204, fresh_login=True),
]


def route_keys(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, the static mount as GET /static."""
    keys: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Mount):
            keys.add(("GET", route.path))
        elif isinstance(route, APIRoute | Route):
            keys |= {(m, route.path) for m in (route.methods or ()) if m != "HEAD"}
        elif hasattr(route, "effective_route_contexts"):  # an included router (FastAPI 0.16x)
            for found in route.effective_route_contexts():
                keys |= {(m, found.path) for m in (found.methods or ()) if m != "HEAD"}
        else:
            raise AssertionError(f"a route of an unknown kind: {type(route).__name__}")
    return keys
