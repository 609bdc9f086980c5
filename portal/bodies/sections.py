"""Sections that apps add to a body's page, without the core importing them.

An app registers, from its AppConfig.ready(), a function that takes the request and the body and returns the
template to include and its context, or None to add nothing for this body:

    from portal.bodies.sections import register_section

    @register_section
    def requests_section(request, body):
        return "information_requests/body_section.html", {"figures": body_statistics(body)}

body_detail calls the functions in the order they were registered and includes each template with its context
as `section` (`{{ section.figures.received }}`); the page's own context (`body`, `request`) stays available.
"""

from collections.abc import Callable
from typing import Any

Section = Callable[[Any, Any], tuple[str, dict] | None]

_SECTIONS: list[Section] = []


def register_section(section: Section) -> Section:
    """Add `section` to every body's page (once, however often an app's ready() runs); return it, as a decorator."""
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def unregister_section(section: Section) -> None:
    if section in _SECTIONS:
        _SECTIONS.remove(section)


def sections_for(request, body) -> list[tuple[str, dict]]:
    """The (template, context) of each registered section that has something to show for `body`, in order."""
    found = []
    for section in _SECTIONS:
        result = section(request, body)
        if result is not None:
            found.append(result)
    return found
