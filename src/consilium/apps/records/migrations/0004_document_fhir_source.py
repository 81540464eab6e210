"""Records from a FHIR import get a database key (case, resource and attachment): the
key is filled from the metadata earlier imports wrote; should a case hold the same
attachment twice (possible only before imports took turns), the oldest record keeps the
key and the later one keeps its metadata without it."""

import hashlib

from django.db import migrations, models

# As consilium.apps.preparation.fhir.stored_reference when this migration was written
# (a migration keeps its own copy: later code must not change what it did).
REFERENCE_LENGTH = 200


def _stored_reference(reference: str) -> str:
    if len(reference) <= REFERENCE_LENGTH:
        return reference
    digest = hashlib.sha256(reference.encode()).hexdigest()[:40]
    return f"{reference[: REFERENCE_LENGTH - 49]}…#sha256:{digest}"


def fill_keys(apps, schema_editor):
    Document = apps.get_model("records", "Document")
    seen: set[tuple[int, str]] = set()
    for doc in Document.objects.order_by("pk").only("pk", "case_id", "metadata").iterator():
        reference = (doc.metadata or {}).get("fhir")
        if not isinstance(reference, str) or not reference:
            continue
        key = f"{_stored_reference(reference)}#{(doc.metadata or {}).get('fhir_attachment', 0)}"
        if (doc.case_id, key) in seen:
            continue
        seen.add((doc.case_id, key))
        Document.objects.filter(pk=doc.pk).update(fhir_source=key)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_document_tiff_and_ocr_text_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="fhir_source",
            field=models.CharField(blank=True, default="", max_length=220),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(
                condition=models.Q(("fhir_source", ""), _negated=True),
                fields=("case", "fhir_source"),
                name="document_one_per_fhir_attachment",
            ),
        ),
    ]
