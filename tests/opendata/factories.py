"""Datasets, resources and DataStore rows for the open-data tests."""

import hashlib

import factory
import pandas as pd
from django.core.files.base import ContentFile

from opendata import datastore
from opendata.models import Dataset, Licence, Resource, ResourceVersion, Theme
from tests.factories import PublicBodyFactory


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"dataset-{n}")
    body = factory.SubFactory(PublicBodyFactory)
    title_ar = factory.Sequence(lambda n: f"مجموعة بيانات {n}")
    title_fr = factory.Sequence(lambda n: f"Jeu de données {n}")
    notes_ar = "وصف مجموعة البيانات"
    notes_fr = "Description du jeu de données"
    licence = factory.LazyFunction(lambda: Licence.objects.get(slug="cc-by-4.0"))
    status = Dataset.Status.PUBLISHED
    frequency = Dataset.Frequency.ANNUAL

    @factory.post_generation
    def themes(dataset, create, extracted, **kwargs):
        """`themes=["economy", …]`: theme slugs."""
        if create and extracted:
            dataset.themes.set(Theme.objects.filter(slug__in=extracted))

    @factory.post_generation
    def tags(dataset, create, extracted, **kwargs):
        if create and extracted:
            dataset.tags.add(*extracted)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    dataset = factory.SubFactory(DatasetFactory)
    name_ar = factory.Sequence(lambda n: f"ملف {n}")
    name_fr = factory.Sequence(lambda n: f"Fichier {n}")
    format = "CSV"


def add_file(resource: Resource, content: bytes, filename: str = "data.csv", **fields) -> ResourceVersion:
    """Store `content` as the resource's next version, without validating or loading it."""
    number = (resource.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ResourceVersion(
        resource=resource,
        number=number,
        original_name=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        **fields,
    )
    version.file.save(filename, ContentFile(content), save=False)
    version.save()
    resource.current_version = version
    resource.save(update_fields=["current_version"])
    return version


def loaded_resource(rows: list[dict], schema_fields: list[dict] | None = None, **resource_fields) -> Resource:
    """A CSV resource whose `rows` (dicts of canonical text) are in the DataStore, typed by `schema_fields`."""
    resource = ResourceFactory(**resource_fields)
    frame = pd.DataFrame(rows, dtype=object)
    schema_fields = schema_fields or [{"name": column, "type": "string"} for column in frame.columns]
    content = frame.to_csv(index=False).encode()
    version = add_file(resource, content, status=ResourceVersion.Status.LOADED)
    fields = datastore.make_fields(schema_fields)
    version.rows_loaded = datastore.load(resource, version, fields, [frame])
    version.table_schema = {"fields": schema_fields}
    version.save(update_fields=["rows_loaded", "table_schema"])
    return resource
