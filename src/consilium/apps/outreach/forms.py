"""Forms of the outreach pages: they check the shape of what was typed; the rules live in
``outreach.services`` and come back as ``RuleError``."""

from __future__ import annotations

from django import forms

from consilium.apps.outreach.models import OutreachCandidate
from consilium.engines.claims import rules as claims_rules

Status = OutreachCandidate.Status
# "Current" statuses a coordinator filters on; history (superseded) only by scan.
STATUS_FILTERS = [
    (Status.PENDING.value, "Pending"),
    (Status.AUTO_OPENED.value, "Opened automatically"),
    (Status.ACCEPTED.value, "Accepted"),
    (Status.DISMISSED.value, "Dismissed"),
    (Status.CASE_OPEN.value, "Case already open"),
    (Status.NOT_ENROLLED.value, "Not enrolled"),
    ("all", "All"),
]


class CandidateFilter(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS)
    trigger = forms.ChoiceField(required=False, label="Reason")
    group = forms.ChoiceField(required=False, label="Cancer group")
    scan = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        rules = claims_rules.load()
        self.fields["trigger"].choices = [("", "Any reason")] + [
            (name, t.label) for name, t in rules.triggers.items()
        ]
        self.fields["group"].choices = [("", "Any cancer group")] + [
            (g, g.replace("_", " ").capitalize()) for g in groups
        ]

    def status_value(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["status"] or "pending"
        return "pending"

    def filter(self, qs):
        """Current entries with the chosen status, or every entry of one scan."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("scan"):
            qs = qs.filter(scan_id=data["scan"])
            status = data.get("status") or "all"
        else:
            qs = qs.filter(current=True)
            status = data.get("status") or "pending"
        if status != "all":
            qs = qs.filter(status=status)
        if data.get("trigger"):
            qs = qs.filter(trigger_keys__contains=f",{data['trigger']},")
        if data.get("group"):
            qs = qs.filter(cancer_group=data["group"])
        return qs


class DismissForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "Why no outreach, e.g. in hospice care"}),
    )


class RunScanForm(forms.Form):
    delivery = forms.CharField(max_length=200, widget=forms.HiddenInput)
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the latest claim date in the delivery.",
    )


class OutreachSettingsForm(forms.Form):
    auto_open_score = forms.FloatField(
        required=False,
        min_value=0,
        label="Auto-open score",
        help_text="Open a proactive case without a coordinator for enrolled members at or "
        "above this claims score. Empty: the site default.",
    )
