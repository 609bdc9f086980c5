import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify

from portal.accounts.models import Membership, Organisation, User
from portal.bodies.models import District, PublicBody, Role, RoleGrant

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Amina"
    last_name = "Saidi"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Give the account a confirmed primary address, as after sign-up and confirmation."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        user.save()


class PublicBodyFactory(factory.django.DjangoModelFactory):
    """Build a body at the top of the tree, or under `parent` when given."""

    class Meta:
        model = PublicBody

    kind = PublicBody.Kind.COMMUNE
    name_ar = factory.Sequence(lambda n: f"بلدية {n}")
    name_fr = factory.Sequence(lambda n: f"Commune {n}")
    name_en = factory.Sequence(lambda n: f"Municipality {n}")
    slug = factory.LazyAttribute(lambda body: slugify(body.name_fr))

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        body = model_class(*args, **kwargs)
        return parent.add_child(instance=body) if parent else model_class.add_root(instance=body)


def square(lon: float = 3.0, lat: float = 36.0, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    body = factory.SubFactory(PublicBodyFactory)
    slug = factory.Sequence(lambda n: f"district-{n}")
    name_ar = factory.Sequence(lambda n: f"حي {n}")
    name_fr = factory.Sequence(lambda n: f"Quartier {n}")
    boundary = factory.LazyFunction(square)


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    body = factory.SubFactory(PublicBodyFactory)
    role = Role.PUBLISHER


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.LazyAttribute(lambda organisation: slugify(organisation.name))
    language = "fr"
    registration_number = factory.Sequence(lambda n: f"REG-{n:04d}")
    body = factory.SubFactory(PublicBodyFactory)
    status = Organisation.Status.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
