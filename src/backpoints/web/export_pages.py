"""Pages and downloads for exports (CSV, FHIR) and backup/restore."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
