"""The public pages of proposals: the list and the map (with their GeoJSON), a space's page, a proposal's page and
its doors (support, follow, comment, report), and the forms to write and edit one.

A proposal that is a draft or hidden for review is a 404 on every door for everyone but its author. Lists read the
counts kept on the proposal (supports_count, comments_count), never count supports or comments per row.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.models import Organisation
from portal.bodies.models import District
from portal.forms import declared_parameters
from portal.ratelimits import limit
from portal.searching import MAX_MATCHES, SearchUnavailable, among, matching_ids
from portal.views import protect_media_response
from portal.workflow import TransitionNotAllowed

from . import services
from .detail import comment_tree, history_of, support_state
from .forms import (
    SORTS,
    CommentEditForm,
    CommentForm,
    ProposalEditForm,
    ProposalFilterForm,
    ProposalForm,
    ReportForm,
)
from .models import OPEN_STATUSES, PUBLIC_STATUSES, Comment, Follow, Proposal, Space, Status
from .workflow import PROPOSAL_WORKFLOW, is_author

PER_PAGE = 20
# The most supported points the map's GeoJSON answers with: enough to see where people ask for what, and small
# enough (about 300 kB) for a phone; the map page says so and the list has the rest.
MAP_LIMIT = 2000
# The points drawn in the SVG picture for visitors without JavaScript.
PICTURE_LIMIT = 300
LIST_RELATED = ("space", "category", "district", "organisation", "author")


def visible_proposals(user):
    """The proposals `user` may read: the public ones, and their own drafts and hidden ones."""
    if user.is_authenticated:
        return Proposal.objects.filter(Q(status__in=PUBLIC_STATUSES) | Q(author=user))
    return Proposal.objects.public()


def _proposal(request, pk: int) -> Proposal:
    related = ("space__body", "category", "district", "organisation", "author", "merged_into")
    return get_object_or_404(visible_proposals(request.user).select_related(*related), pk=pk)


# The list and the map ----------------------------------------------------------------------------------------


def matching(q: str) -> list[int]:
    """The public proposals the portal's search finds for `q`, and those whose title holds `q` as typed (the
    search may not know a proposal yet, or be down)."""
    try:
        found = [int(record_id) for record_id in matching_ids("proposal", q) if str(record_id).isdigit()]
    except SearchUnavailable:
        found = []
    typed = Proposal.objects.public().filter(title__icontains=q.strip()).values_list("pk", flat=True)
    return found + list(typed[:MAX_MATCHES])


def filter_proposals(proposals, data: dict):
    for name in ("space", "category", "district", "status"):
        if value := data.get(name):
            proposals = proposals.filter(**{name: value})
    if q := (data.get("q") or "").strip():
        proposals = proposals.filter(among(matching(q)))
    return proposals


def listing(request, base=None):
    """The filter form from the query string, the public proposals it keeps (each valid filter applies), and
    the query string of the declared parameters (for links)."""
    parameters = declared_parameters(request.GET, ProposalFilterForm.base_fields)
    form = ProposalFilterForm(parameters)
    form.is_valid()
    proposals = filter_proposals(base if base is not None else Proposal.objects.public(), form.cleaned_data)
    return form, proposals, parameters


def _page(request, proposals, order):
    """The page asked for: its ids sorted among the matches in a narrow query (no joins, no text: the database
    sorts tens of thousands of small rows), then those PER_PAGE proposals with what their cards show."""
    ids = proposals.order_by(*order).values_list("pk", flat=True)
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    wanted = list(page.object_list)
    found = Proposal.objects.select_related(*LIST_RELATED).defer("text").in_bulk(wanted)
    page.object_list = [found[pk] for pk in wanted if pk in found]
    return page


def proposal_list(request):
    form, proposals, parameters = listing(request)
    query = parameters.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": _page(request, proposals, form.order),
        "query": query.urlencode(),
        "spaces": Space.objects.open_on(timezone.localdate()).select_related("body"),
    }
    return render(request, "proposals/proposal_list.html", context)


def districts_geojson(districts) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": district.boundary,
                "properties": {"name": district.name, "kind": "district"},
            }
            for district in districts
        ],
    }


def _map_districts(form) -> list[District]:
    space = form.cleaned_data.get("space")
    if space:
        districts = services.districts_of(space)
    else:
        districts = District.objects.filter(body__in=Space.objects.values("body"))
    return list(districts.order_by("slug")[:500])


def points(proposals, limit: int) -> tuple[list[dict], bool]:
    """GeoJSON features of the `limit` most supported placed proposals, and whether more matched."""
    rows = list(
        proposals.filter(longitude__isnull=False, latitude__isnull=False)
        .order_by(*SORTS["supported"])
        .values_list("pk", "title", "language", "longitude", "latitude", "supports_count", "status")[: limit + 1]
    )
    address = reverse("proposals:detail", args=[0]).replace("/0/", "/{}/")
    labels = {value: str(label) for value, label in Status.choices}  # translated once, not once a point
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {
                "id": pk,
                "title": title,
                "language": language,
                "supports": supports,
                "status": labels.get(status, status),
                "url": address.format(pk),
            },
        }
        for pk, title, language, longitude, latitude, supports, status in rows[:limit]
    ]
    return features, len(rows) > limit


def proposal_map(request):
    form, proposals, parameters = listing(request)
    districts = _map_districts(form)
    picture, _more = points(proposals, PICTURE_LIMIT)
    collection = districts_geojson(districts)
    context = {
        "form": form,
        "query": parameters.urlencode(),
        "districts_geojson": collection,
        "picture": {"type": "FeatureCollection", "features": [*collection["features"], *picture]},
        "map_limit": MAP_LIMIT,
    }
    return render(request, "proposals/proposal_map.html", context)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """`west,south,east,north` in degrees; ValueError when it is not."""
    parts = [float(part) for part in text.split(",")]
    if len(parts) != 4:
        raise ValueError(text)
    west, south, east, north = parts
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError(text)
    return west, south, east, north


def proposal_geojson(request):
    """The list's filters, within `bbox` when given: the MAP_LIMIT most supported proposals that have a point."""
    _form, proposals, _parameters = listing(request)
    if bbox := request.GET.get("bbox"):
        try:
            west, south, east, north = parse_bbox(bbox)
        except ValueError:
            return JsonResponse({"detail": _("bbox is west,south,east,north in degrees.")}, status=400)
        proposals = proposals.filter(longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)
    features, truncated = points(proposals, MAP_LIMIT)
    collection = {"type": "FeatureCollection", "features": features, "truncated": truncated, "limit": MAP_LIMIT}
    return JsonResponse(collection, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})


def space_detail(request, slug: str):
    space = get_object_or_404(Space.objects.select_related("body"), slug=slug)
    proposals = Proposal.objects.public().filter(space=space)
    context = {
        "space": space,
        "categories": list(space.categories.all()),
        "districts": list(services.districts_of(space).order_by("slug")),
        "page_obj": _page(request, proposals, ("-published_at", "-pk")),
        "query": "",
    }
    return render(request, "proposals/space_detail.html", context)


# A proposal's page and its doors ------------------------------------------------------------------------------


def proposal_detail(request, pk: int):
    proposal = _proposal(request, pk)
    user = request.user
    author = is_author(user, proposal)
    moves = {move.name for move in PROPOSAL_WORKFLOW.available(proposal, user)} if author else set()
    attachments = list(proposal.attachments.all())
    context = {
        "proposal": proposal,
        "is_author": author,
        "can_edit": author and proposal.status in (Status.DRAFT, *OPEN_STATUSES),
        "can_withdraw": "withdraw" in moves,
        "photos": [item for item in attachments if item.kind == item.Kind.PHOTO],
        "documents": [item for item in attachments if item.kind == item.Kind.DOCUMENT],
        "answers": list(proposal.answers.select_related("by")),
        "history": history_of(proposal),
        "comments": comment_tree(proposal, user),
        "support": support_state(proposal, user),
        "following": user.is_authenticated and Follow.objects.filter(proposal=proposal, user=user).exists(),
        "comment_form": CommentForm(),
        "member_of": list(Organisation.objects.approved().filter(memberships__user=user).order_by("name"))
        if user.is_authenticated
        else [],
        "report_form": ReportForm(),
        "point_geojson": {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": proposal.point, "properties": {"title": proposal.title}}],
        }
        if proposal.point
        else None,
    }
    return render(request, "proposals/proposal_detail.html", context)


def _refused(request, error) -> None:
    if isinstance(error, TransitionNotAllowed):
        messages.error(request, _("The proposal has moved on meanwhile; nothing was changed."))
    else:
        messages.error(request, str(error))


def _acting_organisation(request) -> Organisation | None:
    """The association a person acts for (a form's `organisation`), among those they belong to; else None."""
    pk = request.POST.get("organisation")
    if not pk:
        return None
    try:
        return Organisation.objects.get(pk=int(pk), memberships__user=request.user)
    except (ValueError, Organisation.DoesNotExist):
        raise PermissionDenied from None


@login_required
@require_POST
@limit("proposal.support", key="user", method="POST")
def proposal_support(request, pk: int):
    """Support the proposal (as oneself or an association one manages); `action=withdraw` takes it back."""
    proposal = _proposal(request, pk)
    organisation = _acting_organisation(request)
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_support(proposal, request.user, organisation)
            messages.success(request, _("Your support is withdrawn."))
        else:
            services.support(proposal, request.user, organisation)
            messages.success(request, _("Thank you: your support is counted."))
    except services.ProposalRefused as refused:
        _refused(request, refused)
    return redirect(f"{proposal.get_absolute_url()}#support")


@login_required
@require_POST
@limit("proposal.support", group="proposal.follow", key="user", method="POST")
def proposal_follow(request, pk: int):
    proposal = _proposal(request, pk)
    if request.POST.get("action") == "unfollow":
        services.unfollow(proposal, request.user)
        messages.success(request, _("You no longer follow this proposal."))
    else:
        services.follow(proposal, request.user)
        messages.success(request, _("You follow this proposal: you will hear of each step."))
    return redirect(proposal)


@login_required
@require_POST
@limit("proposal.comment", key="user", method="POST")
def proposal_comment(request, pk: int):
    proposal = _proposal(request, pk)
    if CommentForm.is_bot(request.POST):
        return HttpResponseBadRequest(_("The comment could not be sent."))
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(f"{proposal.get_absolute_url()}#comments")
    parent = None
    if form.cleaned_data["parent"]:
        parent = get_object_or_404(Comment, pk=form.cleaned_data["parent"], proposal=proposal)
    try:
        made = services.comment(
            proposal,
            request.user,
            form.cleaned_data["text"],
            language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
            parent=parent,
            organisation=_acting_organisation(request),
        )
    except services.ProposalRefused as refused:
        _refused(request, refused)
        return redirect(f"{proposal.get_absolute_url()}#comments")
    messages.success(request, _("Your comment is published."))
    return redirect(f"{proposal.get_absolute_url()}#comment-{made.pk}")


@login_required
@require_POST
@limit("proposal.report", key="user", method="POST")
def proposal_report(request, pk: int):
    """Report the proposal, or one of its comments (`comment`), to the moderators, with a reason."""
    proposal = _proposal(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why you report it."))
        return redirect(proposal)
    target = None
    if form.cleaned_data["comment"]:
        target = get_object_or_404(Comment, pk=form.cleaned_data["comment"], proposal=proposal)
    try:
        services.report(
            request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            proposal=None if target else proposal,
            target=target,
        )
    except services.ProposalRefused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Thank you: the moderators will look at your report."))
    return redirect(f"{proposal.get_absolute_url()}#comment-{target.pk}" if target else proposal.get_absolute_url())


def attachment(request, pk: int, file_pk: int):
    """A photo (shown in the page) or a document (downloaded) of a proposal the visitor may read."""
    proposal = _proposal(request, pk)
    item = get_object_or_404(proposal.attachments.all(), pk=file_pk)
    photo = item.kind == item.Kind.PHOTO
    response = FileResponse(
        item.file.open("rb"), as_attachment=not photo, filename=item.name, content_type=item.content_type
    )
    # Private even when public: a shared cache would go on serving the file of a proposal hidden meanwhile.
    response["Cache-Control"] = "private, max-age=3600" if proposal.is_public else "private, no-store"
    return protect_media_response(response)


# Writing --------------------------------------------------------------------------------------------------------


@login_required
@limit("proposal", key="user", method="POST")
def proposal_new(request, slug: str):
    space = get_object_or_404(Space.objects.select_related("body"), slug=slug)
    form = ProposalForm(request.POST or None, request.FILES or None, space=space, user=request.user)
    status = 200
    if request.method == "POST":
        if ProposalForm.is_bot(request.POST):
            form.is_valid()
            form.add_error(None, _("Your proposal could not be sent. Try again."))
            status = 400
        elif form.is_valid():
            try:
                proposal = services.write(space, request.user, form.draft())
            except services.ProposalRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("Your proposal %(reference)s is published. Share it so that others support it.")
                    % {"reference": proposal.reference},
                )
                return redirect(proposal)
    context = {
        "space": space,
        "form": form,
        "is_open": space.is_open(),
        "districts": districts_geojson(services.districts_of(space).order_by("slug")),
    }
    return render(request, "proposals/proposal_form.html", context, status=status)


def _authors_proposal(request, pk: int) -> Proposal:
    proposal = _proposal(request, pk)
    if not is_author(request.user, proposal):
        raise PermissionDenied
    return proposal


@login_required
@limit("proposal", group="proposal.edit", key="user", method="POST")
def proposal_edit(request, pk: int):
    """The author changes the title and the text; once published, the change is kept and shown as a diff."""
    proposal = _authors_proposal(request, pk)
    form = ProposalEditForm(request.POST or None, initial={"title": proposal.title, "text": proposal.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit(proposal, request.user, title=form.cleaned_data["title"], text=form.cleaned_data["text"])
        except services.ProposalRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Your proposal is changed; its page shows what changed."))
            return redirect(proposal)
    return render(request, "proposals/proposal_edit.html", {"proposal": proposal, "form": form})


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    proposal = _authors_proposal(request, pk)
    try:
        services.withdraw(proposal, request.user)
    except TransitionNotAllowed as error:
        _refused(request, error)
    else:
        messages.success(request, _("Your proposal is withdrawn."))
    return redirect(proposal)


@login_required
@limit("proposal.comment", group="proposal.comment.edit", key="user", method="POST")
def comment_edit(request, pk: int):
    """The author corrects a comment within PROPOSALS_COMMENT_EDIT_MINUTES of writing it."""
    target = get_object_or_404(Comment.objects.select_related("proposal"), pk=pk)
    proposal = _proposal(request, target.proposal_id)
    if target.author_id != request.user.pk:
        raise Http404
    form = CommentEditForm(request.POST or None, initial={"text": target.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(target, request.user, form.cleaned_data["text"])
        except services.ProposalRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Your comment is corrected."))
            return redirect(f"{proposal.get_absolute_url()}#comment-{target.pk}")
    return render(request, "proposals/comment_edit.html", {"proposal": proposal, "comment": target, "form": form})
