"""A small kind of the tests' own, registered like any kind: it reads a JSON listing and one JSON document per
object from a local server and writes districts. The runner, models, network layer and database stay real."""

import pytest
from django.core.exceptions import ValidationError

from harvesters import network
from harvesters.kinds import KINDS
from harvesters.kinds.base import Gathered, Imported, ObjectFailure, SourceFailure, SourceKind
from harvesters.models import HarvestSource
from portal.bodies.models import District
from tests.factories import PublicBodyFactory

from .servers import DROP, Reply

SQUARE = {"type": "Polygon", "coordinates": [[[3.0, 36.0], [3.1, 36.0], [3.1, 36.1], [3.0, 36.1], [3.0, 36.0]]]}


class DistrictsKind(SourceKind):
    name = "test-districts"
    label = "test districts"
    targets = ("districts",)
    imports = 0  # how many times import_object wrote something, across the test

    def gather(self, source, since):
        listing = network.get(source.url + "/list").json()
        if not isinstance(listing, list):
            raise SourceFailure("not a listing")
        for item in listing:
            yield Gathered(item["id"], guid=f"test:{item['id']}", modified=item.get("modified", ""))

    def fetch(self, source, gathered):
        content = network.get(f"{source.url}/items/{gathered.remote_id}").json()
        if "name" not in content:
            raise ObjectFailure(f"{gathered.remote_id} has no name")
        return content

    def import_object(self, source, obj, content):
        if content["name"] == "bad":
            raise ValidationError("the name “bad” is refused")
        type(self).imports += 1
        district = obj.record or District(body=source.body, slug=obj.remote_id)
        outcome = "updated" if district.pk else "created"
        district.name_ar, district.boundary = content["name"], SQUARE
        district.save()
        return Imported(outcome, record=district)

    def withdraw(self, source, obj):
        district = obj.record
        district.name_fr = "withdrawn"
        district.save()


class Remote:
    """The remote system: objects by id, and how it misbehaves."""

    def __init__(self, count: int):
        self.items = {f"d{number}": {"name": f"حي {number}"} for number in range(count)}
        self.die_after = None  # fetches answered before the server drops every connection
        self.listing_failure = None  # a Reply for the listing instead of the real one
        self.fetches = 0

    def __call__(self, request):
        if request.path == "/list":
            if self.listing_failure is not None:
                return self.listing_failure
            return Reply.json([{"id": key} for key in self.items])
        self.fetches += 1
        if self.die_after is not None and self.fetches > self.die_after:
            return DROP
        return Reply.json(self.items[request.path.rsplit("/", 1)[-1]])


@pytest.fixture
def kind():
    KINDS[DistrictsKind.name] = DistrictsKind()
    DistrictsKind.imports = 0
    yield KINDS[DistrictsKind.name]
    del KINDS[DistrictsKind.name]


@pytest.fixture
def remote(serve, kind):
    remote = Remote(6)
    remote.server = serve(remote)
    return remote


def make_source(remote, **fields) -> HarvestSource:
    values = {"slug": "districts", "name": "Districts", "kind": DistrictsKind.name, "target": "districts"}
    values.setdefault("body", PublicBodyFactory())
    return HarvestSource.objects.create(url=remote.server.url, **{**values, **fields})
