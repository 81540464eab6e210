"""The claims pipeline as Ibis expressions, written once, compiled for DuckDB or Spark.

Layers, as in the Tuva Project:
- input: the delivery's columns coerced to types; each row either clean or carrying the
  reason it goes to quarantine.
- core: normalized claim lines in the look-back period: ICD-10-CM codes upper case without
  dots, the diagnosis columns unpivoted to one row per code, procedure and drug events.
- marts: qualification, cancer group, triggers with evidence, score.

Expressions are built on unbound tables (`ibis.table(schema, name)`) so the same
expression compiles to either engine's SQL; the runner (engines.py) registers the tables
under those names and materializes the stages it names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from consilium.engines.claims.rules import Rules
from consilium.engines.claims.schema import DIAGNOSIS_COLUMNS

CLAIM_TYPES = ("institutional", "professional")
NULL_TEXT = ibis.null("string")


@dataclass(frozen=True)
class Period:
    as_of: dt.date
    window_start: dt.date
    recent_start: dt.date
    lookback_start: dt.date  # first day any rule looks at

    @classmethod
    def of(cls, as_of: dt.date, rules: Rules) -> Period:
        day = dt.timedelta(days=1)
        return cls(
            as_of=as_of,
            window_start=as_of - (rules.window_days - 1) * day,
            recent_start=as_of - (rules.recent_days - 1) * day,
            lookback_start=as_of - (rules.lookback_days - 1) * day,
        )


# ---------------------------------------------------------------- input: coercion


def text(col: ir.Value) -> ir.StringValue:
    """Ids and codes as trimmed text; empty text is missing."""
    s = col.cast("string").strip()
    return s.nullif("")


def _str(col: ir.Value) -> ir.StringValue:
    return col if col.type().is_string() else col.cast("string")


def blank(col: ir.Value) -> ir.BooleanValue:
    """Missing or only spaces: the same as ``text(col).isnull()`` but never null and with
    one trim, for filters that test every line."""
    return col.isnull() | (_str(col).strip() == "")


def code(col: ir.Value) -> ir.StringValue:
    """A code trimmed and upper case, empty text kept as '' (it matches no code list):
    the cheap form for tests on every line; ``text`` is for the columns kept."""
    return _str(col).strip().upper()


def as_date(col: ir.Value) -> ir.DateValue:
    """Dates, timestamps, or text as YYYY-MM-DD (optionally with a time) or YYYYMMDD.
    Text is gated by pattern before the cast because engines disagree on partial dates
    (Spark reads '2024-05' as 2024-05-01, DuckDB refuses it)."""
    if col.type().is_date():
        return col
    if col.type().is_timestamp():
        return col.date()
    # The common case first: exactly YYYY-MM-DD, digits at both ends (so trimming would
    # change nothing), costs a few character tests and one cast. Every other shape goes
    # the long way; both ways give the same answer for the rows the first takes
    # (tests/claims/test_date_reading.py checks it).
    raw = _str(col)
    fast = ibis.ifelse(
        (raw.length() == 10)
        & (raw.substr(4, 1) == "-")
        & (raw.substr(7, 1) == "-")
        & raw.substr(0, 1).between("0", "9")
        & raw.substr(9, 1).between("0", "9"),
        raw,
        NULL_TEXT,
    ).try_cast("date")
    return ibis.coalesce(fast, date_text(col))


def date_text(col: ir.Value) -> ir.DateValue:
    """Text as YYYY-MM-DD (optionally with a time after a space or T) or YYYYMMDD."""
    s = text(col)
    n = s.length()
    # Cheap shape checks first (regular expressions on every row cost more than the rest
    # of the input layer); the cast then rejects non-digits and impossible dates.
    dashes = (s.substr(4, 1) == "-") & (s.substr(7, 1) == "-")
    iso = ibis.cases(
        ((n == 10) & dashes, s),
        ((n > 10) & dashes & s.substr(10, 1).isin([" ", "T"]), s.substr(0, 10)),
        (
            (n == 8) & s.re_search(r"^[0-9]{8}$"),
            s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2),
        ),
        else_=NULL_TEXT,
    )
    return iso.try_cast("date")


def as_number(col: ir.Value) -> ir.FloatingValue:
    if col.type().is_numeric():
        return col.cast("float64")
    s = text(col)
    return ibis.ifelse(
        s.re_search(r"^-?[0-9]+(\.[0-9]+)?$"), s.try_cast("float64"), ibis.null("float64")
    )


def icd(col: ir.Value) -> ir.StringValue:
    """ICD-10-CM codes are compared without dots and in upper case."""
    return text(col).upper().replace(".", "")


def _reason(checks: list[tuple[ir.BooleanValue, str, ir.Value]]):
    """The first failing check names the reason; the offending value goes along."""
    reason = ibis.cases(*[(bad, name) for bad, name, _v in checks], else_=NULL_TEXT)
    value = ibis.cases(*[(bad, v.cast("string")) for bad, _n, v in checks], else_=NULL_TEXT)
    # A plain OR to filter on: much cheaper than testing the CASE for null on every row.
    # Every check is written to be true or false, never null, so the OR needs no
    # COALESCE, which would stop the engine from evaluating it lazily row by row.
    any_bad = ibis.or_(*[bad for bad, _n, _v in checks])
    return reason, value, any_bad


def _medical_checks(raw: ir.Table, claim_id: bool = True):
    """The quarantine checks on medical lines, in order. `claim_id=False` leaves out the
    empty claim_id check: claim ids are long unique strings, and reading them for every
    line costs as much as the rest of the scan, so that check runs on the lines the
    rules keep (medical_input on the kept lines) and not on lines no rule reads."""
    start = as_date(raw.claim_start_date)
    paid = as_number(raw.paid_amount)
    ctype = text(raw.claim_type).lower()
    pid, cid = text(raw.person_id), text(raw.claim_id)
    # Each check is written to run cheaply on every line: the exact value first, the
    # normalized one only when the exact one does not already pass.
    raw_type = raw.claim_type
    checks = [
        (blank(raw.person_id), "empty person_id", raw.person_id),
        *([(blank(raw.claim_id), "empty claim_id", raw.claim_id)] if claim_id else []),
        (raw.claim_start_date.isnull(), "missing claim_start_date", raw.claim_start_date),
        (start.isnull(), "unparseable claim_start_date", raw.claim_start_date),
        (raw.paid_amount.notnull() & paid.isnull(), "unparseable paid_amount", raw.paid_amount),
        (
            raw_type.isnull()
            | (~_str(raw_type).isin(CLAIM_TYPES) & ~code(raw_type).lower().isin(CLAIM_TYPES)),
            "unknown claim_type",
            raw.claim_type,
        ),
    ]
    return checks, start, paid, ctype, pid, cid


def medical_clean_rows(raw: ir.Table, start: dt.date, end: dt.date) -> ir.Table:
    """Raw lines that are clean and dated start..end. Filters on the raw columns so the
    engine drops the other lines before building the typed projection."""
    checks, claim_date, *_rest = _medical_checks(raw, claim_id=False)
    _r, _v, bad = _reason(checks)
    return raw.filter(~bad & claim_date.between(start, end))


def medical_input(raw: ir.Table) -> ir.Table:
    checks, start, paid, ctype, pid, cid = _medical_checks(raw)
    reason, value, any_bad = _reason(checks)
    dx = [c for c in DIAGNOSIS_COLUMNS if c in raw.columns]
    return raw.select(
        bad=any_bad,
        reason=reason,
        bad_value=value,
        claim_id=cid,
        claim_line_number=text(raw.claim_line_number),
        person_id=pid,
        claim_type=ctype,
        claim_start_date=start,
        bill_type_code=text(raw.bill_type_code),
        hcpcs_code=text(raw.hcpcs_code).upper(),
        paid_amount=paid,
        **{c: icd(raw[c]) for c in dx},
    )


def pharmacy_input(raw: ir.Table) -> ir.Table:
    disp = as_date(raw.dispensing_date)
    paid = as_number(raw.paid_amount)
    pid, cid = text(raw.person_id), text(raw.claim_id)
    reason, value, any_bad = _reason(
        [
            (pid.isnull(), "empty person_id", raw.person_id),
            (cid.isnull(), "empty claim_id", raw.claim_id),
            (raw.dispensing_date.isnull(), "missing dispensing_date", raw.dispensing_date),
            (disp.isnull(), "unparseable dispensing_date", raw.dispensing_date),
            (raw.paid_amount.notnull() & paid.isnull(), "unparseable paid_amount", raw.paid_amount),
        ]
    )
    line = text(raw.claim_line_number) if "claim_line_number" in raw.columns else NULL_TEXT
    return raw.select(
        bad=any_bad,
        reason=reason,
        bad_value=value,
        claim_id=cid,
        claim_line_number=line,
        person_id=pid,
        dispensing_date=disp,
        # 11-digit NDC without dashes; the first 9 digits are labeler + product.
        ndc_code=text(raw.ndc_code).replace("-", ""),
        paid_amount=paid,
    )


def eligibility_input(raw: ir.Table) -> ir.Table:
    start, end = as_date(raw.enrollment_start_date), as_date(raw.enrollment_end_date)
    pid = text(raw.person_id)
    reason, value, any_bad = _reason(
        [
            (pid.isnull(), "empty person_id", raw.person_id),
            (start.isnull(), "unparseable enrollment_start_date", raw.enrollment_start_date),
            # An empty end date is an open span; a present but unreadable one is bad.
            (
                text(raw.enrollment_end_date).notnull() & end.isnull(),
                "unparseable enrollment_end_date",
                raw.enrollment_end_date,
            ),
        ]
    )
    return raw.select(
        bad=any_bad,
        reason=reason,
        bad_value=value,
        person_id=pid,
        enrollment_start_date=start,
        enrollment_end_date=end,
    )


def quarantine(file: str, t: ir.Table) -> ir.Table:
    bad = t.filter(t.reason.notnull())
    return bad.select(
        file=ibis.literal(file),
        claim_id=bad.claim_id if "claim_id" in bad.columns else NULL_TEXT,
        claim_line_number=(
            bad.claim_line_number if "claim_line_number" in bad.columns else NULL_TEXT
        ),
        person_id=bad.person_id,
        reason=bad.reason,
        value=bad.bad_value,
    )


# ---------------------------------------------------------------- core


def _shape(code: ir.StringValue, sample: str) -> ir.BooleanValue:
    """`code` has the shape of `sample`: same length, the same letters where it has
    letters, digits at its ends where it has digits. Cheap substring tests instead of a
    regular expression per row (the shape is what keeps '0500T' out of 0001U-0999U)."""
    cond = code.length() == len(sample)
    for i, ch in enumerate(sample):
        if not ch.isdigit():
            cond &= code.substr(i, 1) == ch
        elif i in (0, len(sample) - 1):
            cond &= code.substr(i, 1).between("0", "9")
    return cond


def _in_ranges(code: ir.StringValue, rules: Rules, lists: tuple[str, ...]) -> ir.BooleanValue:
    by_shape: dict[str, list] = {}
    for lst in lists:
        for r in rules.hcpcs[lst]:
            by_shape.setdefault(r.pattern, []).append(r)
    parts = [
        _shape(code, ranges[0].code_from)
        & ibis.or_(*[code.between(r.code_from, r.code_to) for r in ranges])
        for ranges in by_shape.values()
    ]
    return ibis.or_(*parts) if parts else ibis.literal(False)


def _is_cancer_code(code: ir.StringValue, rules: Rules) -> ir.BooleanValue:
    return code.startswith(rules.code_prefix) & ~code.substr(0, 3).isin(rules.excluded_categories)


def medical_kept(raw: ir.Table, rules: Rules, p: Period) -> ir.Table:
    """One pass over the medical lines keeps what every later step needs: the bad rows
    (for quarantine) and the clean lines in the look-back period that carry a cancer
    diagnosis or a procedure code of interest. The test runs on the raw columns, so the
    typed, normalized projection is built only for the lines kept (a few percent)."""
    checks, start, *_rest = _medical_checks(raw, claim_id=False)
    _r, _v, bad = _reason(checks)
    dx = [c for c in DIAGNOSIS_COLUMNS if c in raw.columns]
    # Most lines carry no cancer code. A cheap test on the raw text (does the letter
    # appear at all?) goes first, so the normalized test runs only where it can succeed.
    # No COALESCE around these: a filter treats null as false, and a plain AND/OR tree
    # lets the engine skip the later branches for rows already decided.
    prefix = rules.code_prefix
    has_cancer = ibis.or_(
        *[
            _str(raw[c]).upper().contains(prefix.upper())
            & _is_cancer_code(code(raw[c]).replace(".", ""), rules)
            for c in dx
        ]
    )
    has_proc = _in_ranges(code(raw.hcpcs_code), rules, tuple(rules.hcpcs))
    # The code tests first: they drop most lines, so the date is parsed again only for
    # the few percent left (an engine evaluates a filter's AND from the left).
    keep = bad | ((has_cancer | has_proc) & start.between(p.lookback_start, p.as_of))
    med = medical_input(raw.filter(keep))
    inpatient = (med.claim_type == rules.inpatient_claim_type) & ibis.or_(
        *[med.bill_type_code.startswith(b) for b in rules.inpatient_bill_type_prefixes]
    ).fill_null(False)
    cancer = ibis.or_(*[_is_cancer_code(med[c], rules) for c in dx]).fill_null(False)
    return med.mutate(inpatient=inpatient, cancer_line=cancer)


def diagnoses(kept: ir.Table, rules: Rules) -> ir.Table:
    """Core: one row per (line, cancer code), diagnosis columns unpivoted."""
    dx = [c for c in DIAGNOSIS_COLUMNS if c in kept.columns]
    lines = kept.filter(kept.reason.isnull() & kept.cancer_line)
    long = lines.select(
        "person_id",
        "claim_id",
        "claim_start_date",
        "inpatient",
        code=ibis.array([lines[c] for c in dx]).unnest(),
    )
    long = long.filter(long.code.notnull() & _is_cancer_code(long.code, rules))
    groups = {cat: g for cat, (g, _t) in rules.categories.items()}
    tissues = {cat: t for cat, (_g, t) in rules.categories.items()}
    cat = long.code.substr(0, 3)
    return long.mutate(
        category=cat,
        cancer_group=cat.substitute(groups, else_="other"),
        oncotree_tissue=cat.substitute(tissues, else_="Other"),
        metastatic_code=cat.isin(rules.metastatic_categories),
        primary_code=~cat.isin(rules.group_excluded_categories),
    ).distinct()


def events(kept: ir.Table, pharmacy: ir.Table | None, rules: Rules, p: Period) -> ir.Table:
    """Core: procedure and drug events named by code list (person, claim, date, list)."""
    lines = kept.filter(kept.reason.isnull())
    parts = []
    for lst in rules.hcpcs:
        hit = lines.filter(_in_ranges(lines.hcpcs_code, rules, (lst,)))
        parts.append(
            hit.select(
                "person_id",
                "claim_id",
                event_date=hit.claim_start_date,
                code=hit.hcpcs_code,
                kind=ibis.literal(lst),
            )
        )
    if pharmacy is not None:
        ph = pharmacy.filter(
            pharmacy.reason.isnull() & pharmacy.dispensing_date.between(p.lookback_start, p.as_of)
        )
        for lst, products in rules.ndc.items():
            hit = ph.filter(ph.ndc_code.substr(0, 9).isin(products))
            parts.append(
                hit.select(
                    "person_id",
                    "claim_id",
                    event_date=hit.dispensing_date,
                    code=hit.ndc_code,
                    kind=ibis.literal(lst),
                )
            )
    return ibis.union(*parts, distinct=True)


# ---------------------------------------------------------------- marts


def qualification(dx: ir.Table, rules: Rules, p: Period) -> ir.Table:
    w = dx.filter(dx.claim_start_date.between(p.window_start, p.as_of))
    # A claim qualifies when any of its lines does; it is inpatient when its lines say so.
    claims = w.group_by("person_id", "claim_id").aggregate(
        claim_date=w.claim_start_date.min(), inpatient=w.inpatient.any()
    )
    per = claims.group_by("person_id").aggregate(
        inpatient_claims=claims.inpatient.cast("int64").sum(),
        outpatient_dates=claims.claim_date.nunique(where=~claims.inpatient),
        first_qualifying_date=claims.claim_date.min(),
    )
    ok = (per.inpatient_claims >= rules.min_inpatient_claims) | (
        per.outpatient_dates >= rules.min_outpatient_dates
    )
    return per.filter(ok).select(
        "person_id",
        "first_qualifying_date",
        qualifies_by=ibis.ifelse(
            per.inpatient_claims >= rules.min_inpatient_claims, "inpatient", "outpatient"
        ),
    )


def _top(t: ir.Table, keys: list[str]) -> ir.Table:
    """Per person, the row with the most distinct dates; ties to the most recent date,
    then to the name (so the answer never depends on the engine)."""
    ranked = t.mutate(
        rank=ibis.row_number().over(
            group_by="person_id",
            order_by=[ibis.desc("dates"), ibis.desc("last_date"), *keys],
        )
    )
    return ranked.filter(ranked["rank"] == 0)


def cancer_group(dx: ir.Table, p: Period) -> ir.Table:
    w = dx.filter(dx.claim_start_date.between(p.window_start, p.as_of) & dx.primary_code)
    by_group = w.group_by("person_id", "cancer_group").aggregate(
        dates=w.claim_start_date.nunique(), last_date=w.claim_start_date.max()
    )
    group = _top(by_group, ["cancer_group"]).select("person_id", "cancer_group")
    wg = w.semi_join(group, ["person_id", "cancer_group"])
    by_tissue = wg.group_by("person_id", "oncotree_tissue").aggregate(
        dates=wg.claim_start_date.nunique(), last_date=wg.claim_start_date.max()
    )
    tissue = _top(by_tissue, ["oncotree_tissue"]).select("person_id", "oncotree_tissue")
    return group.join(tissue, "person_id")


def _evidence(t: ir.Table, trigger: str, date_col: str, detail: ir.Value) -> ir.Table:
    return t.select(
        "person_id",
        trigger=ibis.literal(trigger),
        claim_id=t.claim_id,
        evidence_date=t[date_col],
        detail=detail.cast("string"),
    )


def _started(ev: ir.Table, rules: Rules, p: Period) -> ir.Table:
    """Events whose person's first event falls in the recent days with no event of the
    same kind in the clean period before it: the rows on that first date."""
    recent = ev.filter(ev.event_date >= p.recent_start)
    first = recent.group_by("person_id").aggregate(first_date=recent.event_date.min())
    earlier = ev.filter(ev.event_date < p.recent_start)
    before = earlier.group_by("person_id").aggregate(last_before=earlier.event_date.max())
    j = first.left_join(before, "person_id").select(
        "first_date", "last_before", person_id=first.person_id
    )
    clean = j.filter(
        j.last_before.isnull()
        | (j.first_date.delta(j.last_before, unit="day") > rules.clean_period_days)
    )
    return ev.join(
        clean, (ev.person_id == clean.person_id) & (ev.event_date == clean.first_date)
    ).select(ev.person_id, ev.claim_id, ev.event_date, ev.code)


def _latest(t: ir.Table, date_col: str) -> ir.Table:
    ranked = t.mutate(
        rank=ibis.row_number().over(
            group_by="person_id", order_by=[ibis.desc(date_col), "claim_id"]
        )
    )
    return ranked.filter(ranked["rank"] == 0).drop("rank")


def triggers(
    dx: ir.Table,
    ev: ir.Table,
    qualified: ir.Table,
    groups: ir.Table,
    recent_paid: ir.Table,
    rules: Rules,
    p: Period,
) -> ir.Table:
    """Evidence rows (person_id, trigger, claim_id, evidence_date, detail) for qualifying
    members: a trigger fired for a member when it has at least one evidence row."""
    T = rules.triggers
    who = qualified.select("person_id")
    dx = dx.semi_join(who, "person_id")
    ev = ev.semi_join(who, "person_id")
    window = dx.claim_start_date.between(p.window_start, p.as_of)
    out = []

    # new diagnosis: first cancer claim in the recent days, none in the clean period before
    diag = dx.select("person_id", "claim_id", event_date=dx.claim_start_date, code=dx.code)
    new = _started(diag, rules, p)
    out.append(_evidence(new, "new_diagnosis", "event_date", new.code))

    met = dx.filter(window & dx.metastatic_code)
    out.append(_evidence(met, "metastatic", "claim_start_date", met.code))

    systemic_kinds = [*T["systemic_therapy_started"].hcpcs_lists]
    if T["systemic_therapy_started"].ndc_list:
        systemic_kinds.append(T["systemic_therapy_started"].ndc_list)
    systemic = ev.filter(ev.kind.isin(systemic_kinds))
    started = _started(systemic, rules, p)
    out.append(_evidence(started, "systemic_therapy_started", "event_date", started.code))

    radiation = ev.filter(ev.kind.isin(T["radiation_started"].hcpcs_lists))
    rstarted = _started(radiation, rules, p)
    out.append(_evidence(rstarted, "radiation_started", "event_date", rstarted.code))

    surgery = ev.filter(
        ev.kind.isin(T["major_surgery"].hcpcs_lists) & (ev.event_date >= p.recent_start)
    )
    out.append(_evidence(surgery, "major_surgery", "event_date", surgery.code))

    # high cost: paid in the recent days over the threshold; evidence is the costliest claim
    threshold = T["high_cost"].paid_threshold
    per_claim = recent_paid.group_by("person_id", "claim_id").aggregate(
        paid=recent_paid.paid_amount.sum(), event_date=recent_paid.event_date.min()
    )
    totals = per_claim.group_by("person_id").aggregate(total=per_claim.paid.sum())
    costly = totals.filter(totals.total > threshold)
    top_claim = per_claim.mutate(
        rank=ibis.row_number().over(group_by="person_id", order_by=[ibis.desc("paid"), "claim_id"])
    )
    top_claim = top_claim.filter(top_claim["rank"] == 0)
    hc = top_claim.join(costly, "person_id").select(
        top_claim.person_id, top_claim.claim_id, top_claim.event_date, costly.total
    )
    detail = "paid " + hc.total.round(0).cast("int64").cast("string") + " in recent days"
    out.append(_evidence(hc, "high_cost", "event_date", detail))

    # rare cancer: evidence is the latest claim of the member's group
    rare_members = groups.filter(groups.cancer_group.isin(T["rare_cancer"].groups))
    rare_dx = dx.filter(window).semi_join(rare_members, ["person_id", "cancer_group"])
    rare = _latest(
        rare_dx.select("person_id", "claim_id", "claim_start_date", "cancer_group"),
        "claim_start_date",
    )
    out.append(_evidence(rare, "rare_cancer", "claim_start_date", rare.cancer_group))

    # biomarker testing missing: advanced (metastatic or on systemic therapy) in the
    # listed groups with no molecular pathology claim in the window
    in_window_ev = ev.filter(ev.event_date >= p.window_start)
    advanced = ibis.union(
        met.select("person_id", "claim_id", event_date=met.claim_start_date),
        in_window_ev.filter(in_window_ev.kind.isin(systemic_kinds)).select(
            "person_id", "claim_id", "event_date"
        ),
    )
    listed = groups.filter(groups.cancer_group.isin(T["biomarker_testing_missing"].groups))
    tested = in_window_ev.filter(in_window_ev.kind.isin(T["biomarker_testing_missing"].hcpcs_lists))
    missing = _latest(
        advanced.semi_join(listed, "person_id").anti_join(tested, "person_id"), "event_date"
    )
    out.append(
        _evidence(
            missing,
            "biomarker_testing_missing",
            "event_date",
            ibis.literal("no molecular pathology claim in the window"),
        )
    )
    return ibis.union(*out, distinct=True)


def members(
    qualified: ir.Table,
    groups: ir.Table,
    dx: ir.Table,
    evidence: ir.Table,
    eligibility: ir.Table,
    rules: Rules,
    p: Period,
) -> ir.Table:
    w = dx.filter(dx.claim_start_date.between(p.window_start, p.as_of))
    metastatic = w.filter(w.metastatic_code).select("person_id").distinct().mutate(metastatic=True)
    weights = {name: t.weight for name, t in rules.triggers.items()}
    fired = evidence.select("person_id", "trigger").distinct()
    scored = fired.group_by("person_id").aggregate(
        triggers=fired.trigger.collect().sort(),
        score=fired.trigger.substitute(weights, else_=0.0).cast("float64").sum().cast("float64"),
    )
    el = eligibility.filter(eligibility.reason.isnull())
    covering = el.filter(
        (el.enrollment_start_date <= p.as_of)
        & (el.enrollment_end_date.isnull() | (el.enrollment_end_date >= p.as_of))
    )
    enrolled = covering.select("person_id").distinct().mutate(enrolled=True)

    m = qualified
    m = m.left_join(groups, "person_id").drop("person_id_right")
    m = m.left_join(metastatic, "person_id").drop("person_id_right")
    m = m.left_join(scored, "person_id").drop("person_id_right")
    m = m.left_join(enrolled, "person_id").drop("person_id_right")
    return m.select(
        "person_id",
        "qualifies_by",
        cancer_group=m.cancer_group.fill_null(rules.unknown_group),
        oncotree_tissue=m.oncotree_tissue.fill_null(rules.unknown_tissue),
        metastatic=m.metastatic.fill_null(False),
        first_qualifying_date=m.first_qualifying_date,
        triggers=m.triggers,
        score=m.score.fill_null(0.0).cast("float64"),
        enrolled=m.enrolled.fill_null(False),
    )


def recent_paid(
    raw_medical: ir.Table, pharmacy: ir.Table | None, candidates: ir.Table, p: Period
) -> ir.Table:
    """Paid amounts in the recent days for the qualifying members only (a second, narrow
    pass: the semi-join keeps the per-claim sums small)."""
    m = medical_input(medical_clean_rows(raw_medical, p.recent_start, p.as_of))
    parts = [
        m.semi_join(candidates, "person_id").select(
            "person_id",
            "claim_id",
            event_date=m.claim_start_date,
            paid_amount=m.paid_amount.fill_null(0.0),
        )
    ]
    if pharmacy is not None:
        ph = pharmacy.filter(
            pharmacy.reason.isnull() & pharmacy.dispensing_date.between(p.recent_start, p.as_of)
        )
        parts.append(
            ph.semi_join(candidates, "person_id").select(
                "person_id",
                # Pharmacy and medical claim ids live in different spaces.
                claim_id="rx:" + ph.claim_id,
                event_date=ph.dispensing_date,
                paid_amount=ph.paid_amount.fill_null(0.0),
            )
        )
    return ibis.union(*parts, distinct=False)


def latest_date(raw_medical: ir.Table, pharmacy: ir.Table | None) -> ir.Table:
    """The default as-of date: the latest claim date in the delivery (clean rows)."""
    checks, claim_date, *_rest = _medical_checks(raw_medical, claim_id=False)
    _r, _v, bad = _reason(checks)
    m = raw_medical.filter(~bad).aggregate(d=claim_date.max())
    if pharmacy is None:
        return m
    rx = pharmacy.filter(pharmacy.reason.isnull())
    ph = rx.aggregate(d=rx.dispensing_date.max())
    u = ibis.union(m, ph)
    return u.aggregate(d=u.d.max())
