"""The real Pabulib elections the tests count (see data/pabulib/README.md)."""

import os
from pathlib import Path

import pytest

# Four real elections with their official winners: the copy kept with the tests, else PABULIB_DATA or
# the shared data folder of the development machine.
VENDORED = Path(__file__).resolve().parent / "data" / "pabulib"
PABULIB_DATA = VENDORED if VENDORED.is_dir() else Path(os.environ.get("PABULIB_DATA", "/work/shared/data/pabulib"))
MOKOTOW = "Poland_Warszawa_2023_Mokotow.pb"
SWIECIE = "Poland_Swiecie_2023.pb"
ASSEN = "Netherlands_Assen_2024.pb"
TOULOUSE = "France_Toulouse_2022.pb"


def real_file(name: str) -> Path:
    path = PABULIB_DATA / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: set PABULIB_DATA to the folder of the Pabulib files")
        pytest.skip(f"{path} is missing: set PABULIB_DATA to the folder of the Pabulib files")
    return path
