"""Server-mode JSON API: accounts and log-in, therapist-client links, client diaries, routines.

Clients of the API log in with `POST /api/v1/auth/login` and send `Authorization: Bearer
<token>`. With server mode off these routes answer 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from backpoints.app import accounts, service
from backpoints.web.auth import login_response
from backpoints.web.deps import ServerStateDep, VisitorDep
from backpoints.web.schemas import ERROR_RESPONSES, InsightPublic, SessionPublic

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=ERROR_RESPONSES)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(_In):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    role: Literal["client", "therapist"] = "client"


class LoginIn(_In):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class LoginOut(BaseModel):
    token: str
    csrf_token: str
    account_id: str
    role: str


class PasswordIn(_In):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class DeleteIn(_In):
    password: str = Field(max_length=200)


class CodeIn(_In):
    code: str = Field(max_length=32)


class CodeOut(BaseModel):
    code: str


class LinkOut(BaseModel):
    id: str
    therapist_email: str
    client_id: str | None
    client_email: str | None
    status: str
    created_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class AuditOut(BaseModel):
    at: datetime
    therapist: str
    action: str


class RoutineIn(_In):
    points: list[str] = Field(min_length=1, max_length=8)
    duration_s: int | None = Field(default=None, ge=30, le=180)
    frequency: str = Field(default="", max_length=80)
    note: str = Field(default="", max_length=500)


class RoutineOut(BaseModel):
    points: list[str]
    duration_s: int | None
    frequency: str
    note: str


State = ServerStateDep
Me = VisitorDep


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=LoginOut)
def register(state: State, body: RegisterIn, request: Request, response: Response) -> LoginOut:
    """Create an account and log in."""
    client = request.client.host if request.client else "unknown"
    accounts.register(state.services, body.email, body.password, body.role, client)
    return login(state, LoginIn(email=body.email, password=body.password), request, response)


@router.post("/auth/login", response_model=LoginOut)
def login(state: State, body: LoginIn, request: Request, response: Response) -> LoginOut:
    """Log in: a bearer token for API clients (also set as an HttpOnly cookie)."""
    client = request.client.host if request.client else "unknown"
    new = accounts.log_in(state.services, body.email, body.password, client)
    secure = request.url.scheme == "https" or state.services.settings.secure_cookies
    login_response(response, new.token, secure, state.services.settings.login_days)
    return LoginOut(
        token=new.token, csrf_token=new.csrf_token, account_id=new.account_id, role=new.role
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(state: State, me: Me) -> Response:
    accounts.log_out(state.services, me.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/account/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(state: State, me: Me, body: PasswordIn) -> Response:
    """Change the password; other log-ins of the account end."""
    accounts.change_password(
        state.services, me.account_id, body.current_password, body.new_password, keep_token=me.token
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/account/delete", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(state: State, me: Me, body: DeleteIn) -> Response:
    """Delete the account and all of its data."""
    accounts.delete_account(state.services, me.account_id, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/care/invites", status_code=status.HTTP_201_CREATED, response_model=CodeOut)
def invite(state: State, me: Me) -> CodeOut:
    """A therapist's new invitation code for a client."""
    return CodeOut(code=accounts.invite(state.services, me.account_id))


@router.post("/care/accept", response_model=list[LinkOut])
def accept(state: State, me: Me, body: CodeIn) -> list[LinkOut]:
    """The client accepts an invitation: consent to share the diary."""
    accounts.accept(state.services, me.account_id, body.code)
    return links(state, me)


@router.get("/care/links", response_model=list[LinkOut])
def links(state: State, me: Me) -> list[LinkOut]:
    return [
        LinkOut.model_validate(vars(link)) for link in accounts.links(state.services, me.account_id)
    ]


@router.post("/care/links/{link_id}/revoke", response_model=list[LinkOut])
def revoke(state: State, me: Me, link_id: str) -> list[LinkOut]:
    """Withdraw consent (client) or end the link (therapist)."""
    accounts.revoke(state.services, me.account_id, link_id)
    return links(state, me)


@router.get("/care/audit", response_model=list[AuditOut])
def audit(state: State, me: Me) -> list[AuditOut]:
    """Every therapist read of my data."""
    entries = accounts.audit_log(state.services, me.account_id)
    return [AuditOut(at=at, therapist=who, action=what) for at, who, what in entries]


@router.get("/clients/{client_id}/history", response_model=list[SessionPublic])
def client_history(state: State, me: Me, client_id: str) -> list[SessionPublic]:
    """A consenting client's sessions (audited)."""
    accounts.require_consent(state.services, me.account_id, client_id, "read the history")
    return [SessionPublic.of_summary(s) for s in service.history(state.services, client_id)]


@router.get("/clients/{client_id}/insights", response_model=list[InsightPublic])
def client_insights(state: State, me: Me, client_id: str) -> list[InsightPublic]:
    """What helps a consenting client (audited)."""
    accounts.require_consent(state.services, me.account_id, client_id, "read what helps")
    found = service.insights(state.services, client_id)
    return [InsightPublic.of(i, state.catalog) for i in found]


@router.put("/clients/{client_id}/routine", response_model=RoutineOut)
def set_routine(state: State, me: Me, client_id: str, body: RoutineIn) -> RoutineOut:
    """Assign a home routine to a consenting client."""
    plan: dict[str, Any] = body.model_dump()
    return RoutineOut.model_validate(
        accounts.assign_routine(state.services, me.account_id, client_id, plan)
    )


@router.get("/routine", response_model=RoutineOut | None)
def my_routine(state: State, me: Me) -> RoutineOut | None:
    """My active home routine, if a therapist with my consent assigned one."""
    found = accounts.routine_of(state.services, me.account_id)
    return None if found is None else RoutineOut.model_validate(found)


class AssignedOut(BaseModel):
    id: str
    name: str
    steps: int


@router.put("/clients/{client_id}/routines/{routine_id}", response_model=AssignedOut)
def assign_routine(state: State, me: Me, client_id: str, routine_id: str) -> AssignedOut:
    """Give a consenting client a whole routine (built-in or your own)."""
    given = accounts.assign_full_routine(state.services, me.account_id, client_id, routine_id)
    return AssignedOut(id=given.id, name=given.name, steps=len(given.steps))
