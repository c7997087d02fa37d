"""The terminal: the Typer app, its commands and the terminal views (thin, over app/)."""
