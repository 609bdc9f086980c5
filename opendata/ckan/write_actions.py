"""The writing actions of the CKAN-compatible API, as in CKAN 2.10's create.py, update.py, patch.py, delete.py.

A token's holder writes what the admin would let them write, through the admin's own pieces: the admin's
forms validate (`admin_forms`, the bodies and datasets they offer are the caller's), a dataset's status
changes by its moves (`Dataset.set_status`: only a publisher publishes or withdraws), files go to
`services.upload_version` (the one ingest), and every change goes to Wagtail's audit log as in the admin.

CKAN's fields map to ours: `owner_org` is a body's name (or id), `license_id` a licence, `groups` themes,
`tags` keywords, `title`/`notes` the text in the call's language (`lang`) while `title_translated` and
`notes_translated` set each language, `maintainer_email` the contact, and the extras `frequency`,
`temporal_start`, `temporal_end`, `spatial_text` the DCAT fields. The status: `private: true` or
`state: "draft"` is a draft, `private: false` or `state: "active"` published; a new dataset without either
is published, as CKAN's are public by default (an editor sends `private: true`). package_update replaces the
metadata it is given and clears what it omits, but keeps name, body, status and licence unless given, and never
touches resources (CKAN 2.10 keeps them when `resources` is absent; here they change by resource_* only).

package_delete is CKAN's soft delete: a published dataset is withdrawn (state "deleted", its address stays
taken, a publisher may publish it again); a draft, which the public never saw, is deleted for good.
"""

import dataclasses
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.forms.models import model_to_dict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.bodies.models import PublicBody
from portal.workflow import TransitionNotAllowed

from .. import permissions, services
from ..admin_forms import DatasetForm, ResourceForm
from ..catalogue import with_related
from ..models import DATASET_WORKFLOW, Dataset, Licence, Resource, Theme
from . import dictization
from .actions import Context, _pop_id, _uuid_or_none
from .schema import (
    MISSING,
    Invalid,
    NotAuthorized,
    NotFound,
    ValidationError,
    boolean,
    json_if_string,
    natural_number,
    one_of,
    unicode_safe,
    validate,
)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# The admin form's fields, and the CKAN field an error on each is reported under.
DATASET_ERROR_FIELDS = {
    "body": "owner_org",
    "licence": "license_id",
    "themes": "groups",
    "status": "state",
    "contact_email": "maintainer_email",
    "spatial": "extras",
    "frequency": "extras",
    "temporal_start": "extras",
    "temporal_end": "extras",
    **{f"title_{code}": "title" for code in LANGUAGE_CODES},
    **{f"notes_{code}": "notes" for code in LANGUAGE_CODES},
}
RESOURCE_ERROR_FIELDS = {
    "dataset": "package_id",
    "file": "upload",
    "declared_schema": "schema",
    **{f"name_{code}": "name" for code in LANGUAGE_CODES},
    **{f"description_{code}": "description" for code in LANGUAGE_CODES},
}


def _text(value):
    return unicode_safe(value)


PACKAGE_SCHEMA = {
    "name": [_text],
    "owner_org": [_text],
    "title": [_text],
    "notes": [_text],
    "title_translated": [json_if_string],
    "notes_translated": [json_if_string],
    "license_id": [_text],
    "version": [_text],
    "maintainer_email": [_text],
    "private": [boolean],
    "state": [one_of("active", "draft", "deleted")],
    "tags": [json_if_string],
    "tag_string": [_text],
    "groups": [json_if_string],
    "extras": [json_if_string],
}
RESOURCE_SCHEMA = {
    "name": [_text],
    "description": [_text],
    "name_translated": [json_if_string],
    "description_translated": [json_if_string],
    "url": [_text],
    "url_type": [_text],
    "format": [_text],
    "position": [natural_number],
    "schema": [json_if_string],
}


def _require_user(context: Context, action: str):
    """The caller, who must hold a token: CKAN's message for an anonymous write."""
    if not context.user.is_authenticated:
        raise NotAuthorized(f"Action {action} requires an authenticated user")
    return context.user


def _check_translated(params: dict, key: str) -> dict[str, str]:
    value = params.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        raise ValidationError({key: ["Must be an object of language → text"]})
    return {code: value.get(code, "") for code in LANGUAGE_CODES}


def _translated(params: dict, field: str, current: dict[str, str]) -> dict[str, str]:
    """`{field}_{code}` values: `<field>_translated` sets every language, else `<field>` the call's language."""
    texts = _check_translated(params, f"{field}_translated")
    if not texts and field in params:
        texts = {**current, (get_language() or settings.LANGUAGE_CODE).split("-")[0]: params[field]}
    return {f"{field}_{code}": texts.get(code, "") for code in LANGUAGE_CODES} if texts else {}


def _names(value, key: str) -> list[str]:
    """Names from CKAN's list of `{"name": …}` (or of plain names)."""
    if not isinstance(value, list):
        raise ValidationError({key: ["Not a list"]})
    names = []
    for item in value:
        name = item.get("name") or item.get("id") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise ValidationError({key: ["Each item needs a name"]})
        names.append(name.strip())
    return names


def _find_body(value: str) -> PublicBody:
    key = _uuid_or_none(value)
    body = PublicBody.objects.filter(Q(uuid=key) if key else Q(slug=value)).first()
    if body is None:
        raise ValidationError({"owner_org": ["Organization does not exist"]})
    return body


def _tags_text(names: list[str]) -> str:
    # taggit reads a comma-separated list; quotes keep names with spaces or commas whole.
    return ", ".join('"{}"'.format(name.replace('"', "")) for name in names)


def _asked_status(params: dict, current: str | None) -> str:
    if params.get("state") == "deleted":
        return Dataset.Status.WITHDRAWN
    if params.get("state") == "draft" or params.get("private") is True:
        return Dataset.Status.DRAFT
    if params.get("private") is False or params.get("state") == "active":
        return Dataset.Status.PUBLISHED
    return current or Dataset.Status.PUBLISHED


def _current_dataset_data(dataset: Dataset) -> dict:
    data = model_to_dict(dataset, fields=[name for name in DatasetForm.Meta.fields if name not in ("tags", "themes")])
    data["themes"] = [theme.pk for theme in dataset.themes.all()]
    data["tags"] = _tags_text([tag.name for tag in dataset.tags.all()])
    return {key: "" if value is None else value for key, value in data.items()}


def _dataset_data(params: dict, dataset: Dataset | None, *, replace: bool) -> dict:
    """The admin form's data for the CKAN `params`, over the dataset's current values (none for a new one)."""
    data = _current_dataset_data(dataset) if dataset else {"frequency": Dataset.Frequency.UNKNOWN}
    if replace:
        for code in LANGUAGE_CODES:
            data[f"title_{code}"] = data[f"notes_{code}"] = ""
        data.update(tags="", themes=[], version="", contact_email="", spatial="", temporal_start="")
        data.update(temporal_end="", frequency=Dataset.Frequency.UNKNOWN)
    for field in ("title", "notes"):
        current = {code: (getattr(dataset, f"{field}_{code}") if dataset else "") for code in LANGUAGE_CODES}
        data.update(_translated(params, field, {} if replace else current))
    if "name" in params:
        data["name"] = params["name"]
    if "owner_org" in params:
        data["body"] = _find_body(params["owner_org"]).pk
    if "license_id" in params:
        licence = Licence.objects.filter(slug=params["license_id"]).first()
        if licence is None:
            raise ValidationError({"license_id": [_("Unknown licence: see license_list.")]})
        data["licence"] = licence.pk
    elif dataset is None:
        data["licence"] = Licence.objects.filter(slug="notspecified").values_list("pk", flat=True).first() or ""
    if "tags" in params:
        data["tags"] = _tags_text(_names(params["tags"], "tags"))
    elif "tag_string" in params:
        data["tags"] = _tags_text([name.strip() for name in params["tag_string"].split(",") if name.strip()])
    if "groups" in params:
        data["themes"] = _themes(_names(params["groups"], "groups"))
    if "version" in params:
        data["version"] = params["version"]
    if "maintainer_email" in params:
        data["contact_email"] = params["maintainer_email"]
    if "extras" in params:
        data.update(_extras(params["extras"]))
    return data


def _themes(names: list[str]) -> list[int]:
    themes = {theme.slug: theme.pk for theme in Theme.objects.all()}
    themes.update({dictization.theme_id(theme): theme.pk for theme in Theme.objects.all()})
    unknown = [name for name in names if name not in themes]
    if unknown:
        raise ValidationError({"groups": [_("Unknown groups: %(names)s") % {"names": ", ".join(unknown)}]})
    return [themes[name] for name in names]


def _extras(extras) -> dict:
    """Our DCAT fields from CKAN's extras (as dictization writes them); other keys have nowhere to go."""
    if not isinstance(extras, list) or not all(isinstance(item, dict) for item in extras):
        raise ValidationError({"extras": ["Not a list of {key, value}"]})
    values = {item.get("key"): item.get("value") for item in extras}
    data = {}
    if isinstance(values.get("frequency"), str):
        data["frequency"] = values["frequency"].removeprefix(dictization.FREQUENCY_URI)
    for key in ("temporal_start", "temporal_end"):
        if isinstance(values.get(key), str):
            data[key] = values[key]
    if isinstance(values.get("spatial_text"), str):
        data["spatial"] = values["spatial_text"]
    return data


def _form_errors(form, fields: dict[str, str]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        errors.setdefault(fields.get(name, name), []).extend(str(message) for message in messages)
    return ValidationError(errors)


def _package_result(context: Context, dataset: Dataset) -> dict:
    return dictization.package_dict(with_related(Dataset.objects.filter(pk=dataset.pk)).get(), context.absolute)


def _editable_dataset(context: Context, identifier: str, action: str) -> Dataset:
    """The dataset named or identified by `identifier`, if the caller edits its body (404, else 403)."""
    key = _uuid_or_none(identifier)
    dataset = Dataset.objects.select_related("body").filter(Q(uuid=key) if key else Q(name=identifier)).first()
    if dataset is None:
        raise NotFound(_("Dataset not found"))
    if not permissions.can_manage_dataset(context.user, dataset):
        raise NotAuthorized(f"User not authorized to {action} package {dataset.uuid}")
    return dataset


def _save_package(context: Context, data: dict, dataset: Dataset | None, *, replace: bool) -> dict:
    """Validate `data` with the admin's form, check the caller's roles, save, then make the status move."""
    user = context.user
    params = validate(data, PACKAGE_SCHEMA)
    if dataset is None and "name" not in params:
        raise ValidationError({"name": ["Missing value"]})
    if dataset is None and "owner_org" not in params:
        raise ValidationError({"owner_org": ["Missing value"]})
    old_status = dataset.status if dataset else None
    form_data = _dataset_data(params, dataset, replace=replace)
    body = PublicBody.objects.get(pk=form_data["body"])
    if not permissions.can_manage_body(user, body):
        raise NotAuthorized(f"User not authorized to add dataset to organization {body.slug}")
    status = _asked_status(params, old_status)
    if not permissions.can_set_status(user, body, old_status, status):
        raise NotAuthorized(_("Only a publisher of this body may publish or withdraw its datasets."))
    if not DATASET_WORKFLOW.allows(old_status or Dataset.Status.DRAFT, status):
        raise ValidationError({"state": [_("A draft is published before it can be withdrawn.")]})
    form = DatasetForm(data={**form_data, "status": status}, instance=dataset, for_user=user)
    if not form.is_valid():
        raise _form_errors(form, DATASET_ERROR_FIELDS)
    try:
        with transaction.atomic():
            # As the admin: the form saves the metadata, the dataset's move changes the status (and logs it).
            form.instance.status = old_status or Dataset.Status.DRAFT
            saved = form.save()
            action = "wagtail.edit" if dataset else "wagtail.create"
            log(instance=saved, action=action, user=user, content_changed=True)
            saved.set_status(status, by=user)
    except PermissionDenied:  # the move asks the role again
        raise NotAuthorized(_("Only a publisher of this body may publish or withdraw its datasets.")) from None
    except TransitionNotAllowed as error:  # someone else moved the dataset meanwhile
        raise ValidationError({"state": [str(error)]}) from None
    return _package_result(context, saved)


def package_create(context: Context, data: dict) -> dict:
    """Create a dataset and return it: name and owner_org (a body you edit for) are required; title or
    title_translated, notes, license_id (see license_list), tags, groups, version, maintainer_email, extras
    (frequency, temporal_start, temporal_end, spatial_text), resources (links: url, name, format…). Published
    unless private is true or state is "draft": only a body's publisher publishes."""
    _require_user(context, "package_create")
    resources = data.get("resources") or []
    if not isinstance(resources, list) or not all(isinstance(item, dict) for item in resources):
        raise ValidationError({"resources": ["Not a list of resources"]})
    with transaction.atomic():
        package = _save_package(context, data, None, replace=False)
        if resources:
            # Links only: files come with resource_create. One bad resource undoes the whole call.
            dataset = Dataset.objects.get(uuid=package["id"])
            links_only = dataclasses.replace(context, files={}, refused_uploads=set())
            errors: list[dict] = []
            for item in resources:
                try:
                    _save_resource(links_only, item, None, dataset, replace=False)
                    errors.append({})
                except ValidationError as error:
                    errors.append(error.errors)
            if any(errors):
                raise ValidationError({"resources": errors})
            package = _package_result(context, dataset)
    return package


def package_update(context: Context, data: dict) -> dict:
    """Update a dataset (id or name): the metadata given replaces the old, what is omitted is cleared (name,
    owner_org, licence and status are kept unless given); resources are left as they are."""
    _require_user(context, "package_update")
    dataset = _editable_dataset(context, _pop_id(data, "name"), "edit")
    return _save_package(context, data, dataset, replace=True)


def package_patch(context: Context, data: dict) -> dict:
    """Change only the fields given of a dataset (id or name), as CKAN's package_patch."""
    _require_user(context, "package_patch")
    dataset = _editable_dataset(context, _pop_id(data, "name"), "edit")
    return _save_package(context, data, dataset, replace=False)


def package_delete(context: Context, data: dict) -> None:
    """Delete a dataset (id or name) as CKAN does, softly: a published one is withdrawn (state "deleted",
    by a publisher); a draft is deleted for good; a withdrawn one stays as it is."""
    user = _require_user(context, "package_delete")
    dataset = _editable_dataset(context, _pop_id(data), "delete")
    if not permissions.can_delete_dataset(user, dataset):
        raise NotAuthorized(f"User not authorized to delete package {dataset.uuid}")
    if dataset.status == Dataset.Status.PUBLISHED:
        dataset.withdraw(by=user)
    elif dataset.status == Dataset.Status.DRAFT:
        with transaction.atomic():
            log(instance=dataset, action="wagtail.delete", user=user)
            dataset.delete()
    return None


# Resources -----------------------------------------------------------------------------------------------


def _current_resource_data(resource: Resource) -> dict:
    data = model_to_dict(resource, fields=ResourceForm.Meta.fields)
    data["declared_schema"] = json.dumps(resource.declared_schema) if resource.declared_schema else ""
    return {key: "" if value is None else value for key, value in data.items()}


def _resource_data(params: dict, resource: Resource | None, dataset: Dataset, *, replace: bool) -> dict:
    """The admin form's data for the CKAN `params`, over the resource's current values."""
    if resource is None:
        position = dataset.resources.aggregate(last=Max("position"))["last"]
        data = {"dataset": dataset.pk, "position": 0 if position is None else position + 1}
    else:
        data = _current_resource_data(resource)
    if replace:
        for code in LANGUAGE_CODES:
            data[f"name_{code}"] = data[f"description_{code}"] = ""
        data.update(url="", format="", declared_schema="")
    for field in ("name", "description"):
        current = {code: (getattr(resource, f"{field}_{code}") if resource else "") for code in LANGUAGE_CODES}
        data.update(_translated(params, field, {} if replace else current))
    # The address resource_show gives an uploaded file is ours: sent back, it is not a link.
    is_upload = params.get("url_type") == "upload" or (resource is not None and resource.versions.exists())
    if "url" in params and not is_upload:
        data["url"] = params["url"]
    if "format" in params:
        data["format"] = params["format"]
    if "position" in params:
        data["position"] = params["position"]
    if "schema" in params:
        data["declared_schema"] = json.dumps(params["schema"]) if params["schema"] else ""
    return data


def _save_resource(context: Context, data: dict, resource: Resource | None, dataset: Dataset, *, replace) -> dict:
    """Validate with the admin's form, save, and hand an `upload` to the one ingest, all or nothing."""
    params = validate(data, RESOURCE_SCHEMA)
    upload = context.files.get("upload")
    form = ResourceForm(
        data=_resource_data(params, resource, dataset, replace=replace),
        files={"file": upload} if upload else {},
        instance=resource,
        for_user=context.user,
        refused_uploads={"file"} if "upload" in context.refused_uploads else (),
    )
    if not form.is_valid():
        raise _form_errors(form, RESOURCE_ERROR_FIELDS)
    try:
        with transaction.atomic():
            saved = form.save()
            action = "wagtail.edit" if resource else "wagtail.create"
            log(instance=saved, action=action, user=context.user, content_changed=True)
            if form.uploaded_file is not None:
                services.upload_version(saved, form.uploaded_file, context.user, header=form.header)
    except services.UploadRefused as error:
        # Nothing of the call is kept: the resource and its earlier versions are as they were.
        raise ValidationError({"upload": [str(message) for message in error.messages]}) from None
    saved = Resource.objects.select_related("dataset", "current_version").get(pk=saved.pk)
    return dictization.resource_dict(saved, saved.dataset, context.absolute)


def _editable_resource(context: Context, identifier: str) -> Resource:
    key = _uuid_or_none(identifier)
    resource = Resource.objects.select_related("dataset__body").filter(uuid=key).first() if key else None
    if resource is None:
        raise NotFound(_("Resource was not found."))
    if not permissions.can_manage_dataset(context.user, resource.dataset):
        raise NotAuthorized(f"User not authorized to edit resource {resource.uuid}")
    return resource


def resource_create(context: Context, data: dict) -> dict:
    """Add a resource to a dataset (package_id) and return it: a link (url) or a file sent as `upload`
    (multipart/form-data), which is stored and loaded as an upload in the admin is; name, description,
    format, schema (a Table Schema)."""
    _require_user(context, "resource_create")
    package_id = validate(data, {"package_id": [_not_missing_text]})["package_id"]
    dataset = _editable_dataset(context, package_id, "edit")
    return _save_resource(context, data, None, dataset, replace=False)


def resource_update(context: Context, data: dict) -> dict:
    """Update a resource (id): the fields given replace the old, omitted ones are cleared; an `upload`
    becomes its next version (earlier versions stay)."""
    _require_user(context, "resource_update")
    resource = _editable_resource(context, _pop_id(data))
    return _save_resource(context, data, resource, resource.dataset, replace=True)


def resource_patch(context: Context, data: dict) -> dict:
    """Change only the fields given of a resource (id); an `upload` becomes its next version."""
    _require_user(context, "resource_patch")
    resource = _editable_resource(context, _pop_id(data))
    return _save_resource(context, data, resource, resource.dataset, replace=False)


def _not_missing_text(value):
    if value is MISSING or value in (None, ""):
        raise Invalid("Missing value")
    return unicode_safe(value)


WRITE_ACTIONS = {
    function.__name__: function
    for function in (
        package_create,
        package_update,
        package_patch,
        package_delete,
        resource_create,
        resource_update,
        resource_patch,
    )
}
