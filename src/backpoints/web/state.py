"""What one web app holds: its services (settings, catalogue, database, clock, randomness).

Created by `create_app`, opened in the app's lifespan, closed when it stops. The local install
has one person; server mode (accounts) will resolve the person from the request instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backpoints import service
from backpoints.anatomy import Body
from backpoints.catalog import Catalog
from backpoints.screening import Profile
from backpoints.settings import Settings


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
        return self.services.catalog

    def person(self) -> str:
        """The id of the person using the app (the local user)."""
        if self._person is None:
            self._person = service.person_id(self.services)
        return self._person

    def profile(self) -> Profile:
        return service.profile(self.services, self.person())

    def body(self) -> Body:
        """The person's body (from their profile's height and sex, else average)."""
        return service.body_of(self.profile())
