"""How pages and files travel: gzip, year-long caching of fingerprinted static files (and a
new address when a file changes), HEAD answered on every GET route."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from backpoints.settings import Settings
from backpoints.web.app import create_app, static_url
from backpoints.web.serving import LONG_CACHE, fingerprint


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_pages_and_assets_are_compressed(client: TestClient) -> None:
    for path in ("/", "/points", static_url("app.css"), static_url("app.js")):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_fingerprinted_static_files_are_cached_for_a_year(client: TestClient) -> None:
    page = client.get("/").text
    for name in ("app.css", "app.js"):
        url = static_url(name)
        assert url in page  # the page asks for the fingerprinted address
        assert client.get(url).headers["cache-control"] == LONG_CACHE
    bare = client.get("/static/app.css")
    assert bare.status_code == 200
    assert bare.headers.get("cache-control") != LONG_CACHE  # no fingerprint, no promise


def test_a_changed_file_gets_a_new_address(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body { color: red }")
    first = fingerprint(tmp_path, "a.css")
    (tmp_path / "b.css").write_text("body { color: blue }")
    assert re.fullmatch(r"[0-9a-f]{10}", first)
    assert fingerprint(tmp_path, "b.css") != first


def _example(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def _get_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every GET route, also those of included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _get_routes(inner.routes)
        elif isinstance(route, APIRoute) and "GET" in (route.methods or ()):
            yield route


def test_every_get_route_answers_head_with_the_same_status_and_no_body(
    client: TestClient,
) -> None:
    app = client.app
    routes = list(_get_routes(app.routes))  # type: ignore[attr-defined]
    assert len(routes) > 30
    for route in routes:
        path = _example(route.path)
        get = client.get(path, follow_redirects=False)
        head = client.head(path, follow_redirects=False)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
    assert any(isinstance(r, Mount) for r in app.routes)  # type: ignore[attr-defined]
    assert client.head(static_url("app.css")).status_code == 200
