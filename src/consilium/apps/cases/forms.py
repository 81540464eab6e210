"""Forms for the coordinator's worklist, opening and editing a case, and intake steps.

Forms only check the shape of what was typed; the rules (who may, in which state) live
in ``cases.services`` and come back as ``RuleError``.
"""

from __future__ import annotations

from itertools import groupby

from django import forms

from consilium.apps.cases.models import Case, Consent
from consilium.apps.people.models import Expert, Member, Physician
from consilium.apps.web.widgets import FastSelect
from consilium.engines.casework.lifecycle import Status
from consilium.engines.knowledge.cancer_types import common_types


def cancer_type_choices(blank: str = "Not known yet") -> list:
    """OncoTree types grouped by tissue, for a <select> with optgroups."""
    ordered = sorted(common_types(), key=lambda t: (t.tissue, t.name))
    groups = [
        (tissue, [(t.code, f"{t.name} ({t.code})") for t in types])
        for tissue, types in groupby(ordered, key=lambda t: t.tissue)
    ]
    return [("", blank), *groups]


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class WorklistFilter(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Reference, member name or number"}
        ),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Case.STATUS_CHOICES], widget=FastSelect
    )
    cancer = forms.ChoiceField(required=False, label="Cancer type", widget=FastSelect)
    origin = forms.ChoiceField(
        required=False, choices=[("", "Any origin"), *Case.Origin.choices], widget=FastSelect
    )
    expert = forms.ChoiceField(required=False, widget=FastSelect)
    overdue = forms.BooleanField(required=False, label="Overdue only")
    urgent = forms.BooleanField(required=False, label="Urgent only")

    UNASSIGNED = "none"

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancer"].choices = cancer_type_choices("Any cancer type")
        self.fields["expert"].choices = [
            ("", "Any expert"),
            (self.UNASSIGNED, "Not assigned"),
            *[(str(e.pk), e.user.display_name) for e in experts],
        ]

    def filter(self, qs):
        """Apply the valid filters to ``qs`` (invalid values are ignored, not fatal)."""
        from django.db.models import Q
        from django.utils import timezone

        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if term := data["q"].strip():
            by_term = (
                Q(member__last_name__icontains=term)
                | Q(member__first_name__icontains=term)
                | Q(member__member_number__iexact=term)
            )
            ref = term.upper().removeprefix("CR-").lstrip("0")
            if ref.isdigit():
                by_term |= Q(pk=int(ref))
            parts = term.split()
            if len(parts) >= 2:  # "Maria Lopez"
                by_term |= Q(
                    member__first_name__icontains=parts[0], member__last_name__icontains=parts[-1]
                )
            qs = qs.filter(by_term)
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["cancer"]:
            qs = qs.filter(cancer_type_code=data["cancer"])
        if data["origin"]:
            qs = qs.filter(origin=data["origin"])
        if data["expert"] == self.UNASSIGNED:
            qs = qs.filter(expert__isnull=True)
        elif data["expert"]:
            qs = qs.filter(expert_id=int(data["expert"]))
        if data["overdue"]:
            qs = qs.overdue(timezone.localdate())
        if data["urgent"]:
            qs = qs.filter(urgent=True)
        return qs


ON_BEHALF_ORIGINS = [
    (Case.Origin.PROACTIVE.value, "Proactive: we reached out (e.g. from claims)"),
    (Case.Origin.MEMBER_REQUEST.value, "On behalf of the member (e.g. a phone request)"),
    (Case.Origin.PHYSICIAN_REFERRAL.value, "On behalf of the treating physician"),
]


class PhysicianField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Physician) -> str:
        where = ", ".join(p for p in (obj.practice, obj.state) if p)
        return f"{obj.name} ({where})" if where else obj.name


class CaseDetailsMixin(forms.Form):
    cancer_type_code = forms.ChoiceField(required=False, label="Cancer type")
    questions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The questions the expert should answer, one per line.",
    )
    physician = PhysicianField(
        Physician.objects.all(),
        required=False,
        label="Treating physician",
        empty_label="None on file",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancer_type_code"].choices = cancer_type_choices()

    def clean_questions(self) -> list[str]:
        return split_lines(self.cleaned_data["questions"])


class OpenCaseForm(CaseDetailsMixin):
    member_number = forms.CharField(
        label="Member number",
        max_length=40,
        help_text="The plan's member id. Search by name below if you do not have it.",
    )
    origin = forms.ChoiceField(
        choices=ON_BEHALF_ORIGINS, widget=forms.RadioSelect, initial=Case.Origin.PROACTIVE.value
    )
    clinical_summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What we know so far: diagnosis, treatment so far, why a review now.",
    )
    urgent = forms.BooleanField(required=False, label="Urgent (treatment decision within days)")

    field_order = [
        "member_number",
        "origin",
        "cancer_type_code",
        "questions",
        "clinical_summary",
        "physician",
        "urgent",
    ]

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_member_number(self) -> Member:
        number = self.cleaned_data["member_number"].strip()
        member = Member.objects.filter(program=self.program, member_number__iexact=number).first()
        if member is None:
            raise forms.ValidationError(f"No member with number {number} in your program.")
        return member


class EditCaseForm(CaseDetailsMixin):
    pass


class ConsentForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        choices=Consent.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one thing to consent to."},
        label="Consent to",
    )
    signed_by_name = forms.CharField(max_length=200, label="Full name")
    method = forms.ChoiceField(
        required=False,
        choices=[
            (Consent.Method.PAPER.value, Consent.Method.PAPER.label),
            (Consent.Method.VERBAL.value, Consent.Method.VERBAL.label),
        ],
        widget=forms.RadioSelect,
    )


class RevokeConsentForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000)


class TransitionForm(forms.Form):
    name = forms.CharField(max_length=40)
    reason = forms.CharField(required=False, max_length=2000)


class AssignForm(forms.Form):
    expert = forms.ModelChoiceField(
        Expert.objects.filter(active=True).select_related("user"),
        error_messages={
            "required": "Choose an expert.",
            "invalid_choice": "That expert is not taking cases.",
        },
    )


# Statuses an expert's open load counts: assigned and not yet signed.
OPEN_LOAD_STATUSES = [
    s.value for s in (Status.REQUESTED, Status.INTAKE, Status.READY_FOR_REVIEW, Status.IN_REVIEW)
]
