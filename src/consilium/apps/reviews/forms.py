"""The expert's opinion form: structured assessments, an answer per case question, the
narrative, the member's plain-language summary and recommendation rows.

Drafts may be partial, so nothing here is required; completeness is a lifecycle guard
checked when the opinion is signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms

from consilium.apps.reviews.models import Opinion, Recommendation
from consilium.apps.reviews.services import OpinionDraft

MIN_ROWS = 5
MAX_ROWS = 50
_ROW_KEY = re.compile(r"^rec-(\d+)-(kind|text|rationale)$")


class OpinionForm(forms.Form):
    diagnosis_assessment = forms.ChoiceField(
        choices=Opinion.Diagnosis.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Diagnosis",
    )
    diagnosis_comment = forms.CharField(
        required=False, label="Comment on the diagnosis", widget=forms.Textarea(attrs={"rows": 3})
    )
    treatment_assessment = forms.ChoiceField(
        choices=Opinion.Treatment.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Treatment plan",
    )
    treatment_comment = forms.CharField(
        required=False,
        label="Comment on the treatment plan",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    discrepancy = forms.ChoiceField(
        choices=Opinion.Discrepancy.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Discrepancy with the original plan",
    )
    narrative = forms.CharField(
        required=False,
        label="Opinion for the treating physician",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    member_summary = forms.CharField(
        required=False,
        label="Summary for the member, in plain language",
        help_text="Short sentences, no jargon: the member reads this in their summary.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for i, question in enumerate(self.questions):
            self.fields[f"answer_{i}"] = forms.CharField(
                required=False, label=question, widget=forms.Textarea(attrs={"rows": 3})
            )

    @property
    def answer_fields(self):
        return [self[f"answer_{i}"] for i in range(len(self.questions))]

    @classmethod
    def initial_from(cls, opinion: Opinion | None, questions) -> dict:
        if opinion is None:
            return {}
        initial = {
            name: getattr(opinion, name)
            for name in (
                "diagnosis_assessment",
                "diagnosis_comment",
                "treatment_assessment",
                "treatment_comment",
                "discrepancy",
                "narrative",
                "member_summary",
            )
        }
        by_question = {a.get("question"): a.get("answer", "") for a in opinion.answers or []}
        for i, question in enumerate(questions):
            initial[f"answer_{i}"] = by_question.get(question, "")
        return initial

    def draft(self, recommendations: list[dict]) -> OpinionDraft:
        data = self.cleaned_data
        return OpinionDraft(
            diagnosis_assessment=data["diagnosis_assessment"],
            diagnosis_comment=data["diagnosis_comment"],
            treatment_assessment=data["treatment_assessment"],
            treatment_comment=data["treatment_comment"],
            discrepancy=data["discrepancy"],
            narrative=data["narrative"],
            member_summary=data["member_summary"],
            answers=[data[f"answer_{i}"] for i in range(len(self.questions))],
            recommendations=recommendations,
        )


@dataclass
class RecRow:
    index: int
    kind: str = ""
    text: str = ""
    rationale: str = ""
    error: str = ""

    @property
    def blank(self) -> bool:
        return not self.text.strip() and not self.rationale.strip()


KIND_CHOICES = Recommendation.Kind.choices


def rows_from_post(data) -> list[RecRow]:
    indices = sorted({int(m.group(1)) for key in data if (m := _ROW_KEY.match(key))})
    rows = [
        RecRow(
            i,
            data.get(f"rec-{i}-kind", ""),
            data.get(f"rec-{i}-text", ""),
            data.get(f"rec-{i}-rationale", ""),
        )
        for i in indices[:MAX_ROWS]
    ]
    return pad(rows)


def rows_from_opinion(opinion: Opinion | None) -> list[RecRow]:
    recs = list(opinion.recommendations.all()) if opinion else []
    rows = [RecRow(i, r.kind, r.text, r.rationale) for i, r in enumerate(recs)]
    return pad(rows, extra=2 if rows else 0)


def pad(rows: list[RecRow], extra: int = 0) -> list[RecRow]:
    """At least MIN_ROWS rows, plus ``extra`` blank ones to add to."""
    wanted = max(MIN_ROWS, len(rows) + extra)
    start = (rows[-1].index + 1) if rows else 0
    return rows + [RecRow(start + n) for n in range(wanted - len(rows))]


def clean_rows(rows: list[RecRow]) -> list[dict]:
    """The filled rows as the service wants them; blank rows are ignored. Sets ``error``
    on a row that cannot be saved (the caller checks ``any(r.error ...)``)."""
    kinds = {k for k, _ in KIND_CHOICES}
    out = []
    for row in rows:
        if row.blank:
            continue
        if not row.text.strip():
            row.error = "Write the recommendation itself, not only its rationale."
        elif row.kind not in kinds:
            row.error = "Choose what kind of recommendation this is."
        else:
            out.append({"kind": row.kind, "text": row.text, "rationale": row.rationale})
    return out


class AddendumForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Addendum",
        error_messages={"required": "The addendum is empty."},
    )
