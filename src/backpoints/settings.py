"""Settings: one pydantic-settings object (prefix BACKPOINTS_), built at the edge, passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ~/.local/share/backpoints."""
    from platformdirs import user_data_path

    return user_data_path("backpoints", appauthor=False)


class Settings(BaseSettings):
    """Everything configurable. Nothing reads the environment except building one of these."""

    model_config = SettingsConfigDict(env_prefix="BACKPOINTS_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    #: Seconds of countdown per second of real time (tests run the countdown fast).
    countdown_speed: float = Field(default=1.0, gt=0, le=1000)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    #: Largest backup file the web app accepts for restoring.
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    #: Multi-user server: accounts, log-in, therapists and clients (off for a personal install).
    server_mode: bool = False
    #: Send cookies only over https (also automatic when the request came in over https).
    secure_cookies: bool = False
    #: Days a log-in lasts.
    login_days: int = Field(default=14, ge=1, le=365)
    #: Failed log-ins per e-mail address or client address in `login_window_minutes` before
    #: further attempts are refused for a while.
    login_attempts: int = Field(default=5, ge=1, le=100)
    login_window_minutes: int = Field(default=15, ge=1, le=1440)
    #: Failed log-ins from one client address, over all e-mail addresses, in the window.
    login_attempts_per_address: int = Field(default=30, ge=1, le=10_000)
    #: New accounts one client address may open per hour.
    registrations_per_hour: int = Field(default=10, ge=1, le=10_000)
    #: Host names (besides localhost, 127.0.0.1 and [::1]) the app answers to, comma separated;
    #: required in server mode.
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    #: Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    #: Largest photo (bytes and pixels) the camera page and locate-photo accept.
    max_photo_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(v.strip().lower() for v in value.split(",") if v.strip())
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def resolved_database_url(self) -> str:
        """The database URL: the setting, or a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'backpoints.sqlite3'}"
