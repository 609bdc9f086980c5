"""OCDS packages harvested into the body's contracting processes through the OCDS import."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from harvesters.kinds import KINDS
from harvesters.kinds.base import ObjectFailure
from harvesters.models import HarvestObject, HarvestSource
from opendata.spending.models import ContractingProcess

from .servers import Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ocds"
KIND = KINDS["ocds"]


@pytest.fixture
def remote(serve):
    return serve(
        {
            "/releases.json": Reply((FIXTURES / "releases.json").read_bytes()),
            "/not-ocds.json": Reply(b'{"datasets": []}'),
            "/broken.json": Reply(b'{"releases": [', content_type="application/json"),
        }
    )


def source_of(body, url: str, **fields) -> HarvestSource:
    fields.setdefault("slug", "ocds")
    return HarvestSource._default_manager.create(
        kind="ocds", name="Marchés publics", body=body, url=url, target="contracts", **fields
    )


def harvest_one(source: HarvestSource):
    [item] = KIND.gather(source, "")
    obj, _created = HarvestObject.objects.get_or_create(source=source, remote_id=item.remote_id, guid=item.guid)
    result = KIND.import_object(source, obj, KIND.fetch(source, item))
    obj.content_hash = "imported"
    obj.save()
    return result


@pytest.mark.django_db
class OcdsTestCase:
    def test_a_release_package_becomes_one_contracting_process_and_again_changes_nothing(self, remote, commune):
        source = source_of(commune, f"{remote.url}/releases.json")
        KIND.check(source)
        first = harvest_one(source)
        assert (first.outcome, first.created, first.errors) == ("created", 1, [])
        process = ContractingProcess.objects.get()
        assert (process.body, process.title) == (commune, "تهيئة طريق حي النور")
        again = harvest_one(source)
        assert (again.outcome, again.unchanged) == ("unchanged", 1)

    def test_what_is_not_ocds_fails_the_object_and_changes_nothing(self, remote, commune):
        for path, message in (("/not-ocds.json", "not an OCDS release"), ("/broken.json", "not valid JSON")):
            with pytest.raises(ObjectFailure, match=message):
                harvest_one(source_of(commune, f"{remote.url}{path}", slug=path.strip("/.")))
        assert not ContractingProcess.objects.exists()

    def test_contracts_have_no_drafts_and_a_package_is_at_an_address(self, commune):
        with pytest.raises(ValidationError) as error:
            KIND.check(source_of(commune, "https://example.org/ocds.json", publish=False))
        assert "publish" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            KIND.check(source_of(commune, "", slug="nowhere"))
        assert "url" in error.value.message_dict

    def test_a_package_gone_withdraws_nothing(self, remote, commune):
        source = source_of(commune, f"{remote.url}/releases.json")
        harvest_one(source)
        KIND.withdraw(source, HarvestObject.objects.get(source=source))
        assert ContractingProcess.objects.count() == 1


@pytest.mark.django_db
class OcdsHarvestTestCase:
    def test_a_package_is_harvested_once_and_a_second_run_writes_nothing(self, remote, commune):
        from harvesters.models import HarvestJob
        from harvesters.runner import run_harvest

        source = source_of(commune, f"{remote.url}/releases.json")
        job = run_harvest(source)
        assert (job.status, job.created, job.failed) == (HarvestJob.Status.FINISHED, 1, 0)
        modified = ContractingProcess.objects.get().updated_at
        second = run_harvest(source)
        assert (second.created, second.unchanged) == (0, 1)
        assert ContractingProcess.objects.get().updated_at == modified
