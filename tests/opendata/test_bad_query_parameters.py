"""Malformed, huge and odd query parameters get a 4xx answer from every public door, never a server error."""

import json

import pytest

from tests.opendata.factories import DatasetFactory, loaded_resource

pytestmark = pytest.mark.django_db

FQS = [
    "metadata_modified:[0001-01-01T00:00:00+05:00 TO *]",
    "metadata_modified:[9999-12-31T23:59:59-14:00 TO *]",
    "name:a " * 700,
    "(" * 19 + "name:a" + ")" * 19,
    "name:a OR " * 600 + "name:b",
    "-" * 4000 + "name:a",
    "id:*",
    "organization:\\",
]


@pytest.mark.parametrize("fq", FQS)
def test_package_search_fq(client, commune, fq):
    DatasetFactory(body=commune, name="a")
    r = client.get("/api/3/action/package_search", {"fq": fq})
    assert r.status_code != 500


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a " * 100},
        {"sort": "name asc, " * 200 + "name asc"},
        {"facet.field": json.dumps(["tags"] * 500)},
        {"start": "2147483647"},
    ],
)
def test_package_search_parameters(client, commune, params):
    DatasetFactory(body=commune, name="a")
    r = client.get("/api/3/action/package_search", params)
    assert r.status_code != 500


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/datasets/?q=" + "a%20" * 60,
        "/api/v1/datasets/?page=99999999999999999999",
        "/api/v1/datasets/?page=%C2%B2",
        "/download/{r}/v99999999999999999999/",
        "/api/v1/datasets/?page_size=abc",
        "/api/v1/datasets/?page_size=99999999999999999999999",
        "/api/v1/datasets/?q=%00",
        "/api/v1/datasets/?tag=%00",
        "/fr/data/?q=%00",
        "/fr/data/?tag=%00",
        "/fr/data/?page=99999999999999999999",
        "/catalog.ttl?page=99999999999999999999999",
        "/catalog?page=1%0d%0aX:1",
        "/api/v1/resources/{r}/rows/?offset=99999999999999999999",
        "/api/v1/resources/{r}/rows/?filters=%7B%22amount%22%3A%221e999999%22%7D",
        "/api/v1/resources/{r}/rows/?filter_amount=1e999999",
        "/api/v1/resources/{r}/rows/?filter_amount=NaN",
        "/api/v1/resources/{r}/rows/?filter_amount=Infinity",
        "/api/v1/resources/{r}/rows/?filter_day=9999-99-99",
        "/api/v1/resources/{r}/rows/?q=%00",
        "/api/v1/resources/{r}/rows/?sort=%00",
        "/api/v1/resources/{r}/rows/?fields=%00",
        "/api/v1/resources/{r}/rows/?filters=%5B%5D",
        "/api/v1/resources/{r}/rows/?filters=" + "%5B" * 100000,
        "/download/{r}/rows.csv?filters=" + "%5B" * 100000,
        "/download/{r}/rows.csv?filter_amount=1e999999",
        "/download/{r}/rows.xlsx?filter_amount=1e999999",
        "/download/{r}/rows.csv?filter_amount=Infinity",
        "/download/{r}/rows.csv?sort=amount%20desc",
        "/download/{r}/rows.csv?q=%00",
        "/download/{r}/rows.xlsx?q=%00",
        "/download/{r}/rows.csv?filter_city=%00",
        "/download/{r}/rows.csv?filters=%7B%22city%22%3Anull%7D",
        "/download/{r}/rows.csv?filters=%7B%22city%22%3A%5B%5D%7D",
        "/download/{r}/rows.csv?filters=%7B%22day%22%3A1%7D",
        "/download/{r}/rows.csv?filter_day=%EF%BC%91",
        "/download/{r}/rows.xlsx?filter_day=2024-01-01",
        "/fr/data/d/resources/{r}/?filter.amount=1e999999",
        "/fr/data/d/resources/{r}/?filter.amount=Infinity",
        "/fr/data/d/resources/{r}/?filter.amount=NaN",
        "/fr/data/d/resources/{r}/?x=city&y=amount&filter.amount=NaN",
        "/fr/data/d/resources/{r}/?q=%00",
        "/fr/data/d/resources/{r}/?filter.city=%00",
        "/fr/data/d/resources/{r}/?sort=%00",
        "/fr/data/d/resources/{r}/?x=%00",
        "/fr/data/d/resources/{r}/?page=-1",
    ],
)
def test_public_addresses(client, commune, path):
    ds = DatasetFactory(body=commune, name="d")
    r = loaded_resource(
        [{"city": "Blida", "amount": "12.5", "day": "2024-01-01"}],
        [{"name": "city", "type": "string"}, {"name": "amount", "type": "number"}, {"name": "day", "type": "date"}],
        dataset=ds,
    )
    resp = client.get(path.replace("{r}", str(r.uuid)))
    if resp.streaming:  # a streamed body fails while it is read
        b"".join(resp.streaming_content)
    assert resp.status_code != 500


@pytest.mark.parametrize(
    "params",
    [
        {"resource_id": "{r}", "filters": {"amount": "1e999999"}},
        {"resource_id": "{r}", "filters": {"amount": ["1"] * 40000}},
        {"resource_id": "{r}", "filters": {"amount": "Infinity"}},
        {"resource_id": "{r}", "filters": {"day": "+002024-01-01"}},
        {"resource_id": "{r}", "q": {"city": "x"}, "sort": "city desc"},
        {"resource_id": "{r}", "fields": ["_id"]},
        {"resource_id": "{r}", "limit": 0},
    ],
)
def test_datastore_search(client, commune, params):
    ds = DatasetFactory(body=commune, name="d")
    r = loaded_resource(
        [{"city": "Blida", "amount": "12.5", "day": "2024-01-01"}],
        [{"name": "city", "type": "string"}, {"name": "amount", "type": "number"}, {"name": "day", "type": "date"}],
        dataset=ds,
    )
    params = {**params, "resource_id": str(r.uuid)}
    resp = client.post("/api/3/action/datastore_search", json.dumps(params), content_type="application/json")
    assert resp.status_code != 500
