"""FHIR R4 export of the pain diary: one Bundle (type "collection") as plain JSON data.

Owns the mapping from the diary to FHIR resources and the standard codes it uses:

- a pseudonymous ``Patient`` (no name, no birth date): one identifier in the system
  ``urn:backpoints:person`` whose value is a salted hash of the person's id (the salt is the
  moment the diary was created, so the pseudonym is stable for one diary, survives a backup
  and restore, and differs between installations);
- one ``Observation`` per pain value: the pain at the start of each session for each region of
  its pain map, and the pain after each point tried. LOINC 72514-3, status ``final``, category
  ``survey``, ``valueInteger`` 0-10, body site coded in SNOMED CT (see `BODY_SITES`) with the
  region and its side (the person's left/right) in ``text``;
- one ``Procedure`` per session that got past screening (``completed``, ``stopped`` or
  ``in-progress``), coded SNOMED CT 231107005 "Acupressure", with the points tried as notes;
- one ``Observation`` per PEG check-in: LOINC 91147-9 (the PEG mean score) with the three
  items of the PEG panel 91148-7 as components;
- one ``Observation`` per red-flag screening: every question asked, each a component with
  ``valueBoolean`` (yes/no), in the code system ``urn:backpoints:red-flag`` (no standard code
  for these questions was found).

Every SNOMED CT code is listed with its preferred term in `SNOMED_TERMS` (docs/exports.md says
where each was checked); `body_site` and `PROCEDURE_CODE` take their displays from there.

Resource ids are UUIDs derived from the pseudonym and the diary row, so exporting twice gives
the same ids. fhir.resources (used by `validate`) is imported only inside that function; the
installed fhir.resources 8 models FHIR R5 by default, so validation uses its ``R4B`` package,
whose Patient, Observation, Procedure and Bundle have the same shape as in R4.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.errors import BackpointsError
from backpoints.core.screening import QUESTIONS
from backpoints.core.vocab import REGION_LABELS
from backpoints.report.csv_export import iso_utc, point_name, whole_diary
from backpoints.report.diary import ScreeningRecord, screenings_of
from backpoints.report.peg import ITEMS, StoredPeg
from backpoints.report.peg import history as peg_history
from backpoints.store.models import Person
from backpoints.store.repo import SessionSummary, StoredRating

Json = dict[str, Any]

PERSON_SYSTEM = "urn:backpoints:person"
SNOMED = "http://snomed.info/sct"
PAIN_CODE: Json = {
    "coding": [
        {
            "system": "http://loinc.org",
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ],
    "text": "Pain severity (0-10)",
}
SURVEY: Json = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
PROCEDURE_TEXT = "Self-administered acupressure / self-massage"

#: Every SNOMED CT code the export writes, with its preferred term (the display it carries).
SNOMED_TERMS: dict[str, str] = {
    "45048000": "Neck structure",
    "77568009": "Structure of back of trunk",
    "1017210004": "Structure of left lumbar region of back",
    "1017211000": "Structure of right lumbar region of back",
    "1144746008": "Structure of sacral vertebral column region",
    "46862004": "Buttock structure",
    "231107005": "Acupressure",
}
_TRUNK = "77568009"
#: The SNOMED CT code of a region: lateralised where SNOMED has a code for the side (the lower
#: back), else the structure that contains it; the precise region is always in the text.
BODY_SITES: dict[str, str] = {
    "neck": "45048000",
    "upper_trapezius_left": _TRUNK,
    "upper_trapezius_right": _TRUNK,
    "scapula_left": _TRUNK,
    "scapula_right": _TRUNK,
    "interscapular": _TRUNK,
    "mid_back_left": _TRUNK,
    "mid_back_right": _TRUNK,
    "lower_back_left": "1017210004",
    "lower_back_right": "1017211000",
    "sacrum": "1144746008",
    "buttock_left": "46862004",
    "buttock_right": "46862004",
}
FALLBACK_SITE = _TRUNK
PROCEDURE_CODE: Json = {
    "coding": [{"system": SNOMED, "code": "231107005", "display": SNOMED_TERMS["231107005"]}],
    "text": PROCEDURE_TEXT,
}
LOINC = "http://loinc.org"
#: The PEG: the mean score (LOINC 91147-9) with its three items, as in the panel 91148-7.
PEG_SCORE: Json = {
    "coding": [{"system": LOINC, "code": "91147-9", "display": "Mean score [PEG]"}],
    "text": "PEG score (mean of pain, enjoyment of life, general activity; 0-10)",
}
PEG_ITEMS: dict[str, str] = {"pain": "75893-8", "enjoyment": "91145-3", "activity": "91146-1"}
RED_FLAG_SYSTEM = "urn:backpoints:red-flag"
RED_FLAG_CODE: Json = {
    "coding": [{"system": RED_FLAG_SYSTEM, "code": "screening", "display": "Red-flag screening"}],
    "text": "Red-flag screening for back pain (signs that need a doctor, not massage)",
}

#: Session status -> Procedure.status; "refer" sessions had no massage and get no Procedure.
PROCEDURE_STATUS = {
    "relieved": "completed",
    "exhausted": "completed",
    "stopped": "stopped",
    "active": "in-progress",
}
OUTCOMES = {
    "relieved": "Pain relieved",
    "exhausted": "No point gave relief this time",
    "stopped": "Stopped by the person before the end",
    "active": "Not finished",
}
_NAMESPACE = uuid.UUID("5b0e6c1e-58f4-4d0e-9a49-3f1c0a7d2b61")


class FhirExportError(BackpointsError):
    """The bundle did not validate as FHIR R4 (a bug in backpoints: please report it)."""

    field = "fhir"


class _Ids:
    """Stable UUIDs for the resources of one person's export."""

    def __init__(self, patient_key: str) -> None:
        self.patient_key = patient_key

    def id(self, *parts: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, "/".join((self.patient_key, *parts))))

    def url(self, *parts: str) -> str:
        return f"urn:uuid:{self.id(*parts)}"


def pseudonym(person_id: str, created_at: datetime) -> str:
    """A stable, random-looking identifier for the person: no name, nothing reversible."""
    salted = f"backpoints|{created_at.isoformat()}|{person_id}".encode()
    return hashlib.sha256(salted).hexdigest()[:24]


def body_site(region: str) -> Json:
    """The SNOMED CT coded body site of a region, with its label (and side) as text."""
    code = BODY_SITES.get(region, FALLBACK_SITE)
    return {
        "coding": [{"system": SNOMED, "code": code, "display": SNOMED_TERMS[code]}],
        "text": REGION_LABELS.get(region, region),
    }


def build_bundle(
    sessions: Sequence[SessionSummary],
    patient_key: str,
    catalog: Catalog,
    now: datetime,
    pegs: Sequence[StoredPeg] = (),
    screenings: Sequence[ScreeningRecord] = (),
) -> Json:
    """The Bundle for these sessions, PEG check-ins and screenings of one person."""
    ids = _Ids(patient_key)
    patient = ids.url("patient")
    entries = [
        _entry(
            patient,
            {
                "resourceType": "Patient",
                "identifier": [{"system": PERSON_SYSTEM, "value": patient_key}],
            },
        )
    ]
    for s in sessions:
        entries += _session_entries(s, ids, patient, catalog)
    entries += [_entry(ids.url("peg", iso_utc(c.at)), _peg(c, patient)) for c in pegs]
    entries += [
        _entry(ids.url("screening", iso_utc(s.at), str(i)), _screening(s, patient))
        for i, s in enumerate(screenings)
    ]
    return {
        "resourceType": "Bundle",
        "id": ids.id("bundle", iso_utc(now)),
        "type": "collection",
        "timestamp": iso_utc(now),
        "entry": entries,
    }


def _session_entries(s: SessionSummary, ids: _Ids, patient: str, catalog: Catalog) -> list[Json]:
    procedure = ids.url("procedure", s.id) if s.status in PROCEDURE_STATUS else None
    found = [
        _entry(
            ids.url("pain-start", s.id, region),
            _observation(patient, region, level, s.started_at, "At the start of the session."),
        )
        for region, level in s.pain.items()
    ]
    for r in s.ratings:
        note = f"After pressing {_tried(r, catalog)}."
        observation = _observation(patient, r.region, r.pain_after, r.rated_at, note)
        if procedure is not None:
            observation["partOf"] = [{"reference": procedure}]
        found.append(_entry(ids.url("pain-after", s.id, str(r.n)), observation))
    if procedure is not None:
        found.append(_entry(procedure, _procedure(s, patient, catalog)))
    return found


def _observation(patient: str, region: str, level: int, at: datetime, note: str) -> Json:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": PAIN_CODE,
        "subject": {"reference": patient},
        "effectiveDateTime": iso_utc(at),
        "valueInteger": level,
        "bodySite": body_site(region),
        "note": [{"text": note}],
    }


def _procedure(s: SessionSummary, patient: str, catalog: Catalog) -> Json:
    period = {"start": iso_utc(s.started_at)}
    if s.ended_at is not None:
        period["end"] = iso_utc(s.ended_at)
    notes = [
        {"text": f"{_tried(r, catalog)}: pain {r.pain_before} -> {r.pain_after}"} for r in s.ratings
    ]
    procedure: Json = {
        "resourceType": "Procedure",
        "status": PROCEDURE_STATUS[s.status],
        "code": PROCEDURE_CODE,
        "subject": {"reference": patient},
        "performedPeriod": period,
        "bodySite": [body_site(region) for region in s.pain],
        "outcome": {"text": OUTCOMES[s.status]},
    }
    if notes:
        procedure["note"] = notes
    return procedure


def _peg(c: StoredPeg, patient: str) -> Json:
    answers = {"pain": c.answers.pain, "enjoyment": c.answers.enjoyment,
               "activity": c.answers.activity}  # fmt: skip
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": PEG_SCORE,
        "subject": {"reference": patient},
        "effectiveDateTime": iso_utc(c.at),
        "valueQuantity": {
            "value": round(c.score, 2),
            "unit": "{score}",
            "system": "http://unitsofmeasure.org",
            "code": "{score}",
        },
        "component": [
            {
                "code": {
                    "coding": [{"system": LOINC, "code": PEG_ITEMS[field]}],
                    "text": ITEMS[field][1],
                },
                "valueInteger": value,
            }  # fmt: skip
            for field, value in answers.items()
        ],
    }


def _screening(s: ScreeningRecord, patient: str) -> Json:
    said_yes = set(s.flags)
    summary = (
        "Yes to: " + "; ".join(QUESTIONS.get(f, f) for f in s.flags)
        if s.flags
        else f"No to all {len(QUESTIONS)} questions."
    )
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": RED_FLAG_CODE,
        "subject": {"reference": patient},
        "effectiveDateTime": iso_utc(s.at),
        "valueString": summary,
        "component": [
            {
                "code": {"coding": [{"system": RED_FLAG_SYSTEM, "code": flag}], "text": question},
                "valueBoolean": flag in said_yes,
            }
            for flag, question in QUESTIONS.items()
        ],
    }


def _tried(r: StoredRating, catalog: Catalog) -> str:
    side = f" ({r.side} side)" if r.side else ""
    return f"{point_name(catalog, r.point_id)}{side} for {REGION_LABELS.get(r.region, r.region)}"


def _entry(full_url: str, resource: Json) -> Json:
    first = {"resourceType": resource["resourceType"], "id": full_url.removeprefix("urn:uuid:")}
    return {"fullUrl": full_url, "resource": {**first, **resource}}


def validate(bundle: Json) -> None:
    """Raise FhirExportError unless `bundle` parses as a FHIR R4(B) Bundle."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FhirExportError(f"The FHIR export is invalid at {where}: {first['msg']}.") from exc


def diary_bundle(services: service.Services, person: str | None = None) -> Json:
    """The person's (default: the local person's) whole diary as a validated FHIR Bundle."""
    who = person or service.person_id(services)
    with services.db() as db:
        found = db.get(Person, who)
        created = found.created_at if found is not None else services.clock.now()
    sessions = whole_diary(services, who)
    pegs, screenings = peg_history(services, who), screenings_of(services, who)
    key, now = pseudonym(who, created), services.clock.now()
    bundle = build_bundle(sessions, key, services.catalog, now, pegs, screenings)
    validate(bundle)
    return bundle


def to_json(bundle: Json) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def export_fhir(services: service.Services, path: Path, person: str | None = None) -> int:
    """Write the diary as a FHIR R4 Bundle (JSON); returns the number of resources."""
    bundle = diary_bundle(services, person)
    path.write_text(to_json(bundle), encoding="utf-8")
    return len(bundle["entry"])
