"""Typed dependencies of the web routes, the FastAPI way: `StateDep`, `ServicesDep`,
`PersonDep`, `VisitorDep` and `ServerStateDep` (server-mode-only routes).

They are `async def` so resolving them costs no thread-pool hop; none touches the database
except `PersonDep` on a personal install, once per app (the local person's id is cached).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from backpoints.app import accounts
from backpoints.app.service import Services
from backpoints.web.context import Visitor, current_visitor
from backpoints.web.state import AppState


async def get_state(request: Request) -> AppState:
    """The state of the app serving this request (set up by `create_app`)."""
    state: AppState = request.app.state.bp
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_services(state: StateDep) -> Services:
    return state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_person(state: StateDep) -> str:
    """The person the request is for: the logged-in account, or the one local person."""
    return state.person()


PersonDep = Annotated[str, Depends(get_person)]


async def get_visitor() -> Visitor:
    """The log-in of this request (server mode); 401 without one."""
    visitor = current_visitor.get()
    if visitor is None:
        raise accounts.NotLoggedIn("Log in first (POST /api/v1/auth/login).")
    return visitor


VisitorDep = Annotated[Visitor, Depends(get_visitor)]


async def get_server_state(state: StateDep) -> AppState:
    """The app's state on routes that exist only in server mode (404 elsewhere)."""
    if not state.services.settings.server_mode:
        raise accounts.NotFound("Accounts exist only in server mode.")
    return state


ServerStateDep = Annotated[AppState, Depends(get_server_state)]
