"""The point chart speaks to the partner who massages, not to the person being massaged:
the catalogue's how-to-find steps are written for one's own back ("put your hands on your
hips"), so they are rewritten here for someone finding the points on another person. Pure."""

from __future__ import annotations

from typing import Final

#: Phrase -> the same step said to the partner. Longer phrases first.
TO_PARTNER: Final[tuple[tuple[str, str], ...]] = (
    ("Bend your head forward", "Ask them to bend their head forward"),
    ("when you turn your head", "when they turn their head"),
    ("Turn your head", "Ask them to turn their head"),
    ("Cross your arm over your chest", "Ask them to cross their arm over their chest"),
    ("Put your hands on your hips", "Put your hands on their hips"),
    ("Put your hands on your waist with the thumbs", "Put your hands on their waist, your thumbs"),
    ("between your lowest rib and the top of your pelvis, at your side",
     "between their lowest rib and the top of their pelvis, at their side"),
    ("reproduces the ache you know", "brings on the ache they know"),
    ("reproduces your pain", "brings on their pain"),
    ("shows when you stand", "shows when they stand"),
    ("your back", "their back"),
    ("your spine", "their spine"),
    ("your neck", "their neck"),
    ("your shoulder", "their shoulder"),
)  # fmt: skip


def for_partner(step: str) -> str:
    """One how-to-find step said to the partner ('Put your hands on their hips ...')."""
    for mine, theirs in TO_PARTNER:
        step = step.replace(mine, theirs)
    return step
