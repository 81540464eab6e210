"""The record upload form. The file's type, size and content are checked by the records
service (by content, not by name); the form only asks for the pieces."""

from __future__ import annotations

from django import forms

from consilium.apps.records.models import Document


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Choose the kind of record…"), *Document.Kind.choices],
        label="Kind of record",
        error_messages={"required": "Choose the kind of record."},
    )
    title = forms.CharField(
        required=False, max_length=200, help_text="Optional, e.g. “Core biopsy, March 2025”."
    )
    # Empty files pass here so the service gives its own reason ("... is empty").
    file = forms.FileField(
        allow_empty_file=True, error_messages={"required": "Choose a file to upload."}
    )
