"""Pages and downloads for the PDF report, charts and the PEG check-in."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
