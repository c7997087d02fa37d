"""Compile the `.po` catalogues to `.mo` (`make` runs `python -m backpoints.i18n.build`).

The `.mo` files are build products (gitignored); the loader also compiles a missing or
out-of-date one on first use, so a fresh clone works before `make`.
"""

from __future__ import annotations

import sys

from backpoints.i18n import LANGUAGES, mo_path


def compile_language(lang: str) -> int:
    """Compile one language's catalogue; returns the number of translated messages."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    mo = mo_path(lang)
    with mo.with_suffix(".po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as out:
        write_mo(out, catalog, use_fuzzy=False)
    tmp.replace(mo)
    return sum(1 for m in catalog if m.id and m.string and not m.fuzzy)


def compile_all() -> dict[str, int]:
    """Compile every translated language; the number of messages in each."""
    return {lang: compile_language(lang) for lang in LANGUAGES if lang != "en"}


def main() -> None:
    """Compile every catalogue and say how many messages each has."""
    for lang, count in compile_all().items():
        sys.stdout.write(f"{lang}: {count} messages\n")


if __name__ == "__main__":
    main()
