"""The sections apps add to a body's page (portal.bodies.sections), in registration order, None adding nothing."""

import pytest

from portal.bodies.sections import register_section, sections_for, unregister_section


@pytest.fixture
def registered():
    added = []

    def add(section):
        added.append(register_section(section))
        return section

    yield add
    for section in added:
        unregister_section(section)


class BodySectionsTestCase:
    def test_it_calls_the_sections_in_order_and_skips_those_with_nothing(self, registered, commune):
        registered(lambda request, body: ("first.html", {"slug": body.slug}))
        registered(lambda request, body: None)
        registered(lambda request, body: ("last.html", {}))
        found = sections_for(None, commune)
        assert [template for template, _context in found][-2:] == ["first.html", "last.html"]
        assert ("first.html", {"slug": "commune-test"}) in found

    def test_it_registers_a_section_once(self, registered, commune):
        def section(request, body):
            return "once.html", {}

        registered(section)
        register_section(section)
        assert [template for template, _context in sections_for(None, commune)].count("once.html") == 1

    def test_the_information_requests_app_adds_its_section(self, client, commune, no_page_cache):
        response = client.get("/fr/bodies/commune-test/")
        assert "information_requests/body_section.html" in [template for template, _ in response.context["sections"]]
