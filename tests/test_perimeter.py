"""The app's perimeter: the hosts it answers to, the proxies it believes, headers on every
answer (errors and 500s too), no-store on private answers, and the service worker in server
mode. Cases are generated from the route table and from products of hosts and paths."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backpoints.settings import Settings
from backpoints.web.app import create_app
from backpoints.web.security import HEADERS, HostsMissing, ProxyHeaders, is_private

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = ["localhost", "localhost:8000", "LocalHost", "127.0.0.1", "127.0.0.1:8765", "[::1]",
            "[::1]:8000"]  # fmt: skip
FOREIGN = ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io",
           "testserver", "127.0.0.2", "[::2]", "", "evil.example:80@localhost"]  # fmt: skip
#: Requests a DNS-rebinding page would make: read everything, change the profile, restore.
REBINDING = [("GET", "/backup.json"), ("POST", "/profile"), ("POST", "/restore"), ("GET", "/")]


def routes(app: FastAPI) -> Iterator[Any]:
    """Every route of the app, through included routers."""

    def walk(found: list[Any]) -> Iterator[Any]:
        for route in found:
            inner = getattr(route, "original_router", None)
            yield from walk(inner.routes) if inner is not None else [route]

    yield from walk(list(app.routes))


def personal_app(tmp_path: Path, **settings: Any) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path / "data", **{"allowed_hosts": (), **settings}))


@pytest.fixture
def personal(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(personal_app(tmp_path), base_url="http://localhost") as client:
        yield client


# ---- hosts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", FOREIGN)
@pytest.mark.parametrize(("method", "path"), REBINDING)
def test_the_personal_app_refuses_foreign_hosts(
    personal: TestClient, host: str, method: str, path: str
) -> None:
    origin = {"Origin": f"http://{host}"} if method == "POST" else {}
    answer = personal.request(method, path, headers={"Host": host, **origin})
    assert answer.status_code == 400
    assert "does not answer to the host name" in answer.text
    assert answer.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("host", LOOPBACK)
def test_the_personal_app_answers_on_loopback(personal: TestClient, host: str) -> None:
    assert personal.get("/backup.json", headers={"Host": host}).status_code == 200
    origin = f"http://{host}"
    saved = personal.post(
        "/profile", data={"stature_cm": "170"}, headers={"Host": host, "Origin": origin}
    )
    assert saved.status_code < 400


@pytest.mark.parametrize(
    ("host", "status"),
    [("backpoints.example.org", 200), ("BACKPOINTS.example.org:443", 200), ("localhost", 200),
     ("evil.example", 400), ("example.org", 400)],
)  # fmt: skip
def test_named_hosts_are_added_to_loopback(tmp_path: Path, host: str, status: int) -> None:
    app = personal_app(tmp_path, allowed_hosts=("backpoints.example.org",))
    with TestClient(app) as client:
        assert client.get("/api/v1/regions", headers={"Host": host}).status_code == status


def test_allowed_hosts_come_from_the_environment_comma_separated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BACKPOINTS_ALLOWED_HOSTS", " a.example , B.example,")
    monkeypatch.setenv("BACKPOINTS_TRUSTED_PROXIES", "10.0.0.1,10.0.0.2")
    settings = Settings()
    assert settings.allowed_hosts == ("a.example", "b.example")
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")


def test_server_mode_needs_allowed_hosts(tmp_path: Path) -> None:
    with pytest.raises(HostsMissing, match="BACKPOINTS_ALLOWED_HOSTS"):
        create_app(Settings(data_dir=tmp_path, server_mode=True, allowed_hosts=()))
    env = {**os.environ, "BACKPOINTS_SERVER_MODE": "true", "BACKPOINTS_ALLOWED_HOSTS": "",
           "BACKPOINTS_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
    argv = [sys.executable, "-m", "backpoints", "serve", "--port", "0", "--no-browser"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("error: Server mode needs BACKPOINTS_ALLOWED_HOSTS")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# ---- proxies --------------------------------------------------------------------------------


def _echo_app(trusted: tuple[str, ...]) -> Any:
    async def echo(request: Request) -> JSONResponse:
        client = request.client.host if request.client else None
        return JSONResponse({"client": client, "scheme": request.url.scheme})

    return ProxyHeaders(Starlette(routes=[Route("/", echo)]), trusted=trusted)


@pytest.mark.parametrize(
    ("trusted", "forwarded", "proto", "client", "scheme"),
    [
        ((), "203.0.113.9", "https", "testclient", "http"),
        (("10.0.0.1",), "203.0.113.9", "https", "testclient", "http"),
        (("testclient",), "203.0.113.9", "https", "203.0.113.9", "https"),
        (("testclient",), "198.51.100.1, 203.0.113.9", "", "203.0.113.9", "http"),
        (("testclient", "203.0.113.9"), "198.51.100.1, 203.0.113.9", "", "198.51.100.1", "http"),
        (("testclient",), "", "gopher", "testclient", "http"),
    ],
)
def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    trusted: tuple[str, ...], forwarded: str, proto: str, client: str, scheme: str
) -> None:
    headers = {"X-Forwarded-For": forwarded, "X-Forwarded-Proto": proto}
    seen = TestClient(_echo_app(trusted)).get("/", headers=headers).json()
    assert seen == {"client": client, "scheme": scheme}


# ---- headers on every answer ----------------------------------------------------------------


def _assert_security_headers(headers: Any) -> None:
    for name, value in HEADERS.items():
        assert headers.get(name) == value, name


def test_every_kind_of_answer_carries_the_security_headers(tmp_path: Path) -> None:
    app = personal_app(tmp_path, max_body_bytes=1024)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        answers = {
            200: client.get("/"),
            400: client.get("/", headers={"Host": "evil.example"}),
            404: client.get("/nowhere"),
            413: client.post("/api/v1/sessions", content=b"x" * 4096),
            422: client.get("/sessions/a%00b"),
            500: client.get("/boom"),
        }
        for status, answer in answers.items():
            assert answer.status_code == status
            _assert_security_headers(answer.headers)
            assert answer.headers["cache-control"] == "no-store"
        assert "nothing was lost" not in answers[500].text
        assert "a bug" not in answers[500].text


@pytest.mark.parametrize("lang", ["es", "hi", "zh"])
def test_an_unexpected_error_is_said_in_the_language_of_the_request(
    tmp_path: Path, lang: str
) -> None:
    """A 500 is answered outside every middleware: it still speaks the person's language."""
    from backpoints import i18n

    app = personal_app(tmp_path)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    english = "Something went wrong on our side."
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        answer = client.get("/boom", headers={"Accept-Language": lang, "Accept": "text/html"})
    assert answer.status_code == 500
    with i18n.language(lang):
        said = i18n.gettext(
            "Something went wrong on our side. If you were saving something, check "
            "whether it was saved before trying again."
        )
    assert english not in said and answer.text == said


def test_private_answers_are_no_store_and_public_ones_are_not(personal: TestClient) -> None:
    """Every GET route without parameters, from the route table."""
    app: FastAPI = personal.app  # type: ignore[assignment]
    paths = [r.path for r in routes(app) if "GET" in (getattr(r, "methods", None) or ())]
    plain = [p for p in paths if "{" not in p] + ["/static/app.js", "/points/BL23"]
    assert {"/history", "/backup.json", "/export/ratings.csv", "/report.pdf", "/account"} <= set(
        plain
    )
    for path in plain:
        control = personal.get(path).headers.get("cache-control", "")
        if is_private(path):
            assert control == "no-store", path
        else:
            assert "no-store" not in control, path
    assert not is_private("/static/app.js") and not is_private("/points/BL23")
    for private in ("/history", "/backup.json", "/report.pdf", "/account", "/", "/peg.png"):
        assert is_private(private)


# ---- the service worker ---------------------------------------------------------------------


@pytest.mark.parametrize("server_mode", [False, True])
def test_the_service_worker_keeps_no_private_page_on_a_server(
    tmp_path: Path, server_mode: bool
) -> None:
    app = personal_app(tmp_path, server_mode=server_mode, allowed_hosts=("testserver",))
    with TestClient(app) as client:
        worker = client.get("/sw.js").text
    assert f"const SERVER_MODE = {'true' if server_mode else 'false'};" in worker
    shell = worker.split("const SHELL = ")[1].split(";")[0]
    assert ('"/",' in shell) is not server_mode  # the home page is a person's own on a server
    assert "/no-store/i.test(control)" in worker
    assert 'url.pathname === "/logout"' in worker and "forgetEverything" in worker


def test_logging_out_clears_the_browser_site_data(tmp_path: Path) -> None:
    app = personal_app(tmp_path, server_mode=True, allowed_hosts=("testserver",))
    with TestClient(app) as client:
        body = {"email": "ann@example.org", "password": "correct horse battery"}
        user = client.post("/api/v1/auth/register", json=body).json()
        page = client.get("/history")
        assert page.headers["cache-control"] == "no-store"
        out = client.post(
            "/logout", data={"csrf_token": user["csrf_token"]}, follow_redirects=False
        )
    assert out.status_code == 303
    assert out.headers["clear-site-data"] == '"cache", "storage"'
