"""What the dataset kinds (CKAN, DCAT) share: a DatasetRecord written through opendata.importing, and withdrawn."""

from typing import TYPE_CHECKING

from opendata.importing import DatasetRecord, DatasetRefused, import_dataset, withdraw_dataset
from opendata.models import Dataset

from .base import Imported, ObjectFailure

if TYPE_CHECKING:
    from ..models import HarvestObject, HarvestSource


def import_record(source: "HarvestSource", obj: "HarvestObject", record: DatasetRecord) -> Imported:
    """Create or update the dataset of `obj`; what the record had to leave out comes back as warnings."""
    dataset = obj.record if isinstance(obj.record, Dataset) else None
    try:
        saved, outcome = import_dataset(
            record,
            body=source.body,
            dataset=dataset,
            publish=source.publish,
            republish=obj.state == obj.State.WITHDRAWN,  # withdrawn by the harvest, not by staff
        )
    except DatasetRefused as refused:
        raise ObjectFailure(str(refused)) from None
    return Imported(outcome=outcome, record=saved, warnings=list(record.problems))


def withdraw_record(obj: "HarvestObject") -> None:
    if isinstance(obj.record, Dataset):
        withdraw_dataset(obj.record)
