"""Body, district and role screens in the Wagtail admin: scoped to what the user administers, audited."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.bodies.models import District, PublicBody, RoleGrant
from tests.factories import DistrictFactory, RoleGrantFactory, UserFactory, square
from tests.staff import login_with_second_factor


@pytest.fixture
def admin_client(client, administrator):
    login_with_second_factor(client, administrator)
    return client


class BodyAdminTestCase:
    def test_it_lists_only_the_administered_bodies(self, admin_client, commune, department, other_region):
        response = admin_client.get(reverse("public_bodies:index"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "بلدية الاختبار" in content
        assert "المصلحة التقنية" in content
        assert "الجهة المجاورة" not in content

    def test_it_hides_other_bodies_from_editing(self, admin_client, other_region):
        response = admin_client.get(reverse("public_bodies:edit", args=[other_region.pk]))
        assert response.status_code == 404

    def test_it_adds_a_body_under_an_administered_one_and_audits_it(self, admin_client, administrator, commune):
        response = admin_client.post(
            reverse("public_bodies:add"),
            {
                "parent": commune.pk,
                "kind": "department",
                "slug": "etat-civil",
                "name_ar": "مصلحة الحالة المدنية",
                "name_fr": "État civil",
                "country": "DZ",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        body = PublicBody.objects.get(slug="etat-civil")
        assert body.get_parent() == commune
        entry = ModelLogEntry.objects.get(object_id=str(body.pk), action="wagtail.create")
        assert entry.user == administrator
        assert entry.timestamp is not None

    def test_it_refuses_a_parent_outside_the_administered_tree(self, admin_client, other_region):
        response = admin_client.post(
            reverse("public_bodies:add"),
            {"parent": other_region.pk, "kind": "commune", "slug": "intrus", "name_ar": "دخيل", "country": "DZ"},
        )
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
        assert not PublicBody.objects.filter(slug="intrus").exists()

    def test_it_refuses_a_top_level_body_to_non_superusers(self, admin_client):
        response = admin_client.post(
            reverse("public_bodies:add"), {"kind": "region", "slug": "top", "name_ar": "جهة", "country": "DZ"}
        )
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors

    def test_it_moves_a_body_and_audits_the_edit(self, admin_client, administrator, region, commune, department):
        sibling = RoleGrantFactory(body=region, role="administrator", user=administrator).body
        response = admin_client.post(
            reverse("public_bodies:edit", args=[department.pk]),
            {
                "parent": region.pk,
                "kind": "department",
                "slug": department.slug,
                "name_ar": department.name_ar,
                "name_fr": "Service technique régional",
                "country": "DZ",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        department.refresh_from_db()
        assert department.get_parent() == sibling
        assert ModelLogEntry.objects.filter(object_id=str(department.pk), action="wagtail.edit").exists()

    def test_it_refuses_citizens(self, client, citizen):
        login_with_second_factor(client, citizen)
        response = client.get(reverse("public_bodies:index"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


class DistrictAdminTestCase:
    def post_district(self, client, body, boundary):
        return client.post(
            reverse("districts:add"),
            {"body": body.pk, "slug": "centre", "name_ar": "الوسط", "boundary": boundary},
        )

    def test_it_saves_a_valid_boundary(self, admin_client, commune):
        import json

        response = self.post_district(admin_client, commune, json.dumps(square()))
        assert response.status_code == 302
        assert District.objects.get(slug="centre").boundary["type"] == "Polygon"

    @pytest.mark.parametrize(
        "boundary",
        [
            '{"type": "Point", "coordinates": [3, 36]}',
            '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}',
            '{"type": "Polygon", "coordinates": [[[500000, 4000000], [500100, 4000000], [500100, 4000100], [500000, 4000000]]]}',
            '{"type": "Polygon", "coordinates": "nonsense"}',
        ],
        ids=["point", "self-crossing", "projected-metres", "malformed"],
    )
    def test_it_refuses_a_bad_boundary(self, admin_client, commune, boundary):
        response = self.post_district(admin_client, commune, boundary)
        assert response.status_code == 200
        assert "boundary" in response.context["form"].errors
        assert not District.objects.exists()

    def test_it_hides_districts_of_other_bodies(self, admin_client, other_region):
        district = DistrictFactory(body=other_region)
        assert admin_client.get(reverse("districts:edit", args=[district.pk])).status_code == 404


class RoleGrantAdminTestCase:
    def test_it_grants_a_role_and_records_who_granted_it(self, admin_client, administrator, department):
        clerk = UserFactory(email="clerk@example.org")
        response = admin_client.post(
            reverse("role_grants:add"), {"user": "Clerk@Example.org", "body": department.pk, "role": "publisher"}
        )
        assert response.status_code == 302
        grant = RoleGrant.objects.get(user=clerk)
        assert grant.granted_by == administrator
        assert ModelLogEntry.objects.filter(
            object_id=str(grant.pk), action="wagtail.create", user=administrator
        ).exists()

    def test_it_refuses_to_grant_on_a_body_outside_the_tree(self, admin_client, other_region):
        clerk = UserFactory(email="clerk@example.org")
        response = admin_client.post(
            reverse("role_grants:add"), {"user": clerk.email, "body": other_region.pk, "role": "administrator"}
        )
        assert response.status_code == 200
        assert not RoleGrant.objects.filter(user=clerk).exists()

    def test_it_names_the_person_by_address_without_listing_accounts(self, admin_client, citizen):
        response = admin_client.get(reverse("role_grants:add"))
        assert response.status_code == 200
        assert citizen.email not in response.content.decode()
        assert str(citizen) not in response.content.decode()

    def test_it_refuses_an_address_without_an_active_account(self, admin_client, department):
        inactive = UserFactory(email="gone@example.org", is_active=False)
        for address in ("nobody@example.org", inactive.email):
            response = admin_client.post(
                reverse("role_grants:add"), {"user": address, "body": department.pk, "role": "publisher"}
            )
            assert response.status_code == 200
            # The admin speaks the portal's first language to a staff member who chose none.
            assert response.context["form"].errors["user"] == ["لا يوجد حساب مفعّل بهذا العنوان."]
        assert not RoleGrant.objects.filter(body=department).exists()
