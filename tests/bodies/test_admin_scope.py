"""Every admin door of every body-scoped model, tried by the administrator of another body.

The viewsets come from Wagtail's registry: a module that adds a body-scoped viewset is walked here at once, and
this test fails until `RECORD_MAKERS` knows how to make one of its records.
"""

import datetime

import pytest
from django.urls import URLPattern, get_resolver, reverse
from wagtail.admin.viewsets import viewsets as viewset_registry
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import CouncilMember
from harvesters.models import HarvestSource
from opendata.models import ProblemReport
from opendata.spending.models import (
    BudgetLine,
    ClassificationCode,
    ContractingProcess,
    Payment,
    SpendingPolicy,
    Supplier,
)
from participation.proposals.models import Category, Space
from portal.bodies.models import District, PublicBody, Role, RoleGrant
from portal.bodies.viewsets import BodyScopedViewSetMixin
from tests.factories import DistrictFactory, OrganisationFactory, PublicBodyFactory, RoleGrantFactory, square
from tests.opendata.factories import DatasetFactory, ResourceFactory
from tests.staff import login_with_second_factor

# How to make a record that belongs to `body`, for each body-scoped model.
RECORD_MAKERS = {
    "PublicBody": lambda body: body,
    "District": lambda body: DistrictFactory(body=body, slug="quartier-voisin"),
    "RoleGrant": lambda body: RoleGrantFactory(body=body, role=Role.PUBLISHER),
    "Organisation": lambda body: OrganisationFactory(body=body),
    "Dataset": lambda body: DatasetFactory(body=body),
    "Resource": lambda body: ResourceFactory(dataset__body=body),
    "ProblemReport": lambda body: ProblemReport.objects.create(
        dataset=DatasetFactory(body=body), kind=ProblemReport.Kind.OTHER, message="Chiffres faux"
    ),
    "CouncilMember": lambda body: CouncilMember.objects.create(
        body=body, name_ar="عضو مجاور", term_start=datetime.date(2021, 11, 27)
    ),
    "BudgetLine": lambda body: BudgetLine.objects.create(
        body=body, fiscal_year=2024, stage="voted", direction="expenditure", amount=1, currency="DZD", key="k"
    ),
    "Payment": lambda body: private_payment(body),
    # A private person is seen only by the staff of the bodies that paid them.
    "Supplier": lambda body: private_payment(body).supplier,
    "ContractingProcess": lambda body: ContractingProcess.objects.create(body=body, ocid="ocds-x-1", title="Voirie"),
    "ClassificationCode": lambda body: ClassificationCode.objects.create(body=body, scheme="functional", code="007"),
    "SpendingPolicy": lambda body: SpendingPolicy.objects.create(body=body),
    "Space": lambda body: Space.objects.create(body=body, slug=f"idees-{body.slug}", title_ar="اقتراحات"),
    "Category": lambda body: Category.objects.create(
        space=Space.objects.create(body=body, slug=f"espace-{body.slug}", title_ar="فضاء"),
        slug="voirie",
        name_ar="الطرق",
    ),
    "HarvestSource": lambda body: HarvestSource.objects.create(
        body=body, slug="voisin", name="Portail voisin", kind="ckan", target="datasets", url="https://data.example/"
    ),
}


def private_payment(body) -> Payment:
    person = Supplier.objects.create(name="Karim Voisin", kind=Supplier.Kind.INDIVIDUAL, key="name:karim voisin")
    return Payment.objects.create(body=body, supplier=person, fiscal_year=2024, amount=1, currency="DZD", key="p")


def body_scoped_viewsets():
    get_resolver().url_patterns  # the admin's URLs fill the registry  # noqa: B018
    return [viewset for viewset in viewset_registry.viewsets if isinstance(viewset, BodyScopedViewSetMixin)]


def object_url_names(viewset) -> list[str]:
    """The names of the viewset's URLs that take a record's key: edit, copy, delete, history, inspect, usage…"""
    return [
        pattern.name
        for pattern in viewset.get_urlpatterns()
        if isinstance(pattern, URLPattern) and "pk" in pattern.pattern.regex.pattern
    ]


def snapshot(model, pk):
    return model._default_manager.filter(pk=pk).values().first()


@pytest.fixture
def outsider(client, commune):
    """The administrator of the commune: every role there, none on the neighbouring region."""
    user = RoleGrantFactory(body=commune, role=Role.ADMINISTRATOR, user__email="voisin@example.org").user
    login_with_second_factor(client, user)
    return user


class AdminScopeTestCase:
    def test_it_covers_every_body_scoped_model(self, db):
        models = {viewset.model.__name__ for viewset in body_scoped_viewsets()}
        assert models == set(RECORD_MAKERS)

    @pytest.mark.parametrize("model_name", sorted(RECORD_MAKERS))
    def test_it_closes_every_door_to_another_bodys_records(self, client, outsider, other_region, model_name):
        viewset = next(v for v in body_scoped_viewsets() if v.model.__name__ == model_name)
        record = RECORD_MAKERS[model_name](other_region)
        before = snapshot(viewset.model, record.pk)

        listing = client.get(reverse(viewset.get_url_name("list" if isinstance(viewset, SnippetViewSet) else "index")))
        assert listing.status_code == 200
        assert reverse(viewset.get_url_name("edit"), args=[record.pk]) not in listing.content.decode()

        names = object_url_names(viewset)
        assert {"edit", "delete", "history", "inspect"} <= set(names)
        for name in names:
            url = reverse(viewset.get_url_name(name), args=[record.pk])
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"body": other_region.pk, "name_ar": "مغير"}).status_code == 404, url
        assert snapshot(viewset.model, record.pk) == before

    def test_it_refuses_the_copy_that_made_an_administrator_of_the_wilaya(self, client, outsider, commune, region):
        grant = RoleGrant.objects.get(user=outsider)
        response = client.post(
            f"/admin/role_grants/copy/{grant.pk}/", {"user": outsider.pk, "body": region.pk, "role": "administrator"}
        )
        assert response.status_code == 404
        assert not RoleGrant.objects.filter(user=outsider, body=region).exists()

    def test_it_has_no_copy_that_would_overwrite_the_original(self, client, outsider, commune):
        import json

        district = DistrictFactory(body=commune, slug="centre")
        response = client.post(
            f"/admin/districts/copy/{district.pk}/",
            {"body": commune.pk, "slug": "centre-bis", "name_ar": "نسخة", "boundary": json.dumps(square())},
        )
        assert response.status_code == 404
        assert District.objects.get(pk=district.pk).slug == "centre"
        assert not District.objects.filter(slug="centre-bis").exists()

    @pytest.mark.parametrize(
        ("url_name", "data"),
        [
            ("districts:add", {"slug": "intrus", "name_ar": "حي دخيل", "boundary": None}),
            ("role_grants:add", {"user": "voisin@example.org", "role": "administrator"}),
            ("organisations:add", {"name": "Association intruse", "language": "fr"}),
            (
                "proposal_spaces:add",
                {
                    "slug": "intrus",
                    "title_ar": "فضاء دخيل",
                    "support_threshold": 10,
                    "answer_days": 30,
                    "opens_on": "2026-01-01",
                    "currency": "DZD",
                },
            ),
        ],
    )
    def test_it_refuses_a_forged_body_on_save(self, client, outsider, other_region, url_name, data):
        model = {"districts": District, "role_grants": RoleGrant, "organisations": None, "proposal_spaces": Space}[
            url_name.split(":")[0]
        ]
        payload = {**data, "body": other_region.pk}
        if "boundary" in payload:
            import json

            payload["boundary"] = json.dumps(square())
        response = client.post(reverse(url_name), payload)
        assert response.status_code == 200
        assert "body" in response.context["form"].errors
        if model is not None:
            assert not model.objects.filter(body=other_region).exists()

    def test_it_offers_only_the_bodies_the_person_holds(self, client, outsider, commune, department, other_region):
        response = client.get(reverse("districts:add"))
        offered = set(response.context["form"].fields["body"].queryset)
        assert offered == {commune, department}

    def test_it_refuses_a_forged_parent_when_moving_a_body(self, client, outsider, commune, other_region):
        response = client.post(
            reverse("public_bodies:edit", args=[commune.pk]),
            {"parent": other_region.pk, "kind": "commune", "slug": commune.slug, "name_ar": commune.name_ar},
        )
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
        assert PublicBody.objects.get(pk=commune.pk).get_parent() != other_region

    def test_it_chooses_only_the_council_members_of_the_persons_bodies(self, client, outsider, commune, other_region):
        own = RECORD_MAKERS["CouncilMember"](commune)
        other = CouncilMember.objects.create(
            body=other_region, name_ar="عضو بعيد", term_start=datetime.date(2021, 1, 1)
        )
        response = client.get("/admin/snippets/choose/cms/councilmember/")
        assert response.status_code == 200
        content = response.json()["html"]
        assert own.name_ar in content
        assert other.name_ar not in content

    def test_it_shows_the_history_and_usage_of_the_persons_own_dataset(self, client, outsider, commune):
        dataset = DatasetFactory(body=commune)
        for name in ("history", "usage", "inspect"):
            response = client.get(reverse(f"opendata_datasets:{name}", args=[dataset.pk]))
            assert response.status_code == 200, name

    def test_it_lets_a_body_administrator_in_through_the_front_door(self, client, outsider, commune, department):
        response = client.get(reverse("public_bodies:index"))
        assert response.status_code == 200
        assert {body.pk for body in response.context["object_list"]} == {commune.pk, department.pk}
        other = PublicBodyFactory(kind="region", slug="encore-une")
        assert client.get(reverse("public_bodies:inspect", args=[other.pk])).status_code == 404


class SiteHistoryTestCase:
    def test_it_shows_no_entry_of_another_bodys_staff(self, client, outsider, other_region):
        from wagtail.log_actions import log

        grant = RoleGrantFactory(body=other_region, role=Role.PUBLISHER)
        log(instance=grant, action="wagtail.create", user=grant.user)
        response = client.get("/admin/reports/site-history/")
        assert response.status_code == 200
        assert other_region.name_ar not in response.content.decode()
