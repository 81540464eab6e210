"""Forms of the registry pages: the search filters and the import upload."""

from __future__ import annotations

from django import forms

from consilium.apps.cases.forms import cancer_type_choices
from consilium.apps.web.widgets import FastSelect
from consilium.engines.trials.ctgov import STATUSES

STATUS_LABELS = {s: s.replace("_", " ").capitalize() for s in STATUSES}
OPEN = "open"


class RegistryFilter(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "NCT number, title, condition, drug, sponsor"}
        ),
    )
    cancer = forms.ChoiceField(required=False, label="Cancer type", widget=FastSelect)
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            (OPEN, "Open to patients"),
            *[(s, STATUS_LABELS[s]) for s in STATUSES[:9]],
        ],
        widget=FastSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cancer"].choices = cancer_type_choices("Any cancer type")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="ClinicalTrials.gov JSON",
        help_text='One study, a list of studies or a search page ({"studies": [...]}), '
        "as the API v2 returns them.",
    )
