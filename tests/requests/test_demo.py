"""The demo's requests and complaints: every state the issue lists, in Arabic and French, across two bodies."""

from participation.requests.models import Case, Status


def test_the_demo_holds_cases_in_every_state_across_two_bodies(demo):
    cases = Case.objects.select_related("body")
    assert {case.status for case in cases} >= {
        Status.SUBMITTED,
        Status.ACKNOWLEDGED,
        Status.AWAITING_CLARIFICATION,
        Status.ANSWERED,
        Status.PARTIALLY_ANSWERED,
        Status.REFUSED,
        Status.TRANSFERRED,
        Status.WITHDRAWN,
        Status.UNDER_APPEAL,
    }
    assert {case.body.slug for case in cases} == {"commune-blida", "commune-sale"}
    assert {case.language for case in cases} == {"ar", "fr"}
    assert cases.filter(kind=Case.Kind.COMPLAINT).exists()
    assert any(case.is_overdue() for case in cases)
    assert all(case.due_on for case in cases.exclude(status=Status.AWAITING_CLARIFICATION))
