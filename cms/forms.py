from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.coreutils import find_available_slug

from portal.bodies.auth import get_bodies_with_any_role
from portal.bodies.models import Role
from portal.forms import QuickSelect

# The roles that put a council's pages in a person's hands (cms.permissions gives them page rights).
COUNCIL_ROLES = (Role.EDITOR, Role.PUBLISHER)


class ParentAwarePageForm(WagtailAdminPageForm):
    """Let a new page's model validation see its parent (Wagtail places it in the tree only after)."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        if parent_page is not None and not self.instance.path:
            self.instance._parent_page = parent_page


class CouncilPageForm(WagtailAdminPageForm):
    """A council belongs to a body its staff hold a role on: the form offers, and accepts, only those.

    Decisions take their body from their council, so a council moved to another body would publish in its name.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and not user.is_superuser and "body" in self.fields:
            self.fields["body"].queryset = get_bodies_with_any_role(user, COUNCIL_ROLES)


class DecisionPageForm(ParentAwarePageForm):
    """Roll-call votes name members of the decision's own council, whatever the chooser was sent; topics are
    ticked among those of the decision's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale_id = self.instance.locale_id or getattr(self.parent_page, "locale_id", None)
        if "topics" in self.fields and locale_id:
            self.fields["topics"].queryset = self.fields["topics"].queryset.filter(locale_id=locale_id)

    def clean(self):
        cleaned_data = super().clean()
        self._address_from_reference(cleaned_data)
        body_id = self.instance.body_id or self._council_body_id()
        formset = self.formsets.get("member_votes")
        if body_id is None or formset is None:
            return cleaned_data
        # The inline forms are validated after this form: validate them now to read their choices.
        for form in formset.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            member = form.cleaned_data.get("member")
            if member is not None and member.body_id != body_id:
                form.add_error("member", _("Choose a member of this council."))
        return cleaned_data

    def _address_from_reference(self, cleaned_data: dict) -> None:
        """A new decision's address is its reference ("2025-014"), not its title: an Arabic title makes an address
        of hundreds of encoded characters. An address staff typed in Latin letters is kept."""
        slug, reference = cleaned_data.get("slug") or "", cleaned_data.get("reference")
        if self.instance.pk is None and reference and self.parent_page is not None and not slug.isascii():
            cleaned_data["slug"] = find_available_slug(self.parent_page, self.instance.slug_for(reference))

    def _council_body_id(self) -> int | None:
        council = getattr(self.instance, "_parent_page", None)
        council = council.get_parent() if council is not None else None
        return getattr(getattr(council, "specific", None), "body_id", None)


class DecisionFilterForm(forms.Form):
    """The listing's query parameters; the REST API accepts the same names."""

    q = forms.CharField(label=_("Words"), required=False, max_length=settings.SEARCH_MAX_QUERY_LENGTH)
    body = forms.ChoiceField(label=_("Public body"), required=False, widget=QuickSelect)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None, widget=QuickSelect)
    topic = forms.ChoiceField(label=_("Topic"), required=False, widget=QuickSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, widget=QuickSelect)
    session = forms.UUIDField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("-date", _("Newest first")), ("date", _("Oldest first")), ("reference", _("Reference number"))],
        widget=QuickSelect,
    )

    def __init__(self, *args, bodies: list[tuple[str, str]], years: list[int], topics: list[tuple[str, str]], **kwargs):
        """`bodies` and `topics` are (slug, name) pairs."""
        super().__init__(*args, **kwargs)
        from .models import DecisionPage

        everything = [("", _("All"))]
        self.fields["body"].choices = everything + bodies
        self.fields["year"].choices = everything + [(year, str(year)) for year in years]
        self.fields["topic"].choices = everything + topics
        self.fields["outcome"].choices = everything + list(DecisionPage.Outcome.choices)

    def filters(self):
        from .listing import DecisionFilters

        data = self.cleaned_data
        return DecisionFilters(
            body=data["body"],
            year=data["year"],
            session=str(data["session"] or ""),
            topic=data["topic"],
            outcome=data["outcome"],
            q=data["q"].strip(),
            sort=data["sort"] or "-date",
        )
