"""One fact of a name per FHIR resource in a case, held by the database.

Two imports of the same resources running at once could each add the facts before: such
duplicates are merged first. The fact kept is the one a person reviewed (the latest
review), else the oldest; the other still-proposed copies are deleted. A second reviewed
copy is kept with its review history, its reference marked as a duplicate, so the new
key holds without losing what a person decided.
"""

from django.db import migrations, models
from django.db.models import Count


def merge_duplicates(apps, schema_editor):
    CaseFact = apps.get_model("preparation", "CaseFact")
    groups = (
        CaseFact.objects.filter(source="fhir")
        .values("case_id", "fhir_reference", "name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for group in groups:
        rows = list(
            CaseFact.objects.filter(
                source="fhir",
                case_id=group["case_id"],
                fhir_reference=group["fhir_reference"],
                name=group["name"],
            ).order_by("pk")
        )
        reviewed = sorted(
            (r for r in rows if r.review_status != "proposed"),
            key=lambda r: (r.reviewed_at is not None, r.reviewed_at, r.pk),
        )
        keep = reviewed[-1] if reviewed else rows[0]
        for row in rows:
            if row.pk == keep.pk:
                continue
            if row.review_status == "proposed":
                row.delete()
            else:
                mark = f" (duplicate {row.pk})"
                row.fhir_reference = row.fhir_reference[: 200 - len(mark)] + mark
                row.save(update_fields=["fhir_reference"])
    if schema_editor.connection.vendor == "postgresql":
        # Deleting fired deferred foreign-key checks; PostgreSQL builds no index on a
        # table with checks still pending in the transaction, so run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("preparation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="casefact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "fhir")),
                fields=("case", "fhir_reference", "name"),
                name="casefact_one_per_fhir_resource_and_name",
            ),
        ),
    ]
