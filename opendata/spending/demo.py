"""Demo spending data: the public contracts of the communes of Blida (DZD) and Salé (MAD), from OCDS files.

`demo_data/contracts-<body slug>.json` are OCDS 1.1 release packages (amounts written as text, as some
systems write them), imported with `import_contracts` as `manage.py import_contracts` would: a second run
changes nothing.
"""

from pathlib import Path

from portal.bodies.models import PublicBody

from .ocds import import_contracts

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"


def load(stdout) -> None:
    load_contracts(stdout)


def load_contracts(stdout) -> None:
    for path in sorted(DEMO_DATA.glob("contracts-*.json")):
        body = PublicBody.objects.get(slug=path.stem.removeprefix("contracts-"))
        report = import_contracts(path, body=body)
        stdout.write(f"  contracts of {body.slug}: {report.summary()}")
