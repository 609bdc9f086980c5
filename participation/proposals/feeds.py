"""The Atom feed of a participatory space: its latest public proposals and where each stands.

An entry is signed as the page signs the proposal (the association, the pseudonym or the name), never with an
address; drafts and proposals hidden for review are not in it.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Proposal, Space

FEED_SIZE = 50


class SpaceFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        return get_object_or_404(Space.objects.select_related("body"), slug=slug)

    def title(self, space):
        return _("Proposals: %(space)s") % {"space": space.title}

    def link(self, space):
        return space.get_absolute_url()

    def subtitle(self, space):
        return _("The latest proposals made to %(body)s, and where each stands.") % {"body": space.body.name}

    def items(self, space):
        proposals = Proposal.objects.public().filter(space=space)
        return proposals.select_related("author", "organisation", "category").order_by("-published_at", "-pk")[
            :FEED_SIZE
        ]

    def item_title(self, proposal):
        return f"{proposal.reference} · {proposal.title}"

    def item_description(self, proposal):
        facts = [proposal.signature(), proposal.get_status_display()]
        if proposal.category:
            facts.append(proposal.category.name)
        supports = _("%(count)d supports") % {"count": proposal.supports_count}
        return f"{' · '.join(str(fact) for fact in facts)} · {supports}\n\n{proposal.text[:1000]}"

    def item_author_name(self, proposal):
        return proposal.signature()

    def item_updateddate(self, proposal):
        return proposal.updated_at

    def item_pubdate(self, proposal):
        return proposal.published_at or proposal.created_at

    def item_guid(self, proposal):
        return f"urn:uuid:{proposal.uuid}"

    item_guid_is_permalink = False
