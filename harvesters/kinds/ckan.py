"""CKAN portals through their action API (`ckanapi`): the datasets of an organisation, a group or a query.

Gathering lists the packages with package_search, a thousand a page (CKAN's `ckan.search.rows_max`), sorted by
id so that a dataset edited while we page does not move between pages; each listed package dict is the object's
content, as in ckanext-harvest's CKAN harvester, so nothing is fetched one by one. Incremental runs, the way
ckanext-harvest asks: with `since` (the newest metadata_modified of the last complete run), the ids of every
package are listed cheaply (`fl=id,name,metadata_modified`; a CKAN that ignores `fl` gives whole dicts, which are
used as they come) so that a package gone from the source is still noticed, and whole dicts are asked only for
those with `fq=metadata_modified:[since TO *]`. The others are gathered without content: the runner skips them
when their metadata_modified is the one last imported, and fetches them (package_show) otherwise.

Options (`source.options`): `organization`, `group`, `q`, `fq`, and `datastore` (true: the CSV, XLSX and JSON
resources' files are downloaded, within HARVEST_MAX_BYTES, and stored as their resources' versions through
`opendata.services.add_version`, the one ingest, which loads them into the DataStore).
"""

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import ckanapi
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opendata import services
from opendata.importing import (
    DatasetRecord,
    ResourceRecord,
    match_licence,
)
from opendata.models import Dataset

from .. import network
from . import register
from .base import Gathered, Imported, NetworkFailure, ObjectFailure, SourceFailure, SourceKind
from .datasets import import_record, withdraw_record

PAGE_SIZE = 1000  # CKAN's default ckan.search.rows_max: a larger page is cut to it
LIST_FIELDS = ["id", "name", "metadata_modified"]
DATASTORE_FORMATS = {"CSV", "XLSX", "JSON"}


def user_agent() -> str:
    return f"{settings.WAGTAIL_SITE_NAME} harvester (ckanapi; +{settings.WAGTAILADMIN_BASE_URL})"


# Reading CKAN's package dicts -----------------------------------------------------------------------------------


def normalise_time(value: Any) -> str:
    """metadata_modified as one sortable form: UTC, milliseconds, no offset ("" when it is not a time).

    CKAN's package dicts write it without an offset and with microseconds, but package_search with `fl` reads it
    from Solr, which keeps milliseconds and adds "Z": cut to milliseconds, the two agree, and a package listed
    by its id alone is known unchanged. Portals behind other software add an offset or drop the fractions."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds")


def extras_of(package: dict) -> dict[str, str]:
    """The package's extras as a dict: CKAN gives a list of {key, value}; some portals a dict."""
    extras = package.get("extras") or []
    if isinstance(extras, dict):
        return {str(key): value for key, value in extras.items() if isinstance(value, str)}
    return {
        str(item["key"]): item["value"]
        for item in extras
        if isinstance(item, dict) and "key" in item and isinstance(item.get("value"), str)
    }


def texts(package: dict, field: str) -> dict[str, str]:
    """Language → text of `field`: `<field>_translated` (ckanext-fluent), `field` as a dict of languages
    (ckanext-scheming's multilingual fields), or `field` in a language we do not know ("")."""
    for value in (package.get(f"{field}_translated"), package.get(field)):
        if isinstance(value, dict):
            found = {str(code).split("-")[0].split("_")[0].lower(): text for code, text in value.items()}
            found = {code: text.strip() for code, text in found.items() if isinstance(text, str) and text.strip()}
            if found:
                return found
    value = package.get(field)
    return {"": value.strip()} if isinstance(value, str) and value.strip() else {}


def names_of(items: Any) -> list[str]:
    """Names from CKAN's lists of {name, display_name, title} or of strings; fluent tags: {language: [names]}."""
    if isinstance(items, dict):
        return [name for values in items.values() if isinstance(values, list) for name in names_of(values)]
    names = []
    for item in items if isinstance(items, list) else []:
        name = item.get("name") or item.get("display_name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def licence_of(package: dict) -> str:
    """The licence as the portal may know it: CKAN's id, else its address, else its title."""
    values = [package.get(key) for key in ("license_id", "license_url", "license_title")]
    candidates: list[str] = [value for value in values if isinstance(value, str) and value.strip()]
    for value in candidates:
        if match_licence(value) is not None:
            return value
    return candidates[0] if candidates else ""


def resource_record(resource: dict) -> ResourceRecord:
    return ResourceRecord(
        url=str(resource.get("url") or "").strip(),
        name=texts(resource, "name"),
        description=texts(resource, "description"),
        format=str(resource.get("format") or ""),
        media_type=str(resource.get("mimetype") or ""),
    )


def themes_of(package: dict, extras: dict[str, str]) -> list[str]:
    """Groups by name, and ckanext-dcat's `theme` extra (a JSON list of theme addresses, or one address)."""
    themes = names_of(package.get("groups"))
    theme = extras.get("theme") or package.get("theme")
    if isinstance(theme, list):
        themes += [value for value in theme if isinstance(value, str)]
    elif isinstance(theme, str) and theme.strip():
        themes += re.findall(r"https?://[^\s\"',\]]+", theme) or [theme.strip()]
    return list(dict.fromkeys(themes))


def package_to_record(package: dict) -> DatasetRecord:
    """A CKAN package dict as the portal's DatasetRecord; what cannot be read is noted in its problems."""
    extras = extras_of(package)

    def value(*keys: str) -> str:
        for key in keys:
            found = package.get(key) if isinstance(package.get(key), str) else extras.get(key)
            if isinstance(found, str) and found.strip():
                return found.strip()
        return ""

    name = value("name") or str(package.get("id") or "")
    record = DatasetRecord(
        name=name,
        title=texts(package, "title"),
        notes=texts(package, "notes"),
        licence=licence_of(package),
        tags=names_of(package.get("tags")) + names_of(package.get("tags_translated")),
        themes=themes_of(package, extras),
        frequency=value("frequency", "accrual_periodicity"),
        temporal_start=value("temporal_start"),
        temporal_end=value("temporal_end"),
        spatial=value("spatial_text") or (value("spatial") if not value("spatial").startswith("{") else ""),
        version=value("version"),
        contact_email=value("maintainer_email", "author_email", "contact_email"),
    )
    record.tags = list(dict.fromkeys(record.tags))
    for resource in package.get("resources") or []:
        if not isinstance(resource, dict):
            continue
        item = resource_record(resource)
        if not item.url:
            record.problems.append(_("A resource of dataset %(dataset)s has no address: left out.") % {"dataset": name})
            continue
        record.resources.append(item)
    return record


# Talking to CKAN ------------------------------------------------------------------------------------------------


def site_of(source) -> str:
    return source.url.rstrip("/").removesuffix("/api/3").removesuffix("/api")


def _check_answer(response: requests.Response, *args, **kwargs) -> None:
    """A response hook, reading headers only (the guarded session reads the body after, within its cap): a server
    failure is worth retrying; a web page where CKAN answers JSON means the address is not a CKAN's API."""
    if response.status_code >= 500 or response.status_code == 429:
        raise NetworkFailure(
            _("%(url)s answered with the error %(status)s") % {"url": response.url, "status": response.status_code}
        )
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        raise SourceFailure(
            _("%(url)s answered with a web page where the CKAN API answers JSON: is it a CKAN portal?")
            % {"url": response.url}
        )


def connect(source) -> ckanapi.RemoteCKAN:
    session = network.guarded_session()
    session.hooks["response"].append(_check_answer)
    return ckanapi.RemoteCKAN(site_of(source), session=session, user_agent=user_agent())


def call(remote: ckanapi.RemoteCKAN, action: str, **data) -> Any:
    """The action's result; CKAN's errors as SourceFailure in plain words (NetworkFailure passes through)."""
    try:
        return remote.call_action(action, data)
    except ckanapi.NotFound as error:
        message = _("CKAN found nothing for %(action)s: %(error)s") % {"action": action, "error": error}
        raise SourceFailure(message) from None
    except ckanapi.NotAuthorized:
        raise SourceFailure(_("CKAN refuses %(action)s to us (not authorised).") % {"action": action}) from None
    except (ckanapi.ValidationError, ckanapi.SearchQueryError, ckanapi.SearchError) as error:
        raise SourceFailure(_("CKAN refused the %(action)s: %(error)s") % {"action": action, "error": error}) from None
    except ckanapi.ServerIncompatibleError:
        raise SourceFailure(_("The address does not answer as a CKAN portal does.")) from None
    except ckanapi.CKANAPIError as error:
        # success: false without an error CKAN names, or an answer that is not JSON (its text is in the error).
        if re.search(r'"success"\s*:\s*false', str(error)):
            message = _("CKAN answered %(action)s with a failure and no reason (success: false).")
        else:
            message = _("CKAN answered %(action)s with something that is not its JSON.")
        raise SourceFailure(message % {"action": action}) from None
    except requests.RequestException as error:
        raise NetworkFailure(_("CKAN could not be reached: %(error)s") % {"error": error}) from None


def filter_query(source, since: str = "") -> str:
    options = source.options or {}
    terms = []
    if options.get("organization"):
        terms.append(f'organization:"{options["organization"]}"')
    if options.get("group"):
        terms.append(f'groups:"{options["group"]}"')
    if options.get("fq"):
        terms.append(str(options["fq"]))
    if since:
        terms.append(f"metadata_modified:[{since}Z TO *]")
    return " ".join(terms)


def search(remote, source, *, since: str = "", fields: list[str] | None = None):
    """Every package package_search gives for the source's filters, page by page."""
    start = 0
    while True:
        data: dict[str, Any] = {
            "q": (source.options or {}).get("q") or "*:*",
            "fq": filter_query(source, since),
            "rows": PAGE_SIZE,
            "start": start,
            "sort": "id asc",
        }
        if fields:
            data["fl"] = fields
        result = call(remote, "package_search", **data)
        if not isinstance(result, dict) or not isinstance(result.get("results"), list):
            raise SourceFailure(_("CKAN's package_search answer has no list of results."))
        page, count = result["results"], int(result.get("count") or 0)
        if not page and start < count:
            # A listing cut short would look like datasets gone from the source: better no harvest than that.
            raise SourceFailure(
                _("CKAN's package_search stopped at %(start)s of the %(count)s datasets it counts.")
                % {"start": start, "count": count}
            )
        yield from (item for item in page if isinstance(item, dict) and item.get("id"))
        start += len(page)
        if not page or start >= count:
            return


@register
class CkanKind(SourceKind):
    name = "ckan"
    label = gettext_lazy("CKAN portal")
    targets = ("datasets",)

    def check(self, source) -> None:
        options = source.options or {}
        unknown = set(options) - {"organization", "group", "q", "fq", "datastore"}
        if unknown:
            raise ValidationError(
                {"options": _("Unknown options for a CKAN source: %(names)s") % {"names": ", ".join(sorted(unknown))}}
            )
        if "datastore" in options and not isinstance(options["datastore"], bool):
            raise ValidationError({"options": _("“datastore” is true or false.")})
        if not source.url:
            raise ValidationError({"url": _("Give the address of the CKAN portal.")})
        if urlsplit(source.url).scheme not in ("http", "https"):
            raise ValidationError({"url": _("A CKAN portal is read at an http or https address.")})

    def gathered(self, source, package: dict, content: dict | None) -> Gathered:
        site = site_of(source)
        return Gathered(
            remote_id=str(package["id"]),
            guid=f"{site}/dataset/{package['id']}",
            remote_url=f"{site}/dataset/{package.get('name') or package['id']}",
            modified=normalise_time(package.get("metadata_modified")),
            content=content,
        )

    def gather(self, source, since: str):
        remote = connect(source)
        since = normalise_time(since)
        if not since:
            return [self.gathered(source, item, item) for item in search(remote, source)]
        listed = list(search(remote, source, fields=LIST_FIELDS))
        if listed and "resources" in listed[0]:  # the portal ignored `fl`: whole dicts already
            return [self.gathered(source, item, item) for item in listed]
        changed = {item["id"]: item for item in search(remote, source, since=since)}
        return [self.gathered(source, item, changed.get(item["id"])) for item in listed]

    def fetch(self, source, gathered: Gathered) -> Any:
        try:
            return call(connect(source), "package_show", id=gathered.remote_id)
        except NetworkFailure:
            raise
        except SourceFailure as failure:
            raise ObjectFailure(str(failure)) from None

    def import_object(self, source, obj, content: Any) -> Imported:
        if not isinstance(content, dict):
            raise ObjectFailure(_("The CKAN package is not a JSON object."))
        imported = import_record(source, obj, package_to_record(content))
        if (source.options or {}).get("datastore") and isinstance(imported.record, Dataset):
            imported.warnings += fetch_files(imported.record)
        return imported

    def withdraw(self, source, obj) -> None:
        withdraw_record(obj)


def fetch_files(dataset: Dataset) -> list[str]:
    """Store the files of the dataset's CSV, XLSX and JSON links that have none yet as their resources' versions
    (add_version: the one ingest, which loads tables into the DataStore); return what could not be fetched.

    A file is fetched once: a later change at the source comes as a new link or a new harvest of the resource."""
    problems = []
    for resource in dataset.resources.filter(format__in=DATASTORE_FORMATS, versions__isnull=True):
        if not resource.url:
            continue
        name = PurePosixPath(urlsplit(resource.url).path).name or f"data.{resource.format.lower()}"
        if not name.lower().endswith(f".{resource.format.lower()}"):
            name = f"{name}.{resource.format.lower()}"
        with tempfile.TemporaryDirectory() as folder:
            try:
                path = network.download(resource.url, Path(folder) / "file", max_bytes=settings.HARVEST_MAX_BYTES)
                with transaction.atomic(), path.open("rb") as handle:
                    services.add_version(resource, File(handle, name=name), filename=name)
            except (SourceFailure, services.UploadRefused) as failure:
                message = failure.messages[0] if isinstance(failure, ValidationError) else str(failure)
                problems.append(
                    _("The file of %(url)s was not stored: %(reason)s") % {"url": resource.url, "reason": message}
                )
    return problems
