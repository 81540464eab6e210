"""From a scan's output to the coordinators' outreach worklist, as plain data.

- `check_output(OUT)`: the scan's output directory is complete and well formed
  (summary.json, members.parquet, evidence.parquet with their columns and types, row
  counts that agree), or `OutputError` naming every problem.
- `read_findings(output, delivery)`: one `Finding` per qualifying member with the
  evidence of each trigger and the member's demographics from the delivery's
  eligibility file (Tuva column names), chosen from the span covering the as-of date.
- `decide(...)`: what a finding becomes on the worklist given what an earlier scan left
  for the same member (pending, dismissed...), an open case, and the auto-open score.
- `Wording`: each trigger in plain words and the question it puts to the expert, from
  data/outreach.yaml filled with the numbers of rules.yaml.

No Django here: the outreach app persists, authorizes and presents what this returns.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

import duckdb
import ibis
import yaml

from consilium.engines.claims import pipeline as pl
from consilium.engines.claims import rules as rules_mod
from consilium.engines.claims.schema import IBIS_TYPES, DeliveryError, discover

WORDING_FILE = rules_mod.DATA / "outreach.yaml"

# What a scan output file must carry: column -> kind. Kinds are checked against DuckDB's
# type names so a file written by another tool (or edited by hand) is refused clearly.
OUTPUT_COLUMNS = {
    "members.parquet": {
        "person_id": "text",
        "qualifies_by": "text",
        "cancer_group": "text",
        "oncotree_tissue": "text",
        "metastatic": "boolean",
        "first_qualifying_date": "date",
        "triggers": "list",
        "score": "number",
        "enrolled": "boolean",
    },
    "evidence.parquet": {
        "person_id": "text",
        "trigger": "text",
        "claim_id": "text",
        "evidence_date": "date",
        "detail": "text",
    },
}
_NUMBERS = ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT")
_KINDS = {
    "text": lambda t: t == "VARCHAR",
    "boolean": lambda t: t == "BOOLEAN",
    "date": lambda t: t == "DATE" or t.startswith("TIMESTAMP"),
    "list": lambda t: t.endswith("[]"),
    "number": lambda t: t.split("(")[0] in _NUMBERS,
}
_KIND_WORDS = {
    "text": "text",
    "boolean": "true/false",
    "date": "a date",
    "list": "a list",
    "number": "a number",
}
SUMMARY_KEYS = (
    "delivery",
    "delivery_sha256",
    "as_of",
    "rules_version",
    "rows_read",
    "members_qualified",
    "members_enrolled",
    "seconds",
)

# Eligibility columns (Tuva input layer) outreach reads besides the required ones.
CONTACT_TEXT = ("member_id", "first_name", "last_name", "gender", "state", "plan")
CONTACT_EXTRA = ("address", "city", "zip_code", "phone")
SEX_WORDS = {
    "female": "female",
    "f": "female",
    "male": "male",
    "m": "male",
    "other": "other",
    "unknown": "unknown",
    "u": "unknown",
}


class OutputError(Exception):
    """The scan output cannot be imported; `problems` names each reason."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()):
        problems = list(problems)
        super().__init__(message + ("\n  - " + "\n  - ".join(problems) if problems else ""))
        self.message = message
        self.problems = problems


# ---------------------------------------------------------------- checking the output


@dataclass(frozen=True)
class ScanOutput:
    directory: Path
    summary: dict
    as_of: dt.date
    delivery: Path
    delivery_sha256: str


def _describe(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[dict[str, str], int]:
    rows = con.execute("DESCRIBE SELECT * FROM read_parquet($f)", {"f": str(path)}).fetchall()
    columns = {name: str(typ) for name, typ, *_rest in rows}
    n = con.execute("SELECT count(*) FROM read_parquet($f)", {"f": str(path)}).fetchone()[0]
    return columns, int(n)


def check_output(directory: Path) -> ScanOutput:
    """The output of one `claims scan`, checked whole before anything is imported."""
    directory = Path(directory)
    if not directory.is_dir():
        raise OutputError(f"{directory} is not a directory (expected a claims scan's output)")
    problems: list[str] = []
    summary: dict = {}
    path = directory / "summary.json"
    if not path.is_file():
        problems.append(
            "summary.json: missing; the scan did not finish (it is written last), run it again"
        )
    elif path.stat().st_size == 0:
        problems.append("summary.json: the file is empty")
    else:
        try:
            summary = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"summary.json: not readable as JSON ({exc})")
        if summary and not isinstance(summary, dict):
            problems.append("summary.json: expected a JSON object")
            summary = {}
        for key in SUMMARY_KEYS:
            if summary and key not in summary:
                problems.append(f"summary.json: missing key {key}")
    as_of = None
    if summary.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(str(summary["as_of"]))
        except ValueError:
            problems.append(f"summary.json: as_of is not a date: {summary['as_of']!r}")

    con = duckdb.connect()
    counts: dict[str, int] = {}
    try:
        for name, wanted in OUTPUT_COLUMNS.items():
            f = directory / name
            if not f.is_file():
                problems.append(f"{name}: missing")
                continue
            if f.stat().st_size == 0:
                problems.append(f"{name}: the file is empty (0 bytes)")
                continue
            try:
                columns, counts[name] = _describe(con, f)
            except duckdb.Error as exc:
                problems.append(f"{name}: not readable as Parquet ({str(exc).splitlines()[0]})")
                continue
            for col, kind in wanted.items():
                typ = columns.get(col)
                if typ is None:
                    problems.append(f"{name}: missing column {col}")
                elif not _KINDS[kind](typ):
                    problems.append(
                        f"{name}: column {col} has type {typ}, expected {_KIND_WORDS[kind]}"
                    )
        if not problems and "members_qualified" in summary:
            n = counts["members.parquet"]
            if n != summary["members_qualified"]:
                problems.append(
                    f"members.parquet has {n:,} rows but summary.json says "
                    f"{summary['members_qualified']:,} members qualified: the files come from "
                    "different runs, run the scan again"
                )
            enrolled, repeated = con.execute(
                "SELECT count(*) FILTER (WHERE enrolled), count(person_id) - "
                "count(DISTINCT person_id) FROM read_parquet($f)",
                {"f": str(directory / "members.parquet")},
            ).fetchone()
            if repeated:
                problems.append(
                    f"members.parquet: {repeated:,} person_id values appear more than once "
                    "(a scan writes one row per member)"
                )
            if enrolled != summary["members_enrolled"]:
                problems.append(
                    f"members.parquet has {enrolled:,} enrolled members but summary.json says "
                    f"{summary['members_enrolled']:,}: the files come from different runs"
                )
    finally:
        con.close()
    if problems:
        raise OutputError(f"the scan output in {directory} cannot be imported", problems)
    return ScanOutput(
        directory=directory,
        summary=summary,
        as_of=as_of,
        delivery=Path(summary["delivery"]),
        delivery_sha256=str(summary["delivery_sha256"]),
    )


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Evidence:
    trigger: str
    claim_id: str
    date: dt.date | None
    detail: str

    def as_dict(self) -> dict:
        return {
            "trigger": self.trigger,
            "claim_id": self.claim_id,
            "date": self.date.isoformat() if self.date else None,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date | None
    plan: str

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "plan": self.plan,
        }


@dataclass(frozen=True)
class Demographics:
    """What the delivery's eligibility says about the member (empty text: not given)."""

    member_id: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    sex: str = "unknown"
    state: str = ""
    address: str = ""
    city: str = ""
    zip_code: str = ""
    phone: str = ""
    spans: tuple[Span, ...] = ()

    def missing_for_member(self) -> list[str]:
        """The eligibility columns a new member record cannot do without."""
        needs = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birth_date": self.birth_date,
            "state": self.state,
        }
        return [name for name, value in needs.items() if not value]


@dataclass(frozen=True)
class Finding:
    person_id: str
    qualifies_by: str
    cancer_group: str
    oncotree_tissue: str
    metastatic: bool
    first_qualifying_date: dt.date | None
    triggers: tuple[str, ...]
    score: float
    enrolled: bool
    evidence: tuple[Evidence, ...] = ()
    demographics: Demographics = field(default_factory=Demographics)

    @property
    def member_number(self) -> str:
        """The plan's member id (eligibility member_id), else the claims person_id."""
        return self.demographics.member_id or self.person_id

    def fingerprint(self) -> tuple:
        return fingerprint(
            self.triggers,
            self.score,
            self.cancer_group,
            self.metastatic,
            self.enrolled,
            self.evidence,
        )


def fingerprint(triggers, score, cancer_group, metastatic, enrolled, evidence) -> tuple:
    """What makes two scans' findings for a member the same finding (evidence as
    Evidence objects or their dicts, as stored)."""
    rows = [e if isinstance(e, Evidence) else evidence_of(e) for e in evidence]
    return (
        tuple(sorted(triggers)),
        round(float(score), 3),
        cancer_group,
        bool(metastatic),
        bool(enrolled),
        tuple(sorted((e.trigger, e.claim_id, e.date.isoformat() if e.date else "") for e in rows)),
    )


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _base(typ: str) -> str:
    return "DECIMAL" if typ.startswith("DECIMAL") else typ


def _eligibility_rows(delivery: Path, members_file: Path) -> list[dict]:
    """The qualifying members' eligibility rows, coerced the way the scan coerces them
    (pipeline.text / pipeline.as_date), so a date the scan read is read the same here."""
    try:
        source = discover(delivery)["eligibility"]
    except DeliveryError as exc:
        raise OutputError(
            f"the delivery {delivery} (named in summary.json) cannot be read for the members' "
            "demographics; pass the delivery directory if it moved",
            exc.problems or [exc.message],
        ) from exc
    wanted = {
        "person_id",
        "enrollment_start_date",
        "enrollment_end_date",
        "birth_date",
        *CONTACT_TEXT,
        *CONTACT_EXTRA,
    }
    schema = {
        col: IBIS_TYPES[_base(typ)]
        for col, typ in source.columns.items()
        if col in wanted and _base(typ) in IBIS_TYPES
    }
    raw = ibis.table(schema, name="eligibility")
    cols = {
        "person_id": pl.text(raw.person_id),
        "start": pl.as_date(raw.enrollment_start_date),
        "end": pl.as_date(raw.enrollment_end_date),
    }
    if "birth_date" in schema:
        cols["birth_date"] = pl.as_date(raw.birth_date)
    for col in (*CONTACT_TEXT, *CONTACT_EXTRA):
        if col in schema:
            cols[col] = pl.text(raw[col])
    sql = str(ibis.to_sql(raw.select(**cols), dialect="duckdb"))
    files = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in source.paths) + "]"
    reader = (
        f"read_parquet({files})"
        if source.format == "parquet"
        else f"read_csv({files}, header = true, all_varchar = true)"
    )
    con = duckdb.connect()
    try:
        con.execute(f'CREATE VIEW "eligibility" AS SELECT * FROM {reader}')
        cur = con.execute(
            f"SELECT * FROM ({sql}) WHERE person_id IN "
            f"(SELECT person_id FROM read_parquet($m)) ORDER BY person_id, start NULLS LAST",
            {"m": str(members_file)},
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def demographics_by_person(rows: list[dict], as_of: dt.date) -> dict[str, Demographics]:
    """Per person, the details of the span covering the as-of date (the latest such span),
    else of the latest span; every readable span kept for the member's eligibility."""
    by_person: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("person_id"):
            by_person.setdefault(row["person_id"], []).append(row)
    out: dict[str, Demographics] = {}
    for pid, spans in by_person.items():

        def covers(r: dict) -> bool:
            start, end = _date(r.get("start")), _date(r.get("end"))
            return start is not None and start <= as_of and (end is None or end >= as_of)

        def latest(r: dict) -> dt.date:
            return _date(r.get("start")) or dt.date.min

        covering = [r for r in spans if covers(r)]
        best = max(covering or spans, key=latest)
        state = (best.get("state") or "").strip().upper()
        out[pid] = Demographics(
            member_id=(best.get("member_id") or "")[:40],
            first_name=(best.get("first_name") or "")[:100],
            last_name=(best.get("last_name") or "")[:100],
            birth_date=_date(best.get("birth_date")),
            sex=SEX_WORDS.get((best.get("gender") or "").strip().lower(), "unknown"),
            state=state if len(state) == 2 and state.isalpha() else "",
            address=(best.get("address") or "")[:200],
            city=(best.get("city") or "")[:100],
            zip_code=(best.get("zip_code") or "")[:10],
            phone=(best.get("phone") or "")[:30],
            spans=tuple(
                Span(_date(r["start"]), _date(r.get("end")), (r.get("plan") or "")[:100])
                for r in sorted(spans, key=latest)
                if r.get("start") is not None
            ),
        )
    return out


def read_findings(output: ScanOutput, delivery: Path | None = None) -> list[Finding]:
    """Every qualifying member of the output, with evidence and demographics, ordered by
    score (highest first) then person_id, as members.parquet is."""
    out = output.directory
    con = duckdb.connect()
    try:
        members = con.execute(
            "SELECT person_id, qualifies_by, cancer_group, oncotree_tissue, metastatic, "
            "first_qualifying_date, triggers, CAST(score AS DOUBLE), enrolled "
            "FROM read_parquet($f) ORDER BY score DESC, person_id",
            {"f": str(out / "members.parquet")},
        ).fetchall()
        evidence_rows = con.execute(
            "SELECT person_id, trigger, claim_id, evidence_date, detail FROM read_parquet($f) "
            "ORDER BY person_id, trigger, evidence_date, claim_id",
            {"f": str(out / "evidence.parquet")},
        ).fetchall()
    finally:
        con.close()
    evidence: dict[str, list[Evidence]] = {}
    for pid, trigger, claim_id, date, detail in evidence_rows:
        evidence.setdefault(pid, []).append(
            Evidence(trigger, claim_id or "", _date(date), detail or "")
        )
    people = demographics_by_person(
        _eligibility_rows(delivery or output.delivery, out / "members.parquet"), output.as_of
    )
    findings = []
    for pid, by, group, tissue, metastatic, first, triggers, score, enrolled in members:
        if not pid:
            continue
        findings.append(
            Finding(
                person_id=pid,
                qualifies_by=by or "",
                cancer_group=group or "",
                oncotree_tissue=tissue or "",
                metastatic=bool(metastatic),
                first_qualifying_date=_date(first),
                triggers=tuple(sorted(triggers or ())),
                score=float(score or 0.0),
                enrolled=bool(enrolled),
                evidence=tuple(evidence.get(pid, ())),
                demographics=people.get(pid, Demographics()),
            )
        )
    return findings


# ---------------------------------------------------------------- what a finding becomes


class Status(StrEnum):
    PENDING = "pending"  # on the worklist, waiting for a coordinator
    ACCEPTED = "accepted"  # a coordinator opened a proactive case
    DISMISSED = "dismissed"  # a coordinator decided no outreach, with a reason
    AUTO_OPENED = "auto_opened"  # a proactive case opened automatically (score)
    NOT_ENROLLED = "not_enrolled"  # no eligibility covering the as-of date
    CASE_OPEN = "case_open"  # the member already has an open case
    SUPERSEDED = "superseded"  # a later scan's finding replaced this one


@dataclass(frozen=True)
class Prior:
    """The member's current worklist entry from an earlier scan."""

    status: Status
    as_of: dt.date
    triggers: tuple[str, ...]
    fingerprint: tuple
    reason: str = ""


@dataclass(frozen=True)
class Decision:
    status: Status
    change: str  # "new" (no earlier entry), "updated" or "unchanged" (same finding)
    current: bool  # this entry becomes the member's worklist entry
    auto_open: bool  # open a proactive case now (then the status is AUTO_OPENED)
    reason: str
    skipped: str = ""  # why no outreach follows from this scan, for the import's counts


def decide(
    finding: Finding,
    as_of: dt.date,
    prior: Prior | None,
    open_case: str | None,
    auto_open_score: float | None,
) -> Decision:
    """What one scan's finding becomes, given the member's current entry (`prior`), the
    reference of an open case of theirs (`open_case`) and the auto-open threshold."""
    if prior is None:
        change = "new"
    else:
        change = "unchanged" if prior.fingerprint == finding.fingerprint() else "updated"
    if prior is not None and prior.as_of > as_of:
        return Decision(
            Status.SUPERSEDED,
            change,
            False,
            False,
            f"a later scan (as of {prior.as_of.isoformat()}) is the member's current finding",
            skipped="a later scan is current",
        )

    def made(status: Status, reason: str, skipped: str = "", auto: bool = False) -> Decision:
        return Decision(status, change, True, auto, reason, skipped)

    if not finding.enrolled:
        return made(
            Status.NOT_ENROLLED,
            f"not enrolled: no eligibility covers {as_of.isoformat()}",
            "not enrolled",
        )
    if open_case:
        return made(
            Status.CASE_OPEN, f"case {open_case} is open for this member", "case already open"
        )
    if prior is not None and prior.status is Status.DISMISSED:
        new = sorted(set(finding.triggers) - set(prior.triggers))
        if not new:
            return made(
                Status.DISMISSED,
                prior.reason or "dismissed after an earlier scan",
                "dismissed earlier, nothing new",
            )
        reason = "new since it was dismissed: " + ", ".join(new)
    else:
        reason = ""
    if auto_open_score is not None and finding.score >= auto_open_score:
        return made(
            Status.AUTO_OPENED,
            f"score {finding.score:g} is at least the auto-open score {auto_open_score:g}",
            auto=True,
        )
    return made(Status.PENDING, reason)


# ---------------------------------------------------------------- words


@dataclass(frozen=True)
class Reason:
    trigger: str
    label: str
    because: str
    evidence: tuple[Evidence, ...]


class Wording:
    """Each trigger in plain words (label, why it matters) and its question to the
    expert, with the numbers of the rule file filled in."""

    def __init__(self, rules: rules_mod.Rules | None = None, path: Path = WORDING_FILE):
        self.rules = rules or rules_mod.load()
        doc = yaml.safe_load(path.read_text())
        self.version = str(doc["version"])
        entries = doc["triggers"]
        missing = sorted(set(self.rules.triggers) - set(entries))
        if missing:
            raise ValueError(f"{path.name}: no wording for triggers {', '.join(missing)}")
        self.because: dict[str, str] = {}
        self.questions: dict[str, str] = {}
        for name, trigger in self.rules.triggers.items():
            values = {
                "recent_days": self.rules.recent_days,
                "clean_period_days": self.rules.clean_period_days,
                "window_days": self.rules.window_days,
                "paid_threshold": f"{trigger.paid_threshold:,.0f}"
                if trigger.paid_threshold
                else "",
                "groups": _words(trigger.groups),
            }
            try:
                self.because[name] = " ".join(entries[name]["because"].split()).format(**values)
                self.questions[name] = " ".join(entries[name]["question"].split())
            except (KeyError, IndexError) as exc:
                raise ValueError(f"{path.name}: trigger {name}: unknown placeholder {exc}") from exc

    def label(self, trigger: str) -> str:
        t = self.rules.triggers.get(trigger)
        return t.label if t else trigger.replace("_", " ").capitalize()

    def reasons(self, triggers, evidence) -> list[Reason]:
        """The member's triggers in the rule file's order (heaviest first), each with its
        evidence rows (dicts from the database or Evidence objects)."""
        rows = [e if isinstance(e, Evidence) else evidence_of(e) for e in evidence]
        order = sorted(
            triggers,
            key=lambda t: (-self.rules.triggers[t].weight if t in self.rules.triggers else 0, t),
        )
        return [
            Reason(
                trigger=t,
                label=self.label(t),
                because=self.because.get(t, ""),
                evidence=tuple(e for e in rows if e.trigger == t),
            )
            for t in order
        ]

    def case_request(self, finding: Finding, as_of: dt.date, scan_label: str):
        """The clinical summary and questions of the proactive case opened for `finding`."""
        lines = [
            f"Identified from claims ({scan_label}, as of {as_of.isoformat()}): cancer group "
            f"{finding.cancer_group.replace('_', ' ')} ({finding.oncotree_tissue})"
            + (", metastatic" if finding.metastatic else "")
            + f"; score {finding.score:g}.",
            "Why now:",
        ]
        for r in self.reasons(finding.triggers, finding.evidence):
            claims = "; ".join(describe(e) for e in r.evidence[:5])
            more = f"; and {len(r.evidence) - 5} more" if len(r.evidence) > 5 else ""
            lines.append(f"- {r.label}: {r.because} Evidence: {claims}{more}.")
        questions = []
        for r in self.reasons(finding.triggers, ()):
            q = self.questions.get(r.trigger)
            if q and q not in questions:
                questions.append(q)
        return "\n".join(lines), questions


def describe(e: Evidence) -> str:
    """One evidence row in words: which claim, when, and the code when there is one."""
    # High-cost evidence may be a pharmacy claim; the scan prefixes those ids with "rx:".
    rx = e.claim_id.startswith("rx:")
    claim = f"pharmacy claim {e.claim_id[3:]}" if rx else f"claim {e.claim_id}"
    when = e.date.isoformat() if e.date else "no date"
    code = f" ({e.detail})" if e.detail and " " not in e.detail else ""
    return f"{claim} on {when}{code}"


def _words(items) -> str:
    items = [i.replace("_", " ") for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def evidence_of(row: dict) -> Evidence:
    date = row.get("date")
    return Evidence(
        row.get("trigger", ""),
        row.get("claim_id", ""),
        dt.date.fromisoformat(date) if isinstance(date, str) else date,
        row.get("detail", ""),
    )


@cache
def wording() -> Wording:
    return Wording()
