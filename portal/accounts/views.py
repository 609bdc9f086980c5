from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.ratelimits import check, limit

from . import census
from .auth import can_manage_organisation, get_read_organisation_queryset
from .codes import CodeRefused, send_code
from .forms import AddMemberForm, CensusCheckForm, CodeForm, OrganisationForm
from .identity import VerificationRefused
from .models import CensusEntry, Notification, Organisation, Verification, is_verified
from .services import add_member, register_organisation
from .sms import InvalidPhone, masked


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


# Verification online: census check, code by SMS --------------------------------------------------------------

VERIFY_SESSION_KEY = "accounts.verify"


@login_required
def verify(request):
    """Step 1: the person gives their identity number, date of birth and phone for a body with a census; when
    the census has them (and the date matches), a code goes by SMS. Step 2: the code verifies the account.

    The session keeps the census entry's body and identity hash and the phone (to resend) between the steps,
    never the number.
    An unknown number and a wrong date of birth get the same answer."""
    if is_verified(request.user):
        request.session.pop(VERIFY_SESSION_KEY, None)
        return render(request, "accounts/verify.html", {"verified": request.user.verification})
    pending = request.session.get(VERIFY_SESSION_KEY)
    # Found again by body and identity hash: a census imported between the two steps keeps the person's place.
    entry = (
        CensusEntry.objects.select_related("body", "district", "district__body")
        .filter(body_id=pending["body"], identity_hash=pending["identity"])
        .first()
        if pending
        else None
    )
    bodies = census.bodies_with_census()
    census_form = CensusCheckForm(bodies=bodies)
    code_form = CodeForm()
    status = 200
    action = request.POST.get("step") if request.method == "POST" else None
    if action and request.POST.get("website", "").strip():  # the honeypot: a robot filled it
        return HttpResponseBadRequest(_("Your form could not be sent. Try again."))
    if action == "census":
        check(request, "verification.census", key="user")
        census_form = CensusCheckForm(request.POST, bodies=bodies)
        if census_form.is_valid():
            data = census_form.cleaned_data
            try:
                match = census.request_code(
                    request.user, data["body"], data["identity_number"], data["born_on"], data["phone"]
                )
            except (VerificationRefused, CodeRefused, InvalidPhone) as refused:
                census_form.add_error(None, str(refused))
            else:
                request.session[VERIFY_SESSION_KEY] = {
                    "body": match.body_id,
                    "identity": match.identity_hash,
                    "phone": data["phone"],
                }
                messages.info(request, _("A code was sent by SMS to %(phone)s.") % {"phone": masked(data["phone"])})
                return redirect("accounts:verify")
        status = 400
    elif action in ("code", "resend") and entry is not None:
        check(request, "verification.code", key="user")
        try:
            if action == "resend":
                send_code(request.user, pending["phone"], census.CODE_PURPOSE)
                messages.info(request, _("A new code was sent."))
                return redirect("accounts:verify")
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                census.verify_with_code(request.user, entry, code_form.cleaned_data["code"])
                request.session.pop(VERIFY_SESSION_KEY, None)
                messages.success(request, _("Your identity is verified. Thank you."))
                return redirect("accounts:profile")
        except (CodeRefused, VerificationRefused) as refused:
            code_form.add_error(None, str(refused))
        status = 400
    elif action == "restart":
        request.session.pop(VERIFY_SESSION_KEY, None)
        return redirect("accounts:verify")
    context = {
        "bodies": list(bodies),
        "census_form": census_form,
        "code_form": code_form,
        "step": "code" if entry is not None else "census",
        "phone": masked(pending["phone"]) if entry is not None and pending else "",
    }
    return render(request, "accounts/verify.html", context, status=status)
