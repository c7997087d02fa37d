"""Running the web app: settings from the environment, uvicorn, and a browser tab if wanted."""

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


def serve(host: str | None = None, port: int | None = None, open_browser: bool = True) -> None:
    """Serve the app until interrupted; opens a tab only when a display is present."""
    import uvicorn

    from backpoints.web.app import create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    app = create_app(settings)  # refuses server mode without BACKPOINTS_ALLOWED_HOSTS
    app.state.bp.open()  # a foreign or damaged database: one line from the CLI, no traceback
    url = f"http://{settings.host}:{settings.port}/"
    sys.stdout.write(f"backpoints is running at {url} (Ctrl-C to stop)\n")
    sys.stdout.flush()
    if open_browser and has_display():
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # X-Forwarded-* are read by the app itself, and only from BACKPOINTS_TRUSTED_PROXIES
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False
    )
