"""Build council pages the way staff do: under the home page of a locale, published."""

import datetime

from wagtail.models import Locale, Page, Site

from cms.models import CouncilIndexPage, CouncilSessionPage, DecisionPage, HomePage


def home_page(language: str = "ar") -> HomePage:
    """Return the site's home page in `language`: the Arabic one is the site root, the others its translations."""
    locale, _created = Locale.objects.get_or_create(language_code=language)
    home = HomePage.objects.filter(locale=locale).first()
    if home is not None:
        return home
    if language != "ar":
        return publish(home_page("ar").copy_for_translation(locale).specific)
    home = Page.get_first_root_node().add_child(instance=HomePage(title="الرئيسية", slug="home-ar", locale=locale))
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    return publish(home)


def publish(page):
    page.save_revision().publish()
    return page


def council(body, *, title="Council", slug="council", seats=33) -> CouncilIndexPage:
    return publish(
        home_page("ar").add_child(instance=CouncilIndexPage(title=title, slug=slug, body=body, members_in_office=seats))
    )


def session(council_page, *, date=datetime.date(2025, 3, 10), present=29, slug=None) -> CouncilSessionPage:
    return publish(
        council_page.add_child(
            instance=CouncilSessionPage(
                title=f"Session {date}",
                slug=slug or f"session-{date}",
                session_date=date,
                status="held",
                members_present=present,
            )
        )
    )


def decision(session_page, *, reference="2025/001", title="Budget", votes=(24, 3, 2), **fields) -> DecisionPage:
    votes_for, votes_against, votes_abstain = votes
    page = DecisionPage(
        title=title,
        slug=fields.pop("slug", reference.replace("/", "-")),
        reference=reference,
        decision_date=fields.pop("decision_date", session_page.session_date),
        summary=fields.pop("summary", f"Summary of {title}"),
        outcome=fields.pop("outcome", "adopted"),
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        **fields,
    )
    return publish(session_page.add_child(instance=page))


def translate(page, language: str, **fields):
    locale, _created = Locale.objects.get_or_create(language_code=language)
    home_page(language)
    translation = page.copy_for_translation(locale, copy_parents=True).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    return publish(translation)
