"""The web app: create_app(settings), the JSON API (api/), the pages (pages/)."""
