"""Reading ClinicalTrials.gov API v2 study records into plain data.

Accepts what the API and its users save: one study object, an array of studies, or a
search response ``{"studies": [...], "nextPageToken": ...}``. Every record is checked on
its own: a bad one is reported with where it came from (file, position, NCT id when
known), the field at fault and why, and the good ones still come through.

Files are read as UTF-8 (with or without a byte-order mark); a file that is not valid
UTF-8 is read as Windows-1252, which is what such registry exports turn out to be.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consilium.engines.knowledge.oncotree import OncoTree
from consilium.engines.trials import conditions as cond
from consilium.engines.trials.eligibility import split_criteria

NCT = re.compile(r"^NCT\d{8}$")
STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"

#: Overall statuses under which a trial takes patients now or soon.
OPEN_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"})
STATUSES = (
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "COMPLETED",
    "WITHDRAWN",
    "UNKNOWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
)
PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
SEXES = ("ALL", "FEMALE", "MALE")

_AGE = re.compile(
    r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>years?|months?|weeks?|days?|hours?|minutes?)\s*$",
    re.IGNORECASE,
)
_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}


class RecordError(ValueError):
    """One record that cannot be read: the field (a dotted path) and the reason."""

    def __init__(self, field_path: str, message: str):
        super().__init__(f"{field_path}: {message}")
        self.field = field_path
        self.message = message


@dataclass(frozen=True)
class Problem:
    """A refused record: where it came from and why."""

    source: str
    position: int | None  # 1-based position in the file's list of studies
    nct_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.position is not None:
            where += f" record {self.position}"
        if self.nct_id:
            where += f" ({self.nct_id})"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True, slots=True)
class Contact:
    name: str = ""
    role: str = ""
    phone: str = ""
    email: str = ""

    def display(self) -> str:
        phone = self.phone
        return " · ".join(p for p in (self.name, phone, self.email) if p)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "phone": self.phone, "email": self.email}


@dataclass(frozen=True, slots=True)
class Site:
    facility: str
    city: str
    state: str
    country: str
    zip: str
    lat: float | None
    lon: float | None
    status: str  # the site's own recruitment status; "" when the record gives none
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class Intervention:
    type: str
    name: str
    description: str = ""
    arm_labels: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Arm:
    label: str
    type: str
    description: str = ""
    interventions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Study:
    nct_id: str
    title: str
    official_title: str
    acronym: str
    brief_summary: str
    conditions: tuple[str, ...]
    keywords: tuple[str, ...]
    mesh_terms: tuple[str, ...]
    oncotree_codes: tuple[str, ...]
    phases: tuple[str, ...]
    overall_status: str
    study_type: str
    sponsor: str
    enrollment: int | None
    min_age_years: float | None
    max_age_years: float | None
    sex: str
    healthy_volunteers: bool | None
    interventions: tuple[Intervention, ...]
    arms: tuple[Arm, ...]
    sites: tuple[Site, ...]
    central_contacts: tuple[Contact, ...]
    last_update: dt.date | None
    first_posted: dt.date | None
    eligibility_text: str
    inclusion: tuple[str, ...]
    exclusion: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def url(self) -> str:
        return STUDY_URL.format(nct_id=self.nct_id)

    @property
    def phase_label(self) -> str:
        return phase_label(self.phases)

    @property
    def is_open(self) -> bool:
        return self.overall_status in OPEN_STATUSES

    @property
    def content_hash(self) -> str:
        return content_hash(self.raw)


def phase_label(phases) -> str:
    """'Phase 1/2', 'Phase 3', 'Early phase 1', 'Not applicable' or ''."""
    names = [p for p in phases if p in PHASES]
    if not names:
        return ""
    if names == ["NA"]:
        return "Not applicable"
    if names == ["EARLY_PHASE1"]:
        return "Early phase 1"
    numbers = [p.removeprefix("PHASE") for p in names if p.startswith("PHASE")]
    return "Phase " + "/".join(numbers) if numbers else ""


def content_hash(raw: Mapping[str, Any]) -> str:
    data = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# --- small readers that name the field at fault ---------------------------------------


def _get(obj: Mapping[str, Any], path: str, kind: type | tuple[type, ...], where: str) -> Any:
    """obj[path] when it has the right type, None when absent; a wrong type is an error."""
    value = obj.get(path) if isinstance(obj, Mapping) else None
    if value is None:
        return None
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise RecordError(f"{where}.{path}", f"expected {_article(names)}, got {_shown(value)}")
    return value


def _module(p: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return _get(p, name, dict, "protocolSection") or {}


def _text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _get(obj, key, (str, int, float), where)
    return "" if value is None else str(value).strip()


def _strings(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _get(obj, key, list, where) or []
    out = []
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise RecordError(f"{where}.{key}[{i}]", f"expected text, got {_shown(v)}")
        if v.strip():
            out.append(v.strip())
    return tuple(out)


def _objects(obj: Mapping[str, Any], key: str, where: str) -> list[tuple[str, Mapping]]:
    values = _get(obj, key, list, where) or []
    out = []
    for i, v in enumerate(values):
        path = f"{where}.{key}[{i}]"
        if not isinstance(v, dict):
            raise RecordError(path, f"expected an object, got {_shown(v)}")
        out.append((path, v))
    return out


def _date(obj: Mapping[str, Any], key: str, where: str) -> dt.date | None:
    struct = _get(obj, key, (dict, str), where)
    if struct is None:
        return None
    text = struct if isinstance(struct, str) else struct.get("date")
    path = f"{where}.{key}" + ("" if isinstance(struct, str) else ".date")
    if text is None:
        return None
    if not isinstance(text, str):
        raise RecordError(path, f"expected a date, got {_shown(text)}")
    parsed = parse_date(text)
    if parsed is None:
        raise RecordError(path, f"not a date: {text!r}")
    return parsed


def parse_date(text: str) -> dt.date | None:
    """'2024-05-17', '2024-05' (first of the month) or '2024'."""
    text = text.strip()
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        if len(text) == size:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                return None
    return None


def parse_age(text: str | None, where: str) -> float | None:
    """'18 Years', '6 Months', 'N/A' → years (None when there is no limit)."""
    if text is None or not str(text).strip() or str(text).strip().upper() in ("N/A", "NA"):
        return None
    m = _AGE.match(str(text))
    if not m:
        raise RecordError(where, f"not an age like '18 Years': {text!r}")
    unit = m.group("unit").lower().rstrip("s")
    if unit in ("hour", "minute"):
        return 0.0
    return round(float(m.group("n")) * _UNIT_YEARS[unit], 4)


def _float(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RecordError(where, f"not a number: {_shown(value)}") from None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _article(names: str) -> str:
    names = {"dict": "object", "list": "list", "str": "text"}.get(names, names)
    return f"an {names}" if names[:1] in "aeiou" else f"a {names}"


def _shown(value: Any) -> str:
    kind = {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"{kind} {text[:60]}{'…' if len(text) > 60 else ''}"


def _contacts(obj: Mapping[str, Any], key: str, where: str) -> tuple[Contact, ...]:
    out = []
    for path, c in _objects(obj, key, where):
        out.append(
            Contact(
                name=_text(c, "name", path),
                role=_text(c, "role", path),
                phone=" ".join(p for p in (_text(c, "phone", path), _ext(c, path)) if p),
                email=_text(c, "email", path),
            )
        )
    return tuple(out)


def _ext(c: Mapping[str, Any], path: str) -> str:
    ext = _text(c, "phoneExt", path)
    return f"ext. {ext}" if ext else ""


# --- one study --------------------------------------------------------------------------


def parse_study(record: Any, tree: OncoTree | None = None) -> Study:
    """One API v2 study object → Study, or RecordError naming the field at fault."""
    if not isinstance(record, dict):
        raise RecordError("record", f"expected a study object, got {_shown(record)}")
    p = record.get("protocolSection")
    if p is None:
        raise RecordError("protocolSection", "missing: not a ClinicalTrials.gov v2 study")
    if not isinstance(p, dict):
        raise RecordError("protocolSection", f"expected an object, got {_shown(p)}")
    ident = _module(p, "identificationModule")
    nct_id = _text(ident, "nctId", "protocolSection.identificationModule")
    if not nct_id:
        raise RecordError("protocolSection.identificationModule.nctId", "missing")
    if not NCT.match(nct_id):
        raise RecordError(
            "protocolSection.identificationModule.nctId",
            f"not an NCT number like NCT01234567: {nct_id!r}",
        )
    where = "protocolSection.identificationModule"
    title = _text(ident, "briefTitle", where)
    official = _text(ident, "officialTitle", where)
    if not title and not official:
        raise RecordError(f"{where}.briefTitle", "missing (and no officialTitle either)")

    status_mod = _module(p, "statusModule")
    where = "protocolSection.statusModule"
    overall = _text(status_mod, "overallStatus", where).upper()
    if not overall:
        raise RecordError(f"{where}.overallStatus", "missing")
    if overall not in STATUSES:
        raise RecordError(f"{where}.overallStatus", f"not a registry status: {overall!r}")
    last_update = _date(status_mod, "lastUpdatePostDateStruct", where)
    first_posted = _date(status_mod, "studyFirstPostDateStruct", where)

    where = "protocolSection.conditionsModule"
    conditions_mod = _module(p, "conditionsModule")
    conditions = _strings(conditions_mod, "conditions", where)
    keywords = _strings(conditions_mod, "keywords", where)
    mesh = _mesh_terms(record)

    design = _module(p, "designModule")
    where = "protocolSection.designModule"
    phases = tuple(x.upper() for x in _strings(design, "phases", where))
    for i, ph in enumerate(phases):
        if ph not in PHASES:
            raise RecordError(f"{where}.phases[{i}]", f"not a registry phase: {ph!r}")
    enrollment = _float(
        (_get(design, "enrollmentInfo", dict, where) or {}).get("count"),
        f"{where}.enrollmentInfo.count",
    )

    elig = _module(p, "eligibilityModule")
    where = "protocolSection.eligibilityModule"
    sex = (_text(elig, "sex", where) or "ALL").upper()
    if sex not in SEXES:
        raise RecordError(f"{where}.sex", f"expected ALL, FEMALE or MALE, got {sex!r}")
    min_age = parse_age(_text(elig, "minimumAge", where), f"{where}.minimumAge")
    max_age = parse_age(_text(elig, "maximumAge", where), f"{where}.maximumAge")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise RecordError(f"{where}.maximumAge", f"below the minimum age ({max_age} < {min_age})")
    eligibility_text = _get(elig, "eligibilityCriteria", str, where) or ""
    inclusion, exclusion = split_criteria(eligibility_text)

    arms_mod = _module(p, "armsInterventionsModule")
    where = "protocolSection.armsInterventionsModule"
    interventions = tuple(
        Intervention(
            type=_text(i, "type", path),
            name=_text(i, "name", path),
            description=_text(i, "description", path),
            arm_labels=_strings(i, "armGroupLabels", path),
            other_names=_strings(i, "otherNames", path),
        )
        for path, i in _objects(arms_mod, "interventions", where)
    )
    arms = tuple(
        Arm(
            label=_text(a, "label", path),
            type=_text(a, "type", path),
            description=_text(a, "description", path),
            interventions=_strings(a, "interventionNames", path),
        )
        for path, a in _objects(arms_mod, "armGroups", where)
    )

    contacts_mod = _module(p, "contactsLocationsModule")
    where = "protocolSection.contactsLocationsModule"
    sites = tuple(_site(path, loc) for path, loc in _objects(contacts_mod, "locations", where))
    central = _contacts(contacts_mod, "centralContacts", where)

    sponsor_mod = _module(p, "sponsorCollaboratorsModule")
    sponsor = _text(
        _get(sponsor_mod, "leadSponsor", dict, "protocolSection.sponsorCollaboratorsModule") or {},
        "name",
        "protocolSection.sponsorCollaboratorsModule.leadSponsor",
    )
    description = _module(p, "descriptionModule")

    codes = cond.codes_for_all((*conditions, *keywords), tree)
    if not codes:
        codes = cond.codes_for_all(mesh, tree)
    if not codes:
        # A registration whose conditions name no cancer type ("Neoplasms", a drug name)
        # may still say it in its title.
        codes = tuple(dict.fromkeys(c for m in cond.find(title) for c in m.codes))

    return Study(
        nct_id=nct_id,
        title=title or official,
        official_title=official,
        acronym=_text(ident, "acronym", "protocolSection.identificationModule"),
        brief_summary=_text(description, "briefSummary", "protocolSection.descriptionModule"),
        conditions=conditions,
        keywords=keywords,
        mesh_terms=mesh,
        oncotree_codes=codes,
        phases=phases,
        overall_status=overall,
        study_type=_text(design, "studyType", "protocolSection.designModule").upper(),
        sponsor=sponsor,
        enrollment=int(enrollment) if enrollment is not None else None,
        min_age_years=min_age,
        max_age_years=max_age,
        sex=sex,
        healthy_volunteers=_bool(elig.get("healthyVolunteers")),
        interventions=interventions,
        arms=arms,
        sites=sites,
        central_contacts=central,
        last_update=last_update,
        first_posted=first_posted,
        eligibility_text=eligibility_text,
        inclusion=inclusion,
        exclusion=exclusion,
        raw=record,
    )


def _site(path: str, loc: Mapping[str, Any]) -> Site:
    geo = _get(loc, "geoPoint", dict, path) or {}
    lat = _float(geo.get("lat"), f"{path}.geoPoint.lat")
    lon = _float(geo.get("lon"), f"{path}.geoPoint.lon")
    if lat is not None and not -90 <= lat <= 90:
        raise RecordError(f"{path}.geoPoint.lat", f"outside -90..90: {lat}")
    if lon is not None and not -180 <= lon <= 180:
        raise RecordError(f"{path}.geoPoint.lon", f"outside -180..180: {lon}")
    if (lat is None) != (lon is None):
        lat = lon = None  # half a coordinate locates nothing
    return Site(
        facility=_text(loc, "facility", path),
        city=_text(loc, "city", path),
        state=_text(loc, "state", path),
        country=_text(loc, "country", path),
        zip=_text(loc, "zip", path),
        lat=lat,
        lon=lon,
        status=_text(loc, "status", path).upper(),
        contacts=_contacts(loc, "contacts", path),
    )


def _mesh_terms(record: Mapping[str, Any]) -> tuple[str, ...]:
    derived = record.get("derivedSection")
    if not isinstance(derived, dict):
        return ()
    browse = derived.get("conditionBrowseModule")
    if not isinstance(browse, dict) or not isinstance(browse.get("meshes"), list):
        return ()
    return tuple(
        m["term"]
        for m in browse["meshes"]
        if isinstance(m, dict) and isinstance(m.get("term"), str)
    )


# --- documents and files ---------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """The studies of one document (or one API page) and the next page's token."""

    records: list[Any]
    next_page_token: str | None
    total: int | None = None


def records_of(data: Any) -> Page:
    """The study records a document holds: a single study, a list, or a search page."""
    if isinstance(data, list):
        return Page(data, None)
    if isinstance(data, dict):
        if "studies" in data:
            studies = data["studies"]
            if not isinstance(studies, list):
                raise RecordError("studies", f"expected a list, got {_shown(studies)}")
            token = data.get("nextPageToken")
            total = data.get("totalCount")
            return Page(
                studies,
                token if isinstance(token, str) and token else None,
                total if isinstance(total, int) else None,
            )
        if "protocolSection" in data:
            return Page([data], None)
    raise RecordError(
        "document",
        'not ClinicalTrials.gov v2 JSON: expected a study, a list of studies or {"studies": [...]}',
    )


@dataclass(frozen=True)
class Parsed:
    """One record of a file: a Study, or the Problem that refused it."""

    source: str
    position: int | None
    study: Study | None = None
    problem: Problem | None = None


def parse_records(records: list[Any], source: str, tree: OncoTree | None = None):
    """Each record → Parsed (never raises for one bad record)."""
    for i, record in enumerate(records, start=1):
        try:
            yield Parsed(source, i, study=parse_study(record, tree))
        except RecordError as exc:
            yield Parsed(
                source,
                i,
                problem=Problem(source, i, _nct_of(record), exc.field, exc.message),
            )


def _nct_of(record: Any) -> str | None:
    try:
        nct = record["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return nct if isinstance(nct, str) else None


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_file(path: Path, tree: OncoTree | None = None) -> Iterator[Parsed]:
    """Every record of one JSON file; an unreadable file is one Problem."""
    source = path.name
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        yield Parsed(source, None, problem=Problem(source, None, None, "", f"cannot read: {exc}"))
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Parsed(
            source,
            None,
            problem=Problem(
                source,
                None,
                None,
                "",
                f"not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
            ),
        )
        return
    try:
        page = records_of(data)
    except RecordError as exc:
        yield Parsed(source, None, problem=Problem(source, None, None, exc.field, exc.message))
        return
    yield from parse_records(page.records, source, tree)


def json_files(path: Path) -> list[Path]:
    """A file, or the .json files of a directory (sorted, recursively)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.json") if p.is_file())
    return [path]


def read_path(path: Path, tree: OncoTree | None = None) -> Iterator[Parsed]:
    for file in json_files(path):
        yield from read_file(file, tree)
