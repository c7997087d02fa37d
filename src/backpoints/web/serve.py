"""Running the web app: settings from the environment, uvicorn, and a browser tab if wanted.

uvicorn is given the app factory by name (`backpoints.web.app:create_app`), so it can start
several worker processes; each builds its own app from the environment, into which the
command line's host and port are written first (BACKPOINTS_HOST, BACKPOINTS_PORT).
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser

from backpoints.settings import Settings


def has_display() -> bool:
    """Whether a browser tab could be shown (a desktop session, or macOS/Windows)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


#: The app factory, by name, for uvicorn (each worker process imports and calls it).
FACTORY = "backpoints.web.app:create_app"


def serve(
    host: str | None = None,
    port: int | None = None,
    open_browser: bool = True,
    workers: int = 1,
) -> None:
    """Serve the app until interrupted; opens a tab only when a display is present."""
    import uvicorn

    from backpoints.web.app import create_app

    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    for name, value in overrides.items():  # the workers build their settings from these
        os.environ[f"BACKPOINTS_{name.upper()}"] = str(value)
    # Checked here, once, so a bad setting or database is one line from the CLI, no traceback:
    # server mode without BACKPOINTS_ALLOWED_HOSTS, a foreign or damaged database.
    probe = create_app(settings)
    probe.state.bp.open()
    probe.state.bp.close()
    url = f"http://{settings.host}:{settings.port}/"
    many = f" with {workers} workers" if workers > 1 else ""
    sys.stdout.write(f"backpoints is running at {url}{many} (Ctrl-C to stop)\n")
    sys.stdout.flush()
    if open_browser and has_display():
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # X-Forwarded-* are read by the app itself, and only from BACKPOINTS_TRUSTED_PROXIES
    uvicorn.run(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )
