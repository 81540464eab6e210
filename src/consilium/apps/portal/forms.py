"""Forms for the member and physician portals.

They only check what a person typed; the services decide the program's rules (who may
open a case, whether a record is accepted) and audit what happened.
"""

from __future__ import annotations

from django import forms

from consilium.apps.records.models import Document
from consilium.engines.knowledge.cancer_types import common_types, tissues

QUESTION_SLOTS = 5
UNSURE = ""  # "I'm not sure": the case opens without a cancer type; intake fills it in


def cancer_type_choices(unsure_label: str) -> list:
    """The common types grouped by tissue (an <optgroup> each), unsure first."""
    grouped = [
        (tissue, [(t.code, t.name) for t in common_types() if t.tissue == tissue])
        for tissue in tissues()
    ]
    return [(UNSURE, unsure_label), *grouped]


class _CaseRequestFields(forms.Form):
    """What every new case needs, whoever asks: the diagnosis, the questions and the story."""

    cancer_type = forms.ChoiceField(
        label="Type of cancer",
        required=False,
        help_text="Choose the closest match. If you are not sure, the care team will find it "
        "in your records.",
    )
    clinical_summary = forms.CharField(
        label="What is happening now",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    urgent = forms.BooleanField(label="Treatment starts within 2 weeks", required=False)

    unsure_label = "I'm not sure"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancer_type"].choices = cancer_type_choices(self.unsure_label)
        for n in range(1, QUESTION_SLOTS + 1):
            self.fields[f"question_{n}"] = forms.CharField(
                label=f"Question {n}", required=False, max_length=500
            )

    @property
    def question_fields(self) -> list:
        return [self[f"question_{n}"] for n in range(1, QUESTION_SLOTS + 1)]

    def questions(self) -> list[str]:
        return [
            q.strip()
            for n in range(1, QUESTION_SLOTS + 1)
            if (q := self.cleaned_data.get(f"question_{n}") or "").strip()
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.questions():
            # Shown beside the first question box: the review exists to answer them.
            self.add_error("question_1", "Please write at least one question for the expert.")
        return cleaned


class MemberRequestForm(_CaseRequestFields):
    physician_name = forms.CharField(
        label="Your treating doctor's name (optional)",
        required=False,
        max_length=200,
        help_text="The oncologist treating you now. We send them the expert's report if you "
        "agree below.",
    )
    consent_name = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        error_messages={"required": "Please type your full name to sign."},
    )
    consent_expert_review = forms.BooleanField(
        label="I agree to share my medical records with the program's experts for this review.",
        error_messages={"required": "The expert cannot review your case without this consent."},
    )
    consent_share_with_physician = forms.BooleanField(
        label="Send the expert's report to my treating doctor.", required=False
    )
    record = forms.FileField(
        label="A medical record (optional)",
        required=False,
        help_text="A PDF, Word document, text file or picture. You can add more records later "
        "on your case page.",
    )
    record_kind = forms.ChoiceField(
        label="What kind of record is it?",
        choices=Document.Kind.choices,
        initial=Document.Kind.PATHOLOGY,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinical_summary"].help_text = (
            "In your own words: what you were told, what treatment is planned, and anything "
            "else the expert should know."
        )
        self.fields[
            "question_1"
        ].help_text = (
            "For example: Is my diagnosis right? Is the planned treatment the best option for me?"
        )


class PhysicianReferralForm(_CaseRequestFields):
    unsure_label = "Not yet known"

    member_number = forms.CharField(
        label="Plan member number",
        max_length=40,
        help_text="As printed on the patient's insurance card.",
    )
    date_of_birth = forms.DateField(
        label="Patient's date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    pathology = forms.FileField(
        label="Pathology report (optional)",
        required=False,
        help_text="The review cannot start without one; you can also add it later on the "
        "case page.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancer_type"].help_text = "The working diagnosis, if known."
        self.fields["clinical_summary"].label = "Clinical summary"
        self.fields[
            "clinical_summary"
        ].help_text = "Stage, treatment so far and the plan under consideration."
        self.fields["question_1"].help_text = "The questions the expert's report must answer."

    def clean_member_number(self) -> str:
        return self.cleaned_data["member_number"].strip()
