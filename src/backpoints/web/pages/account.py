"""Server-mode pages: register, log in and out, the account, therapists and clients.

On a personal install (server mode off) every page here answers 404: there are no accounts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backpoints.app import accounts, routine_service, service
from backpoints.core.errors import BackpointsError
from backpoints.core.vocab import REGION_LABELS, region_label
from backpoints.i18n import gettext as _
from backpoints.web.auth import COOKIE, login_response
from backpoints.web.context import current_visitor
from backpoints.web.errors import status_for
from backpoints.web.pages.library import render, see_other
from backpoints.web.state import app_state

router = APIRouter(include_in_schema=False)


def _off(request: Request) -> Response | None:
    if app_state(request).services.settings.server_mode:
        return None
    return render(
        request,
        "message.html",
        404,
        title=_("No accounts here"),
        message=_("This is a personal install: there are no accounts to log in to."),
    )


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or app_state(request).services.settings.secure_cookies


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return _off(request) or render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    if (off := _off(request)) is not None:
        return off
    form = await request.form()
    target = _safe_next(str(form.get("next", "/")))
    client = request.client.host if request.client else "unknown"
    try:
        new = accounts.log_in(
            app_state(request).services,
            str(form.get("email", "")),
            str(form.get("password", "")),
            client,
        )
    except BackpointsError as exc:
        status = status_for(exc)
        return render(request, "login.html", status, next=target, error=str(exc))
    days = app_state(request).services.settings.login_days
    return login_response(see_other(target), new.token, secure(request), days)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request) -> Response:
    return _off(request) or render(request, "register.html", error=None, email="")


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request) -> Response:
    if (off := _off(request)) is not None:
        return off
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    role: accounts.Role = "therapist" if form.get("role") == "therapist" else "client"
    services = app_state(request).services
    client = request.client.host if request.client else "unknown"
    try:
        accounts.register(services, email, password, role, client)
        new = accounts.log_in(services, email, password, client)
    except BackpointsError as exc:
        status = status_for(exc)
        return render(request, "register.html", status, error=str(exc), email=email)
    days = services.settings.login_days
    return login_response(see_other("/"), new.token, secure(request), days)


@router.post("/logout")
def logout(request: Request) -> Response:
    visitor = current_visitor.get()
    if visitor is not None:
        accounts.log_out(app_state(request).services, visitor.token)
    response = see_other("/login")
    response.delete_cookie(COOKIE)
    # the browser forgets this person's pages: its caches and the service worker's
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, done: str = "") -> Response:
    return _off(request) or render(request, "account.html", error=None, done=done)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    form = await request.form()
    try:
        accounts.change_password(
            app_state(request).services,
            visitor.account_id,
            str(form.get("current_password", "")),
            str(form.get("new_password", "")),
            keep_token=visitor.token,
        )
    except BackpointsError as exc:
        return render(request, "account.html", 422, error=str(exc), done="")
    return see_other("/account?done=password")


@router.post("/account/delete", response_class=HTMLResponse)
async def delete_account(request: Request) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    form = await request.form()
    try:
        accounts.delete_account(
            app_state(request).services, visitor.account_id, str(form.get("password", ""))
        )
    except BackpointsError as exc:
        return render(request, "account.html", 422, error=str(exc), done="")
    response = render(
        request,
        "message.html",
        title=_("Account deleted"),
        message=_("Your account and all of your data have been deleted."),
    )
    response.delete_cookie(COOKIE)
    return response


@router.get("/care", response_class=HTMLResponse)
def care_page(request: Request, code: str = "") -> Response:
    return _off(request) or _care(request, code=code)


def _care(request: Request, status_code: int = 200, **extra: Any) -> Response:
    visitor = current_visitor.get()
    assert visitor is not None
    services = app_state(request).services
    links = accounts.links(services, visitor.account_id)
    audit = accounts.audit_log(services, visitor.account_id) if visitor.role == "client" else []
    context = {
        "links": links,
        "audit": audit,
        "role": visitor.role,
        "me": visitor.account_id,
        "error": None,
        "code": "",
    }
    return render(request, "care.html", status_code, **{**context, **extra})


@router.post("/care/invite", response_class=HTMLResponse)
def invite(request: Request) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    try:
        code = accounts.invite(app_state(request).services, visitor.account_id)
    except BackpointsError as exc:
        return _care(request, 422, error=str(exc))
    return _care(request, code=code)


@router.post("/care/accept", response_class=HTMLResponse)
async def accept(request: Request) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    form = await request.form()
    try:
        accounts.accept(app_state(request).services, visitor.account_id, str(form.get("code", "")))
    except BackpointsError as exc:
        return _care(request, 422, error=str(exc))
    return see_other("/care")


@router.post("/care/{link_id}/revoke", response_class=HTMLResponse)
def revoke(request: Request, link_id: str) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    try:
        accounts.revoke(app_state(request).services, visitor.account_id, link_id)
    except BackpointsError as exc:
        return _care(request, 404, error=str(exc))
    return see_other("/care")


@router.get("/clients/{client_id}", response_class=HTMLResponse)
def client_page(request: Request, client_id: str) -> Response:
    """A therapist's view of one consenting client: diary, what helps, the home routine."""
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    return _client(request, visitor.account_id, client_id)


def _client(
    request: Request,
    therapist_id: str,
    client_id: str,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    state = app_state(request)
    services = state.services
    try:
        accounts.require_consent(services, therapist_id, client_id, "viewed the diary")
    except BackpointsError as exc:
        return render(request, "message.html", 404, title=_("No such client"), message=str(exc))
    sessions = service.history(services, client_id, 50)
    found = service.insights(services, client_id)
    return render(
        request,
        "client.html",
        status_code,
        client_id=client_id,
        sessions=sessions,
        insights=found,
        labels={r: region_label(r) for r in REGION_LABELS},
        catalog=state.catalog,
        error=error,
        routine=accounts.routine_of(services, client_id),
        points=state.catalog.points,
        routines=routine_service.routines_for(services, therapist_id),
    )


@router.post("/clients/{client_id}/routines", response_class=HTMLResponse)
async def give_routine(request: Request, client_id: str) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    form = await request.form()
    try:
        accounts.assign_full_routine(
            app_state(request).services,
            visitor.account_id,
            client_id,
            str(form.get("routine_id", "")),
        )
    except BackpointsError as exc:
        return _client(request, visitor.account_id, client_id, 422, str(exc))
    return see_other(f"/clients/{client_id}")


@router.post("/clients/{client_id}/routine", response_class=HTMLResponse)
async def set_routine(request: Request, client_id: str) -> Response:
    visitor = current_visitor.get()
    if (off := _off(request)) is not None or visitor is None:
        return off or see_other("/login")
    form = await request.form()
    raw_duration = str(form.get("duration_s", "") or "").strip()
    plan = {
        "points": [str(p) for p in form.getlist("points")],
        "duration_s": int(raw_duration) if raw_duration.isdigit() else None,
        "frequency": str(form.get("frequency", "")),
        "note": str(form.get("note", "")),
    }
    try:
        accounts.assign_routine(app_state(request).services, visitor.account_id, client_id, plan)
    except BackpointsError as exc:
        return _client(request, visitor.account_id, client_id, 422, str(exc))
    return see_other(f"/clients/{client_id}")
