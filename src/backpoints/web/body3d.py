"""What the 3-D back (static/body3d.js) needs for one point: the person's body frame sizes, the
point's positions in that frame, and a sentence that says the same in words.

The model itself (static/body/body.glb, built by scripts/make_body_model.py from a CC0 mesh) is
fetched by the browser only when the person opens the view.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from backpoints import __version__, i18n
from backpoints.core.anatomy import Body, Position
from backpoints.i18n import gettext as _

MODEL = "body/body.glb"
LANDMARKS = "body/landmarks.json"
THREE = "vendor/three/"


def where_in_words(name: str, positions: Sequence[Position], body: Body) -> str:
    """ "BL23 lies 3.5 cm either side of the spine, 33 cm below the base of the neck (L2)."
    (in the language in force)."""
    first = positions[0]
    down = _("{cm} cm below the bump at the base of the neck, at the level of {level}").format(
        cm=i18n.format_number(first.y_cm, 0), level=first.level
    )
    out = i18n.format_number(abs(first.x_cm))
    if first.side is None:
        across = _("on the middle of the spine")
    elif len({p.side for p in positions}) == 2:
        across = _("{cm} cm out from the middle of the spine, on both sides").format(cm=out)
    elif first.side == "left":
        across = _("{cm} cm out from the middle of the spine, on the left").format(cm=out)
    else:
        across = _("{cm} cm out from the middle of the spine, on the right").format(cm=out)
    spread = max(p.uncertainty_cm for p in positions)
    return _(
        "{name} lies {across}, {down}. On your body it may be up to {spread} cm "
        "from there: feel for the tender spot."
    ).format(name=name, across=across, down=down, spread=i18n.format_number(spread))


@dataclass(frozen=True)
class View3D:
    """What the `_body3d.html` partial needs: the data attribute, the name, the words."""

    data: str
    name: str
    words: str


def view_3d(name: str, positions: Sequence[Position], body: Body) -> View3D:
    return View3D(body3d_json(name, positions, body), name, where_in_words(name, positions, body))


def body3d_json(name: str, positions: Sequence[Position], body: Body) -> str:
    """The data attribute of the 3-D view (JSON; Jinja escapes it inside the attribute)."""
    static = "/static/"
    data = {
        "model": f"{static}{MODEL}?v={__version__}",
        "landmarks": f"{static}{LANDMARKS}?v={__version__}",
        "three": static + THREE,
        "name": name,
        "body": {
            "c7_psis_cm": round(body.c7_psis_cm, 2),
            "acromion_half_width_cm": round(body.acromion_half_width_cm, 2),
        },
        "points": [
            {
                "side": p.side,
                "x_cm": round(p.x_cm, 2),
                "y_cm": round(p.y_cm, 2),
                "uncertainty_cm": p.uncertainty_cm,
            }
            for p in positions
        ],
    }
    return json.dumps(data, separators=(",", ":"))
