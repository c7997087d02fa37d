"""The reference's HTTP side: the two session routes as the API spells them, on Starlette.

`python -m benchmarks.reference_server PORT DATA_DIR` serves it with uvicorn (one worker).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backpoints.catalog import load_catalog
from benchmarks.reference_app import Invalid, Reference


def make_app(reference: Reference) -> Starlette:
    """The two routes, as the API spells them."""

    def answer(call: Callable[[], tuple[int, bytes]]) -> Response:
        try:
            status, body = call()
        except Invalid as exc:
            status, body = 422, json.dumps({"detail": str(exc)}).encode()
        except LookupError:
            status, body = 404, b'{"detail":"no such session"}'
        return Response(body, status, media_type="application/json")

    async def create(request: Request) -> Response:
        raw = await request.body()
        return answer(lambda: reference.create(raw))

    async def rate(request: Request) -> Response:
        raw = await request.body()
        return answer(lambda: reference.rate(request.path_params["sid"], raw))

    async def regions(request: Request) -> Response:
        return Response(b"[]", media_type="application/json")

    return Starlette(
        routes=[
            Route("/api/v1/sessions", create, methods=["POST"]),
            Route("/api/v1/sessions/{sid}/ratings", rate, methods=["POST"]),
            Route("/api/v1/regions", regions),
        ]
    )


if __name__ == "__main__":
    import uvicorn

    port, data_dir = int(sys.argv[1]), Path(sys.argv[2])
    data_dir.mkdir(parents=True, exist_ok=True)
    app = make_app(Reference(data_dir / "reference.db", load_catalog()))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
