"""`backpoints locate-photo IMAGE`: the points on a photo of the back (the vision extra).

`register(app)` adds the command to the main `backpoints` app. It parses its input, calls
`backpoints.vision.photo.locate_with_model` and presents the result; numpy, opencv and
mediapipe are imported only when it runs. Problems are `BackpointsError`s (no extra, no
person, a front view, ...): one line and exit code 2 from `cli.main`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ImageArg = Annotated[
    Path, typer.Argument(help="Photo of the back, taken from behind (JPEG or PNG).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Write the photo with the points drawn on it (PNG).", dir_okay=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
HeightOpt = Annotated[
    float | None, typer.Option("--height", help="Height (stature) in cm: a better scale.")
]
SexOpt = Annotated[str | None, typer.Option("--sex", help="female or male.")]
PointOpt = Annotated[
    list[str] | None, typer.Option("--point", "-p", help="Only this point id (repeat).")
]


def register(app: typer.Typer) -> None:
    """Add `locate-photo` to `app`."""

    @app.command("locate-photo")
    def locate_photo(
        image: ImageArg,
        out: OutOpt = None,
        json_out: JsonOpt = False,
        height: HeightOpt = None,
        sex: SexOpt = None,
        point: PointOpt = None,
    ) -> None:
        """Find your points on a photo of your back (vision extra): a table, JSON, an overlay."""
        from backpoints.cli import views
        from backpoints.vision import overlay, photo

        known = views.body_for(sex, None).sex if sex else None  # checks --sex
        result, labels = photo.locate_with_model(
            image, point_ids=point or (), stature_cm=height, sex=known
        )
        if out is not None:
            out.write_bytes(overlay.overlay_bytes(result, labels))
        if json_out:
            typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
            return
        table = views.locate_table(result.to_json())
        table.title = "Points on your photo; x: + toward your right, y: cm below C7"
        views.console().print(table)
        typer.echo(photo.summary(result) + (f" Wrote {out}." if out else ""))
