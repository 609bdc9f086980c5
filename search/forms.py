from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import MAX_PAGE, SearchQuery, clean_query


class SearchForm(forms.Form):
    """The search page's parameters; the REST API accepts the same names. An unknown facet value finds nothing."""

    q = forms.CharField(label=_("Search"), required=False, max_length=settings.SEARCH_MAX_QUERY_LENGTH)
    kind = forms.CharField(required=False, max_length=20)
    body = forms.SlugField(required=False, max_length=100)
    year = forms.IntegerField(required=False, min_value=1, max_value=9999)
    topic = forms.SlugField(required=False, max_length=100)
    language = forms.CharField(required=False, max_length=10)
    format = forms.CharField(required=False, max_length=20)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("relevance", _("Relevance")), ("-date", _("Newest first")), ("date", _("Oldest first"))],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE * 1000)

    def clean_q(self) -> str:
        return clean_query(self.cleaned_data["q"])

    def search_query(self) -> SearchQuery:
        data = self.cleaned_data
        return SearchQuery(
            q=data["q"],
            kind=data["kind"],
            body=data["body"],
            year=data["year"],
            topic=data["topic"],
            language=data["language"],
            format=data["format"].upper(),
            sort=data["sort"] or "relevance",
        )


class SaveSearchForm(forms.Form):
    """The address a search's alerts go to; the search itself comes with it as a SearchForm's fields."""

    email = forms.EmailField(label=_("Your email address"), max_length=254)
