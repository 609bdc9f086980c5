from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.ratelimits import limit

from .auth import can_manage_organisation, get_read_organisation_queryset
from .forms import AddMemberForm, OrganisationForm
from .models import Notification, Organisation, Verification
from .services import add_member, register_organisation


def _get_organisation_for_user(request, slug) -> Organisation:
    return get_object_or_404(get_read_organisation_queryset(request.user), slug=slug)


@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": request.user.memberships.select_related("organisation"),
            "role_grants": request.user.role_grants.select_related("body"),
            "verification": Verification.objects.filter(user=request.user).select_related("body", "district").first(),
            "unread": Notification.objects.filter(user=request.user, read_at=None).count(),
        },
    )


NOTIFICATIONS_PER_PAGE = 30


@login_required
def notifications(request):
    """The signed-in person's notifications, newest first; those on the page shown are marked read (and still
    flagged as new this once)."""
    page = Paginator(Notification.objects.filter(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    unread = [notification.pk for notification in page if notification.read_at is None]
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "accounts/notifications.html", {"page_obj": page, "unread": set(unread)})


def organisation_list(request):
    organisations = Organisation.objects.approved().select_related("body")
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


def organisation_detail(request, slug):
    organisation = _get_organisation_for_user(request, slug)
    can_manage = can_manage_organisation(organisation, request.user)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "can_manage": can_manage,
            "memberships": organisation.memberships.select_related("user") if can_manage else None,
            "add_member_form": AddMemberForm() if can_manage else None,
        },
    )


@login_required
@limit("organisation.register", key="user", method="POST")
def organisation_register(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = register_organisation(form.save(commit=False), founder=request.user)
        messages.success(
            request, _("Your association is registered. Staff will review it before it can act on the portal.")
        )
        return redirect(organisation)
    return render(request, "accounts/organisation_form.html", {"form": form})


@login_required
@require_POST
@limit("organisation.add_member", key="user", method="POST")
def organisation_add_member(request, slug):
    organisation = _get_organisation_for_user(request, slug)
    if not can_manage_organisation(organisation, request.user):
        raise PermissionDenied
    form = AddMemberForm(request.POST)
    if form.is_valid():
        add_member(organisation, form.cleaned_data["email"])
        messages.info(request, _("If an account uses this address, its owner is now a member."))
    else:
        messages.error(request, _("Enter a valid email address."))
    return redirect(organisation)
