"""Wagtail admin for the laws, the laws of bodies and the announced holidays: superusers only.

An announced holiday is saved through `deadlines.confirm_holiday`, so that every open deadline it moves is
recalculated and logged; it cannot be deleted from the admin (that would move deadlines silently): correct its
announced date instead.
"""

from django import forms
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList, TabbedInterface
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from portal.bodies.permissions import SuperuserOnlyPermissionPolicy

from . import deadlines
from .models import BodyLaw, HolidayDate, Law

# The countries whose calendars the holidays library keeps and whose laws the portal ships.
HOLIDAY_COUNTRIES = [("MA", _("Morocco")), ("TN", _("Tunisia")), ("DZ", _("Algeria"))]


class NoDeletePolicy(SuperuserOnlyPermissionPolicy):
    """Superusers only, and nobody deletes."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# Registered before any view asks, or Wagtail would have made a fallback policy (Django model permissions).
register_permission_policy(Law, SuperuserOnlyPermissionPolicy(Law))
register_permission_policy(BodyLaw, SuperuserOnlyPermissionPolicy(BodyLaw))
register_permission_policy(HolidayDate, NoDeletePolicy(HolidayDate))


class ReferenceDataViewSet(ModelViewSet):
    copy_view_enabled = False

    def get_permissions_to_register(self):
        return Permission.objects.none()


class LawViewSet(ReferenceDataViewSet):
    model = Law
    icon = "doc-full"
    menu_label = _("Laws")
    list_display = ["__str__", "code", "kind", "country", "applies_by_default"]
    search_fields = ["code", "name_ar", "name_fr", "name_en"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("code"),
                    FieldPanel("kind"),
                    FieldPanel("name_ar"),
                    FieldPanel("name_fr"),
                    FieldPanel("name_en"),
                    FieldPanel("country"),
                    FieldPanel("applies_by_default"),
                    FieldPanel("in_force_from"),
                ],
                heading=_("Law"),
            ),
            ObjectList(
                [
                    FieldPanel("day_unit"),
                    FieldPanel("count_from_next_day"),
                    FieldPanel("response_days"),
                    FieldPanel("acknowledge_days"),
                    FieldPanel("extension_days"),
                    FieldPanel("urgent_days"),
                    FieldPanel("identity_required"),
                    FieldPanel("silence_is_refusal"),
                ],
                heading=_("Time limits"),
            ),
            ObjectList([InlinePanel("refusal_reasons", label=_("Refusal reasons"))], heading=_("Refusal reasons")),
            ObjectList([InlinePanel("appeal_steps", label=_("Appeal steps"))], heading=_("Appeals")),
            ObjectList(
                [FieldPanel("description_ar"), FieldPanel("description_fr"), FieldPanel("description_en")],
                heading=_("Description"),
            ),
        ]
    )


class BodyLawViewSet(ReferenceDataViewSet):
    model = BodyLaw
    icon = "link"
    menu_label = _("Laws of bodies")
    list_display = ["body", "law", "kind"]
    form_fields = ["body", "law"]


class HolidayDateForm(WagtailAdminModelForm):
    """The holiday must be one the library estimates on that date; once saved, only its announced date changes."""

    country = forms.ChoiceField(label=_("country"), choices=HOLIDAY_COUNTRIES)

    class Meta:
        model = HolidayDate
        fields = ["country", "name", "estimated_on", "announced_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("country", "name", "estimated_on"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        country, name, estimated_on = data.get("country"), data.get("name"), data.get("estimated_on")
        if country and name and estimated_on and not self.instance.pk:
            calendar = deadlines.Calendar(country, announced=[])
            estimated = {h.key for h in calendar.holidays_on(estimated_on) if h.estimated}
            if name not in estimated:
                self.add_error(
                    "name",
                    _("No estimated holiday of this name on that date. Estimated that day: %(names)s.")
                    % {"names": ", ".join(sorted(estimated)) or "—"},
                )
        announced_on = data.get("announced_on")
        if estimated_on and announced_on and abs((announced_on - estimated_on).days) > 3:
            self.add_error("announced_on", _("An announced date is at most three days from the estimate."))
        return data


def _confirm(view) -> HolidayDate:
    data = view.form.cleaned_data
    deadlines.confirm_holiday(
        data["country"], data["name"], data["estimated_on"], data["announced_on"], by=view.request.user
    )
    return HolidayDate.objects.get(country=data["country"], name=data["name"], estimated_on=data["estimated_on"])


class HolidayDateCreateView(CreateView):
    def save_instance(self):
        instance = _confirm(self)
        log(instance=instance, action="wagtail.create", user=self.request.user)
        return instance


class HolidayDateEditView(EditView):
    def save_instance(self):
        instance = _confirm(self)
        log(instance=instance, action="wagtail.edit", user=self.request.user)
        return instance


class HolidayDateViewSet(ReferenceDataViewSet):
    model = HolidayDate
    icon = "date"
    menu_label = _("Announced holidays")
    edit_handler = ObjectList(
        [FieldPanel("country"), FieldPanel("name"), FieldPanel("estimated_on"), FieldPanel("announced_on")],
        base_form_class=HolidayDateForm,
    )
    add_view_class = HolidayDateCreateView
    edit_view_class = HolidayDateEditView
    list_display = ["country", "name", "estimated_on", "announced_on", "confirmed_at"]


class LawsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Laws and holidays")
    menu_icon = "doc-full"
    menu_order = 280
    items = (
        LawViewSet("information_requests_laws"),
        BodyLawViewSet("information_requests_body_laws"),
        HolidayDateViewSet("information_requests_holidays"),
    )
