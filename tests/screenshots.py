"""`make screenshots`: the README's two pictures, taken from the running app in Chromium:
the guided player on a phone (390x844) and the back map of a point.

    python -m tests.screenshots docs
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.conftest import _serve, chromium
from tests.web_seed import seed


def take(out: Path) -> list[Path]:
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("screenshots: chromium is needed (make system-deps)")
    out.mkdir(parents=True, exist_ok=True)
    player, back_map = out / "player-phone.png", out / "map.png"
    with tempfile.TemporaryDirectory() as tmp:
        for server in _serve(Path(tmp), {}):
            seeded = seed(server.url)
            with chromium(executable, ["--no-sandbox"]) as browser:
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                phone.goto(f"{server.url}/sessions/{seeded.active}")
                phone.screenshot(path=str(player))
                laptop = browser.new_page(viewport={"width": 1280, "height": 900})
                laptop.goto(f"{server.url}/points/BL23")
                laptop.locator(".mapbox").screenshot(path=str(back_map))
    for path in (player, back_map):
        _shrink(path)
    return [player, back_map]


def _shrink(path: Path) -> None:
    """A 128-colour palette keeps the pictures small for the README (Pillow comes with
    matplotlib)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for path in take(out):
        print(f"{path} ({path.stat().st_size // 1024} KB)")  # noqa: T201


if __name__ == "__main__":
    main()
