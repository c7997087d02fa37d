"""CSV and FHIR R4 exports of a few weeks of diary, on real SQLite, checked value by value.

Also holds `build_diary`, the diary the backup and web export tests use too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from backpoints.app import service
from backpoints.catalog import Catalog
from backpoints.core.clock import FakeClock
from backpoints.core.vocab import REGION_IDS
from backpoints.report import csv_export, fhir, peg
from backpoints.settings import Settings
from tests.conftest import CliRun

HEADER = (
    "session_id,started_at,rated_at,region,region_label,point_id,point_name,side,step,"
    "pain_before,pain_after,change,relieved,session_status"
)


@dataclass(frozen=True)
class Given:
    """A rating as the person gave it."""

    session_id: str
    region: str
    point_id: str
    side: str | None
    pain_after: int
    at: datetime


@dataclass
class Diary:
    person: str
    sessions: dict[str, Mapping[str, int]] = field(default_factory=dict)  # id -> pain map
    ratings: list[Given] = field(default_factory=list)


def _session(
    services: service.Services,
    diary: Diary,
    pain: Mapping[str, int],
    afters: Sequence[int],
    *,
    flags: Sequence[str] = (),
    stop: bool = False,
    skip_first: bool = False,
) -> str:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    sid, state = service.start_session(services, diary.person, pain, list(flags))
    diary.sessions[sid] = {r: v for r, v in pain.items() if v > 0}
    if skip_first:
        clock.advance(minutes=1)
        state = service.skip(services, sid)
    for after in afters:
        if state.current is None:
            break
        step = state.current
        at = clock.advance(minutes=3)
        state = service.rate(services, sid, step.point.id, step.point.side, after)
        diary.ratings.append(Given(sid, step.region, step.point.id, step.point.side, after, at))
    if stop and state.status == "active":
        clock.advance(minutes=1)
        service.stop(services, sid)
    return sid


def build_diary(services: service.Services) -> Diary:
    """Three weeks: relief, a stopped session, a skipped point, a referral, a PEG check-in."""
    clock = services.clock
    assert isinstance(clock, FakeClock)
    diary = Diary(service.person_id(services))
    service.record_screening(services, diary.person, [], {"lower_back_left": 6})
    _session(services, diary, {"lower_back_left": 6, "neck": 3}, [6, 3, 1])
    clock.advance(days=3, hours=2)
    _session(services, diary, {"sacrum": 5, "buttock_right": 4}, [5, 4], stop=True)
    clock.advance(days=4)
    _session(services, diary, {"lower_back_left": 7, "mid_back_right": 0}, [5], skip_first=True)
    clock.advance(days=5)
    service.record_screening(services, diary.person, ["fever_or_unwell"], {"interscapular": 7})
    _session(services, diary, {"interscapular": 7}, [], flags=["fever_or_unwell"])
    clock.advance(days=6)
    pain = {"scapula_left": 5, "upper_trapezius_right": 4}
    _session(services, diary, pain, [5, 5, 4], stop=True)
    peg.record(services, diary.person, peg.answers(5, 4, 3))
    clock.advance(days=1)
    return diary


@pytest.fixture
def services(tmp_path: Path, catalog: Catalog) -> Iterator[service.Services]:
    s = service.Services(Settings(data_dir=tmp_path / "data"), catalog=catalog, clock=FakeClock())
    yield s
    s.close()


@pytest.fixture
def diary(services: service.Services) -> Diary:
    return build_diary(services)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


# ---- CSV ------------------------------------------------------------------------------------


def test_csv_has_one_row_per_rating_with_the_pain_given(
    services: service.Services, diary: Diary, catalog: Catalog
) -> None:
    text = csv_export.ratings_csv(services)
    assert text.splitlines()[0] == HEADER
    rows = _csv_rows(text)
    assert len(rows) == len(diary.ratings) >= 6
    for row, given in zip(rows, diary.ratings, strict=True):
        assert row["session_id"] == given.session_id
        assert row["point_id"] == given.point_id
        assert row["side"] == (given.side or "")
        assert row["pain_after"] == str(given.pain_after)
        assert row["rated_at"] == given.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row["point_name"] == catalog.get(given.point_id).display_name
        assert int(row["change"]) == int(row["pain_after"]) - int(row["pain_before"])


def test_csv_values_of_the_first_session(services: service.Services, diary: Diary) -> None:
    rows = _csv_rows(csv_export.ratings_csv(services))
    first = rows[0]
    assert first["started_at"] == "2026-01-05T09:00:00Z"
    assert first["rated_at"] == "2026-01-05T09:03:00Z"
    assert (first["region"], first["region_label"]) == ("lower_back_left", "Lower back, left")
    assert (first["step"], first["pain_before"], first["pain_after"]) == ("1", "6", "6")
    assert (first["change"], first["relieved"]) == ("0", "no")
    second = rows[1]  # 6 -> 3 is a drop of 3: relief
    assert (second["step"], second["pain_after"], second["change"]) == ("2", "3", "-3")
    assert second["relieved"] == "yes"


def test_csv_session_status_and_skipped_steps(services: service.Services, diary: Diary) -> None:
    rows = _csv_rows(csv_export.ratings_csv(services))
    by_session = {s.id: s.status for s in service.history(services, diary.person)}
    assert [r["session_status"] for r in rows] == [by_session[r["session_id"]] for r in rows]
    assert "stopped" in by_session.values()
    skipped_first = list(diary.sessions)[2]
    assert [r["step"] for r in rows if r["session_id"] == skipped_first] == ["2"]
    refer = list(diary.sessions)[3]
    assert by_session[refer] == "refer"
    assert all(r["session_id"] != refer for r in rows)


def test_csv_file_is_utf8_with_bom_crlf_and_quoted_labels(
    services: service.Services, diary: Diary, tmp_path: Path
) -> None:
    path = tmp_path / "ratings.csv"
    assert csv_export.export_csv(services, path) == len(diary.ratings)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert b',"Lower back, left",' in raw
    with path.open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(diary.ratings)


def test_csv_of_an_empty_diary_is_just_the_header(services: service.Services) -> None:
    assert csv_export.ratings_csv(services) == HEADER + "\r\n"


# ---- FHIR -----------------------------------------------------------------------------------


def test_fhir_bundle_validates_as_r4(services: service.Services, diary: Diary) -> None:
    bundle = fhir.diary_bundle(services)
    parsed = Bundle.model_validate(bundle)  # raises on anything FHIR R4(B) does not allow
    assert parsed.type == "collection"
    assert parsed.entry is not None and len(parsed.entry) == len(bundle["entry"])
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"Patient", "Observation", "Procedure"}


def _pain(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    found = _resources(bundle, "Observation")
    return [o for o in found if o["code"]["coding"][0]["code"] == "72514-3"]


def test_one_observation_per_pain_value(services: service.Services, diary: Diary) -> None:
    observations = _pain(fhir.diary_bundle(services))
    pain_entries = sum(len(p) for p in diary.sessions.values())
    assert len(observations) == pain_entries + len(diary.ratings)
    for o in observations:
        assert o["status"] == "final"
        assert o["code"]["coding"] == [
            {
                "system": "http://loinc.org",
                "code": "72514-3",
                "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            }
        ]
        assert o["category"][0]["coding"][0]["code"] == "survey"
        assert 0 <= o["valueInteger"] <= 10
    after = [o for o in observations if "partOf" in o]
    assert [o["valueInteger"] for o in after] == [g.pain_after for g in diary.ratings]
    times = [g.at.strftime("%Y-%m-%dT%H:%M:%SZ") for g in diary.ratings]
    assert [o["effectiveDateTime"] for o in after] == times


def test_pain_at_the_start_is_the_pain_map(services: service.Services, diary: Diary) -> None:
    observations = _pain(fhir.diary_bundle(services))
    start = [o for o in observations if "partOf" not in o]
    values = sorted((o["bodySite"]["text"], o["valueInteger"]) for o in start)
    expected = [("Lower back, left", 6), ("Lower back, left", 7), ("Neck", 3)]
    assert set(expected) <= set(values)
    assert ("Between the shoulder blades", 7) in values  # the referred session's pain counts
    first = start[0]
    assert first["effectiveDateTime"] == "2026-01-05T09:00:00Z"
    assert first["bodySite"] == {
        "coding": [
            {
                "system": "http://snomed.info/sct",
                "code": "1017210004",
                "display": "Structure of left lumbar region of back",
            }
        ],
        "text": "Lower back, left",
    }


@pytest.mark.parametrize(
    ("region", "code", "text"),
    [
        ("lower_back_left", "1017210004", "Lower back, left"),
        ("lower_back_right", "1017211000", "Lower back, right"),
        ("neck", "45048000", "Neck"),
        ("upper_trapezius_right", "77568009", "Top of the shoulder, right"),
        ("scapula_left", "77568009", "Shoulder blade, left"),
        ("interscapular", "77568009", "Between the shoulder blades"),
        ("mid_back_right", "77568009", "Mid back, right"),
        ("sacrum", "1144746008", "Sacrum (base of the spine)"),
        ("buttock_left", "46862004", "Buttock, left"),
        ("somewhere_new", "77568009", "somewhere_new"),
    ],
)
def test_body_site_codes(region: str, code: str, text: str) -> None:
    site = fhir.body_site(region)
    assert [c["code"] for c in site["coding"]] == [code]  # one coding: the side is in the text
    assert site["coding"][0]["system"] == "http://snomed.info/sct"
    assert site["text"] == text


#: Each SNOMED CT code with its preferred term, as checked (see docs/exports.md).
CHECKED_TERMS = {
    "45048000": "Neck structure",
    "77568009": "Structure of back of trunk",
    "1017210004": "Structure of left lumbar region of back",
    "1017211000": "Structure of right lumbar region of back",
    "1144746008": "Structure of sacral vertebral column region",
    "46862004": "Buttock structure",
    "231107005": "Acupressure",
}


@pytest.mark.parametrize("region", [*REGION_IDS, "somewhere_new"])
def test_every_body_site_carries_its_checked_preferred_term(region: str) -> None:
    [coding] = fhir.body_site(region)["coding"]
    assert coding["display"] == CHECKED_TERMS[coding["code"]]
    assert "304036007" != coding["code"]  # the posterior neck, once wrongly used for the back


def test_every_snomed_code_written_is_a_checked_one(
    services: service.Services, diary: Diary
) -> None:
    assert fhir.SNOMED_TERMS == CHECKED_TERMS
    written = json.dumps(fhir.diary_bundle(services))
    for found in re.findall(
        r'"system": "http://snomed.info/sct", "code": "(\d+)", "display": "([^"]+)"', written
    ):
        assert CHECKED_TERMS[found[0]] == found[1]


def test_patient_is_a_stable_pseudonym(
    services: service.Services, diary: Diary, tmp_path: Path, catalog: Catalog
) -> None:
    bundle = fhir.diary_bundle(services)
    [patient] = _resources(bundle, "Patient")
    assert set(patient) == {"resourceType", "id", "identifier"}  # no name, no birth date
    [identifier] = patient["identifier"]
    assert identifier["system"] == "urn:backpoints:person"
    assert diary.person not in identifier["value"] and len(identifier["value"]) >= 16
    again = fhir.diary_bundle(services)
    assert _resources(again, "Patient") == [patient]
    first = bundle["entry"][0]
    assert first["resource"] == patient
    refs = {e["resource"]["subject"]["reference"] for e in bundle["entry"][1:]}
    assert refs == {first["fullUrl"]}
    other_clock = FakeClock(datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
    other = service.Services(
        Settings(data_dir=tmp_path / "other"), catalog=catalog, clock=other_clock
    )
    try:
        [stranger] = _resources(fhir.diary_bundle(other), "Patient")
    finally:
        other.close()
    assert stranger["identifier"][0]["value"] != identifier["value"]


def test_one_procedure_per_session_that_got_past_screening(
    services: service.Services, diary: Diary
) -> None:
    procedures = _resources(fhir.diary_bundle(services), "Procedure")
    history = list(reversed(service.history(services, diary.person)))
    treated = [s for s in history if s.status != "refer"]
    assert len(procedures) == len(treated) == len(diary.sessions) - 1
    expected_status = {"relieved": "completed", "stopped": "stopped", "active": "in-progress"}
    for p, s in zip(procedures, treated, strict=True):
        assert p["status"] == expected_status[s.status]
        assert p["code"]["text"] == "Self-administered acupressure / self-massage"
        assert p["code"]["coding"] == [
            {"system": "http://snomed.info/sct", "code": "231107005", "display": "Acupressure"}
        ]
        assert p["performedPeriod"]["start"] == s.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert len(p.get("note", [])) == len(s.ratings)
    first = procedures[0]
    assert first["status"] == "completed"
    assert first["performedPeriod"]["end"] > first["performedPeriod"]["start"]
    assert first["note"][1]["text"].endswith("for Lower back, left: pain 6 -> 3")
    assert procedures[1]["status"] == "stopped"


def test_peg_check_ins_are_observations_with_the_peg_codes(
    services: service.Services, diary: Diary
) -> None:
    bundle = fhir.diary_bundle(services)
    Bundle.model_validate(bundle)
    pegs = [
        o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "91147-9"
    ]
    stored = peg.history(services, diary.person)
    assert len(pegs) == len(stored) >= 1
    for o, c in zip(pegs, stored, strict=True):
        assert o["valueQuantity"]["value"] == pytest.approx(c.score)
        assert o["valueQuantity"]["code"] == "{score}"
        items = {x["code"]["coding"][0]["code"]: x["valueInteger"] for x in o["component"]}
        a = c.answers
        assert items == {"75893-8": a.pain, "91145-3": a.enjoyment, "91146-1": a.activity}
        assert o["effectiveDateTime"] == c.at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_red_flag_answers_are_observations_with_every_question(
    services: service.Services, diary: Diary
) -> None:
    from backpoints.core.screening import QUESTIONS

    bundle = fhir.diary_bundle(services)
    found = [
        o
        for o in _resources(bundle, "Observation")
        if o["code"]["coding"][0]["system"] == "urn:backpoints:red-flag"
    ]
    assert len(found) == 2  # the diary has one all-no screening and one with a yes
    all_no, flagged = found
    assert all_no["valueString"] == f"No to all {len(QUESTIONS)} questions."
    assert [c["valueBoolean"] for c in all_no["component"]] == [False] * len(QUESTIONS)
    yes = {c["code"]["coding"][0]["code"] for c in flagged["component"] if c["valueBoolean"]}
    assert yes == {"fever_or_unwell"}
    assert QUESTIONS["fever_or_unwell"] in flagged["valueString"]
    assert {c["code"]["text"] for c in flagged["component"]} == set(QUESTIONS.values())


def test_an_invalid_bundle_is_refused() -> None:
    r5_procedure = {  # R5 renamed performedPeriod to occurrencePeriod; R4 has no such field
        "resourceType": "Procedure",
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "occurrencePeriod": {"start": "2026-01-05T09:00:00Z"},
    }
    bad = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r5_procedure}]}
    with pytest.raises(fhir.FhirExportError, match="occurrencePeriod"):
        fhir.validate(bad)


def test_fhir_resources_is_imported_only_when_exporting() -> None:
    probe = "import sys, backpoints.report.fhir; print('fhir.resources' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# ---- CLI ------------------------------------------------------------------------------------


def _diary_in(data_dir: Path, catalog: Catalog) -> Diary:
    s = service.Services(Settings(data_dir=data_dir), catalog=catalog, clock=FakeClock())
    try:
        return build_diary(s)
    finally:
        s.close()


def test_cli_exports_csv_and_fhir(run_cli: CliRun, tmp_path: Path, catalog: Catalog) -> None:
    diary = _diary_in(tmp_path / "data", catalog)
    result = run_cli("export", "--csv", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote {len(diary.ratings)} ratings to {tmp_path}/out.csv."
    rows = _csv_rows((tmp_path / "out.csv").read_text("utf-8-sig"))
    assert [int(r["pain_after"]) for r in rows] == [g.pain_after for g in diary.ratings]
    result = run_cli("export", "--fhir", str(tmp_path / "out.json"))
    assert result.returncode == 0, result.stderr
    bundle = json.loads((tmp_path / "out.json").read_text("utf-8"))
    Bundle.model_validate(bundle)
    assert f"Bundle of {len(bundle['entry'])} resources" in result.stdout


@pytest.mark.parametrize("args", [[], ["--csv", "a.csv", "--fhir", "b.json"]])
def test_cli_export_needs_exactly_one_format(run_cli: CliRun, args: list[str]) -> None:
    result = run_cli("export", *args)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: Give exactly one of --csv FILE or --fhir FILE."


def test_cli_export_to_a_missing_folder_is_one_line(run_cli: CliRun, tmp_path: Path) -> None:
    result = run_cli("export", "--csv", str(tmp_path / "nowhere" / "x.csv"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "No such file or directory" in result.stderr
