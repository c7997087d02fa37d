"""What one web app holds: its services (settings, catalogue, database, clock, randomness).

Created by `create_app`, opened in the app's lifespan, closed when it stops. The local install
has one person; server mode (accounts) will resolve the person from the request instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from backpoints.app import accounts, service
from backpoints.app.accounts import NotLoggedIn
from backpoints.catalog import Catalog
from backpoints.core.anatomy import Body
from backpoints.core.screening import Profile
from backpoints.settings import Settings
from backpoints.web.context import Visitor, current_visitor


@dataclass
class AppState:
    services: service.Services
    _person: str | None = field(default=None, repr=False)

    @classmethod
    def create(cls, settings: Settings) -> AppState:
        return cls(service.Services(settings))

    def open(self) -> None:
        self.services.open()

    def close(self) -> None:
        self.services.close()

    @property
    def catalog(self) -> Catalog:
        """The catalogue, its point texts in the language of this request."""
        return service.shown_catalog(self.services)

    def person(self) -> str:
        """The id of the person this request is for: the logged-in account in server mode,
        the one local person on a personal install."""
        if self.services.settings.server_mode:
            visitor = current_visitor.get()
            if visitor is None:
                raise NotLoggedIn("Log in first.")
            return visitor.account_id
        if self._person is None:
            self._person = service.person_id(self.services)
        return self._person

    def visitor(self, token: str) -> Visitor | None:
        """The log-in a token belongs to (server mode), for the auth middleware."""
        login = accounts.who(self.services, token)
        if login is None:
            return None
        return Visitor(login.account_id, login.email, login.role, login.csrf_token, token)

    def profile(self) -> Profile:
        return service.profile(self.services, self.person())

    def body(self) -> Body:
        """The person's body (from their profile's height and sex, else average)."""
        return service.body_of(self.profile())

    def public_body(self) -> Body:
        """For public pages: the person's body, or the average one for a visitor who is not
        logged in (server mode)."""
        if self.services.settings.server_mode and current_visitor.get() is None:
            return service.body_of(Profile())
        return self.body()


def app_state(request: Request) -> AppState:
    """The state of the app serving this request (set up by `create_app`)."""
    state: AppState = request.app.state.bp
    return state
