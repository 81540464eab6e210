import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DemoSeed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seed", models.PositiveIntegerField()),
                (
                    "version",
                    models.PositiveSmallIntegerField(help_text="The generator's SEED_VERSION."),
                ),
                ("cases", models.PositiveIntegerField()),
                ("seeded_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("logins", models.JSONField(default=list)),
                (
                    "program",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="demo_seed",
                        to="accounts.program",
                    ),
                ),
            ],
        ),
    ]
