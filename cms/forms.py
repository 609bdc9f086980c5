from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class ParentAwarePageForm(WagtailAdminPageForm):
    """Let a new page's model validation see its parent (Wagtail places it in the tree only after)."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        if parent_page is not None and not self.instance.path:
            self.instance._parent_page = parent_page


class DecisionFilterForm(forms.Form):
    """The listing's query parameters; the REST API accepts the same names."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    body = forms.ChoiceField(label=_("Public body"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    session = forms.UUIDField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("-date", _("Newest first")), ("date", _("Oldest first")), ("reference", _("Reference number"))],
    )

    def __init__(self, *args, bodies, years, topics, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import DecisionPage

        everything = [("", _("All"))]
        self.fields["body"].choices = everything + [(body.slug, body.name) for body in bodies]
        self.fields["year"].choices = everything + [(year, str(year)) for year in years]
        self.fields["topic"].choices = everything + [(topic.slug, topic.name) for topic in topics]
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
