"""The catalogue's REST API (/api/v1/): datasets, resources and their DataStore rows, licences, themes, bodies.

It is built on the portal's REST core (portal.api): public and read-only, one pagination style (count, next,
previous, results), RFC 9457 problems for errors. Datasets are found by the catalogue's own search
(opendata.catalogue.search_datasets) with the listing page's parameter names (q, body, theme, format,
licence, tag, sort), so /api/v1/datasets/?theme=economy lists what /data/?theme=economy shows.

Records carry UUIDs as ids (a dataset is also named by its `name`, as on its page and in CKAN), ISO 8601
timestamps, and translated text three ways: the value in the language asked for (`?language=`, else
Accept-Language) with fallbacks, the language that value is in, and every translation.

Requests are throttled per IP address at the rate `api` (portal.ratelimits); a 429 says when to retry (Retry-After).
"""

import uuid

from django.conf import settings
from django.db import DataError, transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.utils.urls import remove_query_param, replace_query_param

from portal.api import (
    PROBLEM_RESPONSES,
    JSONOnly,
    PagePagination,
    PublicReadOnlyViewSet,
    check_language_parameter,
    positive_integer_parameter,
)
from portal.bodies.models import PublicBody
from portal.forms import declared_parameters
from portal.ratelimits import RateThrottle

from . import datastore
from .catalogue import CatalogueQueryError, DatasetSearch, published_datasets, search_datasets, with_related
from .ckan.schema import MAX_INTEGER
from .dcat import Uris, media_type_of
from .downloads import query_arguments
from .forms import FACET_PARAMS
from .models import Dataset, Licence, Resource, Theme

NULLABLE_URI = serializers.URLField(allow_null=True)

# `sort` values → a `package_search` sort; the first is the default.
SORTS = {
    "modified": "metadata_modified desc",
    "title": "title_string asc",
    "name": "name asc",
    "created": "metadata_created desc",
}
ROWS_DEFAULT_LIMIT = 100
# Rows per page of /rows/: a page of a million-row table must stay one quick response; the streamed
# downloads (/download/<uuid>/rows.csv) are there for whole tables.
ROWS_MAX_LIMIT = 1000
LANGUAGES = [code for code, _name in settings.LANGUAGES]


# Errors ------------------------------------------------------------------------------------


class BadQuery(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("This query can't be answered.")
    default_code = "bad_query"


# Translated fields ----------------------------------------------------------------------------------


class TranslationsSerializer(serializers.Serializer):
    """A text in each language that has it, for the schema."""

    ar = serializers.CharField(required=False)
    fr = serializers.CharField(required=False)
    en = serializers.CharField(required=False)


@extend_schema_field(TranslationsSerializer)
class TranslationsField(serializers.Field):
    """`{language: text}` for the languages that have a value of `<field>_<language>`."""

    def __init__(self, field: str, **kwargs):
        self.translated = field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return {code: value for code in LANGUAGES if (value := getattr(instance, f"{self.translated}_{code}", ""))}


@extend_schema_field({"type": "string", "description": "A language code: " + ", ".join(LANGUAGES) + "."})
class LanguageField(serializers.Field):
    """The language of the value given for a translated field (after fallbacks)."""

    def __init__(self, field: str, **kwargs):
        self.translated = field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return getattr(type(instance), self.translated).language_of(instance)


def translated_fields(field: str, name: str | None = None) -> dict:
    name = name or field
    return {
        name: serializers.CharField(
            read_only=True,
            help_text="In the language asked for, or the next.",
            **({"source": field} if field != name else {}),
        ),
        f"{name}_language": LanguageField(field),
        f"{name}_translated": TranslationsField(field),
    }


class TranslatedSerializer(serializers.Serializer):
    """A serializer whose `translated = {"name in the API": "model field"}` get the three forms."""

    translated: dict[str, str] = {}

    def get_fields(self):
        fields = super().get_fields()
        for name, field in self.translated.items():
            fields.update(translated_fields(field, name))
        return fields


# Serializers ----------------------------------------------------------------------------------------


class LicenceSerializer(TranslatedSerializer):
    translated = {"title": "title", "summary": "summary"}
    # CKAN's licence ids have dots (cc-by-4.0, odc-odbl-1.0): not a slug.
    id = serializers.CharField(source="slug", help_text="CKAN's license_id.")
    url = serializers.URLField(allow_blank=True, help_text="The licence's text.")
    is_open = serializers.BooleanField(help_text="Conforms to the Open Definition.")


class ThemeSerializer(TranslatedSerializer):
    translated = {"name": "name"}
    id = serializers.SlugField(source="slug", help_text="The theme's slug (CKAN's group name).")
    code = serializers.CharField(help_text="The code in the EU data-theme vocabulary.")
    uri = serializers.URLField(help_text="The theme's URI in the EU data-theme vocabulary (DCAT).")


class ThemeCountSerializer(ThemeSerializer):
    dataset_count = serializers.IntegerField(help_text="Published datasets with this theme.")


class OrganizationRefSerializer(TranslatedSerializer):
    translated = {"name": "name"}
    id = serializers.UUIDField(source="uuid")
    slug = serializers.SlugField(help_text="The `body` filter of the dataset listing.")


class OrganizationSerializer(OrganizationRefSerializer):
    kind = serializers.CharField(help_text="region, province, commune or department.")
    email = serializers.EmailField(allow_blank=True)
    website = serializers.URLField(allow_blank=True)
    dataset_count = serializers.IntegerField(help_text="Published datasets of this body.")
    datasets = serializers.SerializerMethodField(help_text="The API listing of this body's datasets.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_datasets(self, body: PublicBody) -> str:
        listing = self.context["request"].build_absolute_uri(reverse("opendata_api:dataset-list"))
        return replace_query_param(listing, "body", body.slug)


class FieldSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The column's name.")
    type = serializers.CharField(help_text="Its Table Schema type: string, integer, number, date…")


class ResourceSerializer(TranslatedSerializer):
    translated = {"name": "name", "description": "description"}
    id = serializers.UUIDField(source="uuid")
    dataset = serializers.SlugField(source="dataset.name", help_text="The dataset's name.")
    format = serializers.CharField()
    media_type = serializers.SerializerMethodField()
    is_link = serializers.SerializerMethodField(help_text="Published elsewhere: `url` is a link, not our file.")
    url = serializers.SerializerMethodField(help_text="The current file, or the link.")
    page = serializers.SerializerMethodField(help_text="The resource's public page, with its preview.")
    version = serializers.IntegerField(source="current_version.number", allow_null=True, default=None)
    size = serializers.IntegerField(source="current_version.size", allow_null=True, default=None, help_text="Bytes.")
    sha256 = serializers.CharField(source="current_version.sha256", allow_null=True, default=None)
    datastore_active = serializers.BooleanField(help_text="Its rows can be queried (`rows`).")
    columns = serializers.SerializerMethodField(help_text="The DataStore's columns.")
    rows = serializers.SerializerMethodField(help_text="The API listing of its rows, when `datastore_active`.")
    row_count = serializers.IntegerField(source="datastore_rows")
    download_count = serializers.IntegerField()
    created = serializers.DateTimeField(source="created_at")
    modified = serializers.DateTimeField(source="modified_at")

    def uris(self) -> Uris:
        return Uris(self.context["request"])

    def get_media_type(self, resource: Resource) -> str:
        return media_type_of(resource)

    def get_is_link(self, resource: Resource) -> bool:
        return bool(resource.url)

    @extend_schema_field(NULLABLE_URI)
    def get_url(self, resource: Resource) -> str | None:
        if resource.url:
            return resource.url
        return self.uris().download(resource) if resource.current_version_id else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, resource: Resource) -> str:
        url = reverse("opendata:resource", args=[resource.dataset.name, resource.uuid])
        return self.context["request"].build_absolute_uri(url)

    @extend_schema_field(FieldSerializer(many=True))
    def get_columns(self, resource: Resource) -> list[dict]:
        return [{"id": field.id, "type": field.type} for field in datastore.fields_of(resource)]

    @extend_schema_field(NULLABLE_URI)
    def get_rows(self, resource: Resource) -> str | None:
        if not resource.datastore_active:
            return None
        url = reverse("opendata_api:resource-rows", args=[resource.uuid])
        return self.context["request"].build_absolute_uri(url)


class TemporalSerializer(serializers.Serializer):
    start = serializers.DateField(source="temporal_start", allow_null=True)
    end = serializers.DateField(source="temporal_end", allow_null=True)


class DatasetSerializer(TranslatedSerializer):
    translated = {"title": "title", "description": "notes"}
    id = serializers.UUIDField(source="uuid")
    name = serializers.SlugField(help_text="Names the dataset in addresses and in the CKAN API.")
    url = serializers.SerializerMethodField(help_text="The dataset's public page.")
    organization = OrganizationRefSerializer(source="body", help_text="The public body that publishes it.")
    licence = LicenceSerializer()
    themes = ThemeSerializer(many=True, source="themes.all")
    tags = serializers.SerializerMethodField()
    frequency = serializers.ChoiceField(choices=Dataset.Frequency.choices, help_text="EU frequency code.")
    temporal = TemporalSerializer(source="*", help_text="The period the data cover.")
    spatial = serializers.CharField(help_text="The area covered; empty for the body's whole territory.")
    version = serializers.CharField()
    contact_email = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="created_at")
    modified = serializers.DateTimeField(source="modified_at")
    published = serializers.DateTimeField(source="published_at", allow_null=True)
    resources = ResourceSerializer(many=True, source="resources.all")
    dcat = serializers.SerializerMethodField(help_text="Its DCAT-AP description (Turtle).")
    datapackage = serializers.SerializerMethodField(help_text="Its Frictionless data package.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, dataset: Dataset) -> str:
        return self.context["request"].build_absolute_uri(dataset.get_absolute_url())

    def get_tags(self, dataset: Dataset) -> list[str]:
        return sorted(tag.name for tag in dataset.tags.all())

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_contact_email(self, dataset: Dataset) -> str | None:
        return dataset.contact_email or dataset.body.email or None

    @extend_schema_field(OpenApiTypes.URI)
    def get_dcat(self, dataset: Dataset) -> str:
        url = reverse("dcat:dataset", kwargs={"name": dataset.name, "format": "ttl"})
        return self.context["request"].build_absolute_uri(url)

    @extend_schema_field(OpenApiTypes.URI)
    def get_datapackage(self, dataset: Dataset) -> str:
        return self.context["request"].build_absolute_uri(reverse("dcat:datapackage", args=[dataset.name]))


# Query parameters -----------------------------------------------------------------------------------


def values(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        max_length=20,
        help_text=help_text,
    )


class DatasetQuerySerializer(serializers.Serializer):
    """The dataset listing's parameters: repeat a filter for several values (OR), filters combine with AND."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=settings.SEARCH_MAX_QUERY_LENGTH, help_text="Words to look for."
    )
    body = values("A public body's slug.")
    theme = values("A theme's slug.")
    format = values("A resource format (CSV, XLSX…).")
    licence = values("A licence's id.")
    tag = values("A keyword.")
    sort = serializers.ChoiceField(
        choices=list(SORTS),
        required=False,
        help_text="`modified` (latest first, the default), `title`, `name` or `created` (newest first).",
    )
    language = serializers.ChoiceField(choices=LANGUAGES, required=False, help_text="The language of texts.")

    def dataset_search(self) -> DatasetSearch:
        data = self.validated_data
        return DatasetSearch(
            q=data.get("q", ""),
            # An empty value (`theme=`) filters nothing, as an absent one.
            filters={
                facet: values
                for param, facet in FACET_PARAMS.items()
                if (values := [v for v in data.get(param, []) if v])
            },
            sort=SORTS[data.get("sort") or "modified"],
        )


class RowsQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=settings.SEARCH_MAX_QUERY_LENGTH, help_text="Text in any column."
    )
    filters = serializers.CharField(
        required=False,
        help_text='Column values as a JSON object, e.g. {"year": 2024, "type": ["a", "b"]} (as CKAN). '
        "Or one parameter per column: `filter_<column>=value`, repeated for several values.",
    )
    sort = serializers.CharField(required=False, max_length=500, help_text='"column [asc|desc], …"')
    fields = serializers.CharField(required=False, max_length=2000, help_text="Comma-separated columns to return.")
    limit = serializers.IntegerField(required=False, min_value=0, max_value=ROWS_MAX_LIMIT, default=ROWS_DEFAULT_LIMIT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_INTEGER, default=0)


class RowsSerializer(serializers.Serializer):
    """A page of DataStore rows, for the schema."""

    count = serializers.IntegerField(help_text="Rows that match.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    fields = FieldSerializer(many=True, help_text="`_id` (the row's number) and the columns returned.")
    results = serializers.ListField(
        child=serializers.DictField(), help_text="One object per row; decimals are strings, dates ISO 8601."
    )


# Views ----------------------------------------------------------------------------------------------


class SearchPagination(PagePagination):
    """PagePagination over opendata.catalogue.search_datasets, which counts and slices in the database."""

    def paginate_search(self, search: DatasetSearch, request) -> list[Dataset]:
        self.request = request
        self.size = self.get_page_size(request)
        self.number = positive_integer_parameter(request, self.page_query_param) or 1
        # A page whose first row is past MAX_INTEGER would overflow the database's OFFSET: none has rows.
        if (self.number - 1) * self.size > MAX_INTEGER:
            raise NotFound(_("Invalid page."))
        search.start, search.rows = (self.number - 1) * self.size, self.size
        try:
            result = search_datasets(search)
        except CatalogueQueryError as error:
            raise BadQuery(str(error)) from None
        self.count = result.count
        if self.number > 1 and self.count <= search.start:
            raise NotFound(_("Invalid page."))
        return result.results

    def get_paginated_response(self, data):
        return Response(
            {"count": self.count, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self):
        if self.number * self.size >= self.count:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


class CatalogueMixin:
    """Throttled per IP, and answering in the language of `?language=` when given."""

    throttle_classes = (RateThrottle,)
    throttle_rate = "api"
    throttle_group = "api.rest"
    content_negotiation_class = JSONOnly

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_language_parameter(request)

    def dispatch(self, request, *args, **kwargs):
        language = request.GET.get("language")
        if language not in LANGUAGES:
            return super().dispatch(request, *args, **kwargs)
        with translation.override(language):
            return super().dispatch(request, *args, **kwargs)


class CatalogueViewSet(CatalogueMixin, PublicReadOnlyViewSet):
    def attach_context(self, pages):
        return pages  # the querysets already carry what the serializers read


LANGUAGE_PARAMETER = OpenApiParameter(
    "language", str, enum=LANGUAGES, description="The language of texts; else Accept-Language, with fallbacks."
)
NAME_PARAMETER = OpenApiParameter("name", str, OpenApiParameter.PATH, description="The dataset's name.")
UUID_PARAMETER = OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)


class DatasetViewSet(CatalogueViewSet):
    """Published datasets with their resources."""

    serializer_class = DatasetSerializer
    pagination_class = SearchPagination
    filter_backends = ()
    lookup_field = "name"

    def get_queryset(self):
        return with_related(published_datasets())

    @extend_schema(
        summary="Search published datasets",
        parameters=[DatasetQuerySerializer],
        responses={200: DatasetSerializer(many=True), **PROBLEM_RESPONSES},
    )
    def list(self, request, *args, **kwargs):
        query = DatasetQuerySerializer(data=declared_parameters(request.query_params, DatasetQuerySerializer().fields))
        query.is_valid(raise_exception=True)
        datasets = self.paginator.paginate_search(query.dataset_search(), request)
        return self.get_paginated_response(self.get_serializer(datasets, many=True).data)

    @extend_schema(
        summary="One published dataset",
        parameters=[NAME_PARAMETER, LANGUAGE_PARAMETER],
        responses={200: DatasetSerializer, **PROBLEM_RESPONSES},
    )
    def retrieve(self, request, *args, **kwargs):
        dataset = get_object_or_404(self.get_queryset(), name=kwargs["name"])
        return Response(self.get_serializer(dataset).data)


class ResourceViewSet(CatalogueMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resources of published datasets, and the rows of those in the DataStore (listed within their dataset)."""

    serializer_class = ResourceSerializer
    lookup_field = "uuid"
    lookup_value_regex = "[^/]+"
    authentication_classes = ()
    permission_classes = (AllowAny,)
    filter_backends = ()

    def get_queryset(self):
        return Resource.objects.filter(dataset__status=Dataset.Status.PUBLISHED).select_related(
            "dataset", "current_version"
        )

    def get_object(self):
        try:
            key = uuid.UUID(self.kwargs["uuid"])
        except ValueError:
            raise NotFound(_("No published resource has this id.")) from None
        resource = self.get_queryset().filter(uuid=key).first()
        if resource is None:
            raise NotFound(_("No published resource has this id."))
        return resource

    @extend_schema(
        summary="One resource of a published dataset",
        parameters=[UUID_PARAMETER, LANGUAGE_PARAMETER],
        responses={200: ResourceSerializer, **PROBLEM_RESPONSES},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Rows of a resource in the DataStore",
        parameters=[UUID_PARAMETER, RowsQuerySerializer],
        responses={200: RowsSerializer, **PROBLEM_RESPONSES},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def rows(self, request, uuid=None):
        """Rows filtered (`filters` or `filter_<column>`), searched (`q`) and sorted, `limit` at a time."""
        resource = self.get_object()
        if not resource.datastore_active:
            raise NotFound(_("This resource has no rows in the DataStore."))
        paging = RowsQuerySerializer(data=request.query_params)
        paging.is_valid(raise_exception=True)
        limit, offset = paging.validated_data["limit"], paging.validated_data["offset"]
        try:
            with transaction.atomic():  # a database refusal (a value out of a column's range) rolls back alone
                result = datastore.search(resource, **query_arguments(request.query_params), limit=limit, offset=offset)
        except datastore.DatastoreError as error:
            raise BadQuery(str(error)) from None
        except DataError:
            raise BadQuery(_("A filter value is out of range for its column.")) from None
        url = request.build_absolute_uri()
        total = result["total"]
        next_url = replace_query_param(url, "offset", offset + limit) if limit and offset + limit < total else None
        previous_url = replace_query_param(url, "offset", max(0, offset - limit)) if offset > 0 else None
        return Response(
            {
                "count": total,
                "next": next_url,
                "previous": previous_url,
                "fields": result["fields"],
                "results": result["records"],
            }
        )


class LicenceViewSet(CatalogueViewSet):
    """The licences a dataset chooses from."""

    serializer_class = LicenceSerializer
    lookup_field = "slug"
    filter_backends = ()
    queryset = Licence.objects.all()

    @extend_schema(
        summary="One licence",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The licence's id.")],
        responses={200: LicenceSerializer, **PROBLEM_RESPONSES},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class ThemeViewSet(CatalogueViewSet):
    """The EU data themes, with how many published datasets each has."""

    serializer_class = ThemeCountSerializer
    lookup_field = "slug"
    filter_backends = ()

    def get_queryset(self):
        published = Q(datasets__status=Dataset.Status.PUBLISHED)
        return Theme.objects.annotate(dataset_count=Count("datasets", filter=published)).order_by("code")

    @extend_schema(
        summary="One theme",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The theme's slug.")],
        responses={200: ThemeCountSerializer, **PROBLEM_RESPONSES},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class OrganizationViewSet(CatalogueViewSet):
    """The public bodies that publish datasets."""

    serializer_class = OrganizationSerializer
    lookup_field = "uuid"
    filter_backends = ()

    def get_queryset(self):
        published = Q(datasets__status=Dataset.Status.PUBLISHED)
        return (
            PublicBody.objects.annotate(dataset_count=Count("datasets", filter=published))
            .filter(dataset_count__gt=0)
            .order_by("path")
        )

    def get_object(self):
        try:
            key = uuid.UUID(self.kwargs["uuid"])
        except ValueError:
            raise NotFound(_("No public body that publishes data has this id.")) from None
        body = self.get_queryset().filter(uuid=key).first()
        if body is None:
            raise NotFound(_("No public body that publishes data has this id."))
        return body

    @extend_schema(
        summary="One public body that publishes data",
        parameters=[UUID_PARAMETER, LANGUAGE_PARAMETER],
        responses={200: OrganizationSerializer, **PROBLEM_RESPONSES},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


router = SimpleRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("resources", ResourceViewSet, basename="resource")
router.register("licences", LicenceViewSet, basename="licence")
router.register("themes", ThemeViewSet, basename="theme")
router.register("organizations", OrganizationViewSet, basename="organization")

app_name = "opendata_api"
urlpatterns = [*router.urls]
