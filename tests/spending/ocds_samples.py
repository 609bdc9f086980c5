"""Small OCDS documents the contract tests build their files from: one tender, its award and its contract."""

import copy

OCID = "ocds-b5fd17-2026-001"


def tender_release(**changes) -> dict:
    release = {
        "ocid": OCID,
        "id": f"{OCID}-tender",
        "date": "2026-02-01T09:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": {"id": "DZ-COMMUNE", "name": "بلدية الاختبار"},
        "tender": {
            "id": "T-1",
            "title": "Réfection de la voirie du quartier El Nour",
            "status": "active",
            "procurementMethod": "open",
            "value": {"amount": 12500000.50, "currency": "DZD"},
            "tenderPeriod": {"startDate": "2026-02-01T09:00:00Z", "endDate": "2026-03-01T17:00:00Z"},
        },
    }
    release.update(changes)
    return release


def award_release(**changes) -> dict:
    release = {
        "ocid": OCID,
        "id": f"{OCID}-award",
        "date": "2026-04-10T10:00:00Z",
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "parties": [
            {
                "id": "DZ-NIF-000123456789012",
                "name": "Sarl Travaux Publics Amal",
                "identifier": {"scheme": "DZ-NIF", "id": "000123456789012"},
                "roles": ["supplier"],
            }
        ],
        "tender": {"id": "T-1", "status": "complete"},
        "awards": [
            {
                "id": "A-1",
                "title": "Lot unique",
                "status": "active",
                "date": "2026-04-10T10:00:00Z",
                "value": {"amount": 11980000.25, "currency": "DZD"},
                "suppliers": [{"id": "DZ-NIF-000123456789012", "name": "Sarl Travaux Publics Amal"}],
            }
        ],
        "contracts": [
            {
                "id": "C-1",
                "awardID": "A-1",
                "status": "active",
                "dateSigned": "2026-04-20T00:00:00Z",
                "value": {"amount": 11980000.25, "currency": "DZD"},
                "amendments": [{"id": "AM-1", "date": "2026-06-01T00:00:00Z", "rationale": "Délai prolongé"}],
                "implementation": {
                    "transactions": [
                        {"id": "TX-1", "date": "2026-07-01T00:00:00Z", "value": {"amount": 3000000, "currency": "DZD"}}
                    ]
                },
            }
        ],
    }
    release.update(changes)
    return release


def release_package(*releases, version="1.1") -> dict:
    return {
        "uri": "https://example.org/ocds/package.json",
        "version": version,
        "publishedDate": "2026-08-01T00:00:00Z",
        "publisher": {"name": "Commune de Test"},
        "releases": [copy.deepcopy(release) for release in releases],
    }
