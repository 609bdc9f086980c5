"""The public forms of proposals: the list's filters, writing and editing a proposal, comments and reports.

Forms check and normalise what people typed; the services decide (a point outside the territory, a file that is
not what it claims to be) and their refusals come back as the form's errors.
"""

import functools
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Organisation
from portal.bodies.models import District
from portal.caching import cached_fragment
from portal.forms import HoneypotMixin, PromptedChoicesMixin, QuickSelect, latitude_field, longitude_field

from .models import PUBLIC_STATUSES, Category, Reason, Space, Status
from .services import Draft, Upload, districts_of

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic"}
SORTS = {
    "recent": ("-published_at", "-pk"),
    "supported": ("-supports_count", "-published_at", "-pk"),
    "commented": ("-comments_count", "-published_at", "-pk"),
}


# The filter form's fields whose options are records (every space's categories and districts: about 125).
OPTION_FIELDS = ("space", "category", "district")


class ProposalFilterForm(PromptedChoicesMixin, forms.Form):
    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.select_related("body"),
        to_field_name="slug",
        required=False,
        widget=QuickSelect,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, widget=QuickSelect
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *((value, label) for value, label in Status.choices if value in PUBLIC_STATUSES)],
        widget=QuickSelect,
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("recent", _("Most recent")),
            ("supported", _("Most supported")),
            ("commented", _("Most commented")),
        ],
        widget=QuickSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("space", "category", "district"):
            self.fields[name].empty_label = _("All")
        space = self._chosen_space()
        if space is not None:
            self.fields["category"].queryset = space.categories.all()
            self.fields["district"].queryset = districts_of(space).order_by("slug")
        else:
            # Every space's categories and districts: a handful per body, never a long list.
            self.fields["category"].queryset = Category.objects.order_by("space__slug", "slug")
            self.fields["district"].queryset = District.objects.filter(body__in=Space.objects.values("body")).order_by(
                "slug"
            )
        # The options of every list and map page, read from the cache until content changes when the form is
        # shown (the GeoJSON never shows it); the querysets above still check a chosen value.
        options = functools.cache(
            lambda: cached_fragment("proposals:filter-options", self._options, space.pk if space else None)
        )
        for name in OPTION_FIELDS:
            self.fields[name].choices = functools.partial(lambda name: options()[name], name)

    def _options(self) -> dict[str, list[tuple[str, str]]]:
        fields = {name: self.fields[name] for name in OPTION_FIELDS}
        return {
            name: [(str(value), str(label)) for value, label in field.iterator(field)] for name, field in fields.items()
        }

    def _chosen_space(self) -> Space | None:
        slug = self.data.get("space") if self.is_bound else None
        return Space.objects.select_related("body").filter(slug=slug).first() if slug else None

    @property
    def order(self) -> tuple[str, ...]:
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        return SORTS.get(sort or "recent", SORTS["recent"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def size_limit(name: str) -> int:
    """The largest file a photo (by its name) or a document may be; the services check the content."""
    if PurePath(name).suffix.lower() in PHOTO_SUFFIXES:
        return settings.PROPOSALS_MAX_PHOTO_SIZE
    return settings.PROPOSALS_MAX_FILE_SIZE


class FilesField(forms.FileField):
    """Photos and documents, up to PROPOSALS_MAX_FILES; their size is checked before a byte is read."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > settings.PROPOSALS_MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": settings.PROPOSALS_MAX_FILES})
        for file in files:
            limit = size_limit(file.name)
            if file.size > limit:  # refused before a byte of it is read into memory
                raise forms.ValidationError(
                    _("“%(name)s” is larger than %(limit)s.") % {"name": file.name, "limit": filesizeformat(limit)}
                )
        return [super(FilesField, self).clean(file, initial) for file in files]


def uploads(files) -> list[Upload]:
    return [Upload(file.name, file.read()) for file in files or []]


def title_field() -> forms.CharField:
    return forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What should be done, and where, in a few words."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )


def text_field() -> forms.CharField:
    return forms.CharField(
        label=_("Description"),
        max_length=settings.PROPOSALS_MAX_TEXT_LENGTH,
        help_text=_("Why it matters, who it would serve, what you know of it."),
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )


class ProposalForm(HoneypotMixin, PromptedChoicesMixin, forms.Form):
    title = title_field()
    text = text_field()
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        help_text=_("Found from the point on the map when you place one."),
    )
    longitude = longitude_field()
    latitude = latitude_field()
    estimated_cost = forms.DecimalField(
        label=_("Estimated cost"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("If you know it."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "dir": "ltr"}),
    )
    files = FilesField(label=_("Photos and documents"))
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none(), required=False)
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=100,
        required=False,
        help_text=_("Shown instead of your name. Staff still know who wrote the proposal."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )

    def __init__(self, *args, space: Space, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.space = space
        self.fields["category"].queryset = space.categories.all()
        self.fields["district"].queryset = districts_of(space).order_by("slug")
        organisations = Organisation.objects.approved().filter(memberships__user=user).order_by("name")
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = pgettext_lazy("on behalf of", "Myself")
        if not organisations.exists():
            del self.fields["organisation"]
        self.fields["files"].help_text = _(
            "Up to %(count)d files: photos (JPEG, PNG, WebP) of %(photo)s each, PDF or office documents of %(file)s."
        ) % {
            "count": settings.PROPOSALS_MAX_FILES,
            "photo": filesizeformat(settings.PROPOSALS_MAX_PHOTO_SIZE),
            "file": filesizeformat(settings.PROPOSALS_MAX_FILE_SIZE),
        }
        self.add_honeypot()

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("longitude") is None) != (cleaned.get("latitude") is None):
            raise forms.ValidationError(_("Give both the longitude and the latitude of the point, or neither."))
        if cleaned.get("organisation") and cleaned.get("pseudonym"):
            self.add_error("pseudonym", _("An association signs with its own name: leave the pseudonym empty."))
        return cleaned

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            title=data["title"],
            text=data["text"],
            language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
            category=data["category"],
            district=data["district"],
            longitude=data["longitude"],
            latitude=data["latitude"],
            estimated_cost=data["estimated_cost"],
            organisation=data.get("organisation"),
            pseudonym=data["pseudonym"],
            uploads=uploads(data["files"]),
        )


class ProposalEditForm(forms.Form):
    title = title_field()
    text = text_field()


class CommentForm(HoneypotMixin, forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=settings.PROPOSALS_MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


class CommentEditForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=settings.PROPOSALS_MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    details = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)
