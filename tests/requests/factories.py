import factory

from participation.requests.models import Case, Law, Status
from tests.factories import PublicBodyFactory


class CaseFactory(factory.django.DjangoModelFactory):
    """A submitted request to a Moroccan commune under law 31-13 (shipped by migration 0002_laws)."""

    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"MA-2026-{n:05d}")
    body = factory.SubFactory(PublicBodyFactory, country="MA")
    law = factory.LazyFunction(lambda: Law.objects.get(code="ma-31-13"))
    subject = "ميزانية الجماعة"
    text = "أطلب نسخة من ميزانية الجماعة لسنة 2026."
    language = "ar"
    requester_name = "أمينة السعيدي"
    requester_email = factory.Sequence(lambda n: f"requester{n}@example.org")
    status = Status.SUBMITTED
