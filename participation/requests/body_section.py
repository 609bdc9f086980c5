"""The "Access to information" section of every body's page (portal.bodies.sections): its figures this year and
all time, its refusals by reason, and where to ask it or read what it answered."""

from django.utils import timezone

from portal.bodies.sections import register_section

from .statistics import body_statistics


@register_section
def information_requests_section(request, body) -> tuple[str, dict]:
    """The body's figures, counting the bodies below it: what a visitor weighs before asking."""
    today = timezone.localdate()
    return (
        "information_requests/body_section.html",
        {
            "year": today.year,
            "this_year": body_statistics(body, year=today.year, today=today),
            "all_time": body_statistics(body, today=today),
        },
    )
