"""The worklist's select renders like Django's: options, optgroups, the chosen value."""

from django import forms

from consilium.apps.web.widgets import FastSelect

CHOICES = [("", "Any"), ("Lung", [("LUAD", "Lung Adenocarcinoma"), ("LUSC", "Lung <Squamous>")])]


def test_same_options_and_groups_as_djangos_select():
    ours = FastSelect(choices=CHOICES).render("cancer", "LUAD", {"id": "id_cancer"})
    assert '<optgroup label="Lung">' in ours
    assert '<option value="LUAD" selected>Lung Adenocarcinoma</option>' in ours
    assert "Lung &lt;Squamous&gt;" in ours  # labels are escaped
    django_values = forms.Select(choices=CHOICES).render("cancer", "LUAD")
    for value in ("", "LUAD", "LUSC"):
        assert f'value="{value}"' in ours and f'value="{value}"' in django_values
