"""JSON request bodies validated once: pydantic's core reads the raw bytes (no `json.loads`
and then a second pass over the dicts), for the routes of the session cycle.

`parse(request, Model)` answers 422 in the same shape as FastAPI's own validation (fields
named under `body`), and refuses a body that is not declared as JSON, as FastAPI does.
`documented(Model)` keeps the route's request body in OpenAPI, and `install_schemas(app)`
adds the models it names to the schema's components.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from backpoints.i18n import gettext as _

Model = TypeVar("Model", bound=BaseModel)
_REF = "#/components/schemas/{model}"
_DOCUMENTED: dict[str, type[BaseModel]] = {}


async def parse(request: Request, model: type[Model]) -> Model:
    """The request's JSON body as `model`, or RequestValidationError (422)."""
    raw = await request.body()
    if not _declared_json(request.headers.get("content-type", "")):
        message = _("Send the body as JSON (Content-Type: application/json).")
        raise RequestValidationError([{"type": "json_type", "loc": ("body",), "msg": message}])
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


def _declared_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """The `openapi_extra` of a route whose body is read with `parse(request, model)`."""
    _DOCUMENTED[model.__name__] = model
    ref = {"$ref": _REF.format(model=model.__name__)}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


def install_schemas(app: FastAPI) -> None:
    """Add the documented body models (and the models they use) to the OpenAPI components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, model in _DOCUMENTED.items():
                body = model.model_json_schema(ref_template=_REF)
                for inner, definition in body.pop("$defs", {}).items():
                    components.setdefault(inner, definition)
                components[name] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
