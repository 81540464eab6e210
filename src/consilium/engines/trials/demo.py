"""The synthetic demo registry (``data/demo_registry.yaml``) rendered as ClinicalTrials.gov
API v2 study records, so the demo and the tests import it like any registry export."""

from __future__ import annotations

from typing import Any

from consilium.engines.trials.vocab import load


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:18]


def demo_records() -> list[dict[str, Any]]:
    data = load("demo_registry")
    cities = data["cities"]
    facilities = data["facilities"]
    updated = data["last_update"]
    out = []
    for n, t in enumerate(data["trials"]):
        lo, hi = (t.get("ages") or [None, None]) + [None] * (2 - len(t.get("ages") or []))
        locations = []
        for i, (key, status) in enumerate(t["sites"]):
            facility, city_key = facilities[key]
            city = cities[city_key]
            locations.append(
                {
                    "facility": facility,
                    "status": status,
                    "city": city["city"],
                    "state": city["state"],
                    "zip": city["zip"],
                    "country": "United States",
                    "contacts": [
                        {
                            "name": "Clinical Trials Office",
                            "role": "CONTACT",
                            "phone": f"555-01{(n * 7 + i) % 100:02d}",
                            "email": f"trials@{_slug(facility)}.example.org",
                        }
                    ],
                    "geoPoint": {"lat": city["lat"], "lon": city["lon"]},
                }
            )
        eligibility: dict[str, Any] = {
            "eligibilityCriteria": t["eligibility"],
            "healthyVolunteers": False,
            "sex": t.get("sex", "ALL"),
        }
        if lo is not None:
            eligibility["minimumAge"] = f"{lo} Years"
        if hi is not None:
            eligibility["maximumAge"] = f"{hi} Years"
        out.append(
            {
                "protocolSection": {
                    "identificationModule": {
                        "nctId": t["nct"],
                        "briefTitle": t["title"],
                        "organization": {"fullName": t["sponsor"], "class": "OTHER"},
                    },
                    "statusModule": {
                        "overallStatus": t["status"],
                        "lastUpdatePostDateStruct": {"date": updated, "type": "ACTUAL"},
                        "studyFirstPostDateStruct": {"date": "2025-01-15", "type": "ACTUAL"},
                    },
                    "sponsorCollaboratorsModule": {
                        "leadSponsor": {"name": t["sponsor"], "class": "OTHER"}
                    },
                    "descriptionModule": {"briefSummary": t["summary"]},
                    "conditionsModule": {
                        "conditions": t["conditions"],
                        "keywords": t.get("keywords", []),
                    },
                    "designModule": {
                        "studyType": "INTERVENTIONAL",
                        "phases": t["phases"],
                        "enrollmentInfo": {"count": 40 + 20 * (n % 9), "type": "ESTIMATED"},
                    },
                    "armsInterventionsModule": {
                        "armGroups": [
                            {
                                "label": label,
                                "type": kind,
                                "interventionNames": [
                                    f"{k.title()}: {name}" for k, name in t["interventions"]
                                ],
                            }
                            for label, kind in t["arms"]
                        ],
                        "interventions": [
                            {
                                "type": kind,
                                "name": name,
                                "armGroupLabels": [a[0] for a in t["arms"]],
                            }
                            for kind, name in t["interventions"]
                        ],
                    },
                    "eligibilityModule": eligibility,
                    "contactsLocationsModule": {
                        "centralContacts": [
                            {
                                "name": f"{t['sponsor']} study team",
                                "role": "CONTACT",
                                "phone": f"555-01{(n * 3) % 100:02d}",
                                "email": f"studies@{_slug(t['sponsor'])}.example.org",
                            }
                        ],
                        "locations": locations,
                    },
                }
            }
        )
    return out
