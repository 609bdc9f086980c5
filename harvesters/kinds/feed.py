"""Feeds of council decisions: RSS 2.0, Atom or JSON Feed 1.1, each entry a decision with its attached files.

RSS and Atom are read by feedparser once harvesters.safety has refused unsafe XML (entities, DTDs); JSON Feed is
plain JSON. Each entry is one harvest object (its id or guid, else its link) and its content is the entry already
reduced to plain data, so that the runner hashes it and an unchanged entry imports nothing. Every text of an
entry is turned from HTML into plain text here: markup in a feed never reaches a page as markup.

An entry becomes one row of `cms.importing.import_decisions` (its columns, in the council of the source's body):
- `reference`: a category or tag "reference:2025/014" (or an Atom category whose `scheme` is "reference"),
  else the first match in the title of the source's `reference_pattern` option (a regular expression with a group
  named `reference`; by default numbers around a slash: "2025/014", "14/2025");
- `decision_date`: a tag "decision_date:2025-04-12", else the date the entry was published, else updated;
  `session_date`: a tag "session_date:…", else the decision date;
- `title` the entry's title, `summary` its summary (else the start of its content, else its title), `full_text`
  its content; `outcome` a tag "outcome:…", else the source's `outcome` option, else "adopted";
- any other column (votes_for, topics, legal_basis…) from a tag "column:value";
- `attachments`: the RSS enclosures, Atom links rel="enclosure" and JSON Feed attachments, downloaded (within the
  size limit of documents) and stored as the decision's documents, the first as the signed deliberation.
The source's mapping (portal.importing.ColumnMapping) can take a column from another tag or field of the entry
(`{"columns": {"reference": "numero"}}` for tags "numero:…"; the fields are id, link, title, summary, content,
published, updated) and translate values (`{"values": {"outcome": {"approuvée": "adopted"}}}`).

Feeds show their latest entries, so an entry gone from the feed is withdrawn only when the source's `complete`
option says the feed lists every decision (as RFC 5005's fh:complete); then, gone for `withdraw_after` runs, its
decision page is unpublished, never deleted.
Should it come back, its changes wait as a draft (the decision import never republishes a page taken offline: staff
may have done it) and the job reports it. With the source's `publish` off, new decisions arrive unpublished and
changes to published ones as drafts; the sessions they name are created published.
"""

import io
import json
import mimetypes
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Target
from . import register
from .base import Gathered, Imported, NetworkFailure, ObjectFailure, SourceFailure, SourceKind
from .table import council_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..models import HarvestObject, HarvestSource

DEFAULT_REFERENCE_PATTERN = r"(?P<reference>\d{1,4}/\d{1,4}(?:/\d{1,4})?)"
FEED_TYPES = "application/feed+json, application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"
# Elements whose text is no part of what a reader sees.
HIDDEN_ELEMENTS = ["script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "head"]
BLOCK_ELEMENTS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section"]
SUMMARY_LENGTH = 500  # characters of the content that stand for a missing summary


def html_to_text(markup: str) -> str:
    """Return what a reader of `markup` sees, as plain text: paragraphs apart, scripts and styles left out."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for element in soup(HIDDEN_ELEMENTS):
        element.decompose()
    for line_break in soup("br"):
        line_break.replace_with("\n")
    for block in soup(BLOCK_ELEMENTS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def entry_time(entry, name: str) -> str:
    """ISO 8601 text of an entry's `published` or `updated` time in the publisher's own zone (so that its date is
    the council's), from feedparser's UTC reading when the text is neither ISO 8601 nor RFC 822; "" if none."""
    # dict.get: feedparser's own answers "published" for a missing "updated", with a deprecation warning.
    text = (dict.get(entry, name) or "").strip()
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    parsed = dict.get(entry, f"{name}_parsed")
    if not parsed:
        return ""
    year, month, day, hour, minute, second = parsed[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()


def tag_pair(term: str, scheme: str = "") -> tuple[str, str]:
    """(name, value) of a category: its scheme names it ("reference"), or its term does ("reference:2025/014")."""
    scheme = scheme.strip().rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if scheme and re.fullmatch(r"[a-z_]+", scheme):
        return scheme, term.strip()
    name, colon, value = term.partition(":")
    if colon and re.fullmatch(r"[a-z_]+", name.strip().lower()):
        return name.strip().lower(), value.strip()
    return "", term.strip()


def read_feed(data: bytes, url: str) -> list[dict[str, Any]]:
    """The entries of an RSS, Atom or JSON feed as plain data; SourceFailure when `data` is none of them."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return json_feed_entries(data, url)
    from harvesters.safety import check_xml

    check_xml(data)
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": url})
    if not parsed.version and not parsed.entries:
        raise SourceFailure(_("%(url)s is not an RSS, Atom or JSON feed.") % {"url": url})
    return [xml_entry(entry, url) for entry in parsed.entries]


def xml_entry(entry, url: str) -> dict[str, Any]:
    content = entry.get("content") or []
    return {
        "id": entry.get("id") or "",
        "link": urljoin(url, entry.get("link") or ""),
        "title": html_to_text(entry.get("title") or ""),
        "summary": html_to_text(entry.get("summary") or ""),
        "content": html_to_text(content[0].get("value") or "") if content else "",
        "published": entry_time(entry, "published"),
        "updated": entry_time(entry, "updated"),
        "tags": [list(tag_pair(tag.get("term") or "", tag.get("scheme") or "")) for tag in entry.get("tags") or []],
        "attachments": [
            {"url": urljoin(url, link.get("href") or ""), "type": link.get("type") or ""}
            for link in entry.get("enclosures") or []
            if link.get("href")
        ],
    }


def json_feed_entries(data: bytes, url: str) -> list[dict[str, Any]]:
    try:
        feed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SourceFailure(_("%(url)s is not a valid JSON feed: %(error)s.") % {"url": url, "error": error}) from None
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise SourceFailure(_("%(url)s is JSON but not a JSON Feed (no “version”).") % {"url": url})
    items = feed.get("items")
    if not isinstance(items, list):
        raise SourceFailure(_("The JSON feed at %(url)s has no list of “items”.") % {"url": url})
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = lambda name, item=item: item[name] if isinstance(item.get(name), str) else ""  # noqa: E731
        attachments = item["attachments"] if isinstance(item.get("attachments"), list) else []
        entries.append(
            {
                "id": str(item.get("id") or ""),
                "link": urljoin(url, text("url")),
                "title": html_to_text(text("title")),
                "summary": html_to_text(text("summary")),
                "content": html_to_text(text("content_html")) or text("content_text").strip(),
                "published": text("date_published"),
                "updated": text("date_modified"),
                "tags": [list(tag_pair(tag)) for tag in item.get("tags") or [] if isinstance(tag, str)],
                "attachments": [
                    {"url": urljoin(url, str(attachment["url"])), "type": str(attachment.get("mime_type") or "")}
                    for attachment in attachments
                    if isinstance(attachment, dict) and attachment.get("url")
                ],
            }
        )
    return entries


def entry_values(entry: dict[str, Any], source: "HarvestSource") -> dict[str, Any]:
    """The entry as a row of the decision import (see the module's docstring)."""
    from cms.importing import COLUMNS, REQUIRED_COLUMNS, decision_mapping

    tags = {name: value for name, value in entry["tags"] if name}
    record: dict[str, Any] = {name: entry[name] for name in ("id", "link", "title", "summary", "content")}
    record |= {"published": entry["published"], "updated": entry["updated"]}
    record |= tags
    if not tags.get("reference"):
        pattern = source.options.get("reference_pattern") or DEFAULT_REFERENCE_PATTERN
        match = re.search(pattern, entry["title"])
        record["reference"] = match.group("reference") if match else ""
    decision_date = tags.get("decision_date") or entry["published"] or entry["updated"]
    record["decision_date"] = decision_date[:10]
    record["session_date"] = (tags.get("session_date") or decision_date)[:10]
    record["summary"] = entry["summary"] or entry["content"][:SUMMARY_LENGTH] or entry["title"]
    record["full_text"] = tags.get("full_text") or entry["content"]
    record["outcome"] = tags.get("outcome") or source.options.get("outcome") or "adopted"
    mapping = decision_mapping(source.mapping or {})
    values = mapping.apply(record)
    return {name: values[name] for name in COLUMNS if values.get(name) or name in REQUIRED_COLUMNS}


def attachment_name(number: int, url: str, media_type: str) -> str:
    path = PurePosixPath(urlsplit(url).path)
    suffix = path.suffix.lower() or mimetypes.guess_extension(media_type.split(";")[0].strip()) or ""
    return f"{number}-{slugify(path.stem)[:80] or 'document'}{suffix[:10]}"


@register
class FeedKind(SourceKind):
    name = "feed"
    label = gettext_lazy("Feeds of decisions (RSS, Atom, JSON Feed)")
    targets = (Target.DECISIONS,)

    def check(self, source: "HarvestSource") -> None:
        from cms.importing import ImportFileError, decision_mapping

        if not source.url:
            raise ValidationError({"url": _("A feed is read at an address.")})
        if source.target != Target.DECISIONS:
            raise ValidationError({"target": _("Feeds bring council decisions.")})
        council_of(source)
        if not isinstance(source.options.get("complete", False), bool):
            raise ValidationError({"options": _("“complete” is true (the feed lists every decision) or false.")})
        pattern = source.options.get("reference_pattern")
        if pattern:
            try:
                compiled = re.compile(pattern)
            except (re.error, TypeError) as error:
                raise ValidationError(
                    {"options": _("The reference pattern is not a regular expression: %(error)s.") % {"error": error}}
                ) from None
            if "reference" not in compiled.groupindex:
                raise ValidationError({"options": _("The reference pattern needs a group named “reference”.")})
        try:
            decision_mapping(source.mapping or {})
        except ImportFileError as error:
            raise ValidationError({"mapping": str(error)}) from None

    def gather(self, source: "HarvestSource", since: str) -> "Iterator[Gathered]":
        from harvesters import network

        response = network.get(source.url, accept=FEED_TYPES, max_bytes=settings.HARVEST_MAX_BYTES)
        seen = set()
        for entry in read_feed(response.content, response.url):
            remote_id = (entry["id"] or entry["link"])[:500]
            if not remote_id or remote_id in seen:
                continue  # nothing tells it from the others (or from itself at the next run); a repeat is one entry
            seen.add(remote_id)
            yield Gathered(
                remote_id=remote_id,
                guid=entry["id"] or entry["link"],
                remote_url=entry["link"] if entry["link"].startswith(("http://", "https://")) else "",
                modified=entry["updated"] or entry["published"],
                content=entry,
            )

    def fetch(self, source: "HarvestSource", gathered: Gathered) -> Any:
        return gathered.content  # the feed carries its entries whole

    def import_object(self, source: "HarvestSource", obj: "HarvestObject", content: Any) -> Imported:
        from cms.importing import ImportFileError, InvalidRow, import_decisions, parse_row
        from cms.models import DecisionPage

        council = council_of(source)
        title = content.get("title") or obj.remote_id
        try:
            values = entry_values(content, source)
        except ImportFileError as error:
            raise ObjectFailure(str(error)) from None
        if not values.get("reference"):
            raise ObjectFailure(
                _("The entry “%(title)s” has no reference: give it a category “reference:…” or put it in its title.")
                % {"title": title}
            )
        try:
            row = parse_row(values)
        except InvalidRow as error:
            raise ObjectFailure(_("The entry “%(title)s”: %(error)s.") % {"title": title, "error": error}) from None
        with TemporaryDirectory(prefix="harvest-feed-") as folder:
            names = self.download_attachments(content.get("attachments") or [], folder)
            if names:
                values["attachments"] = ";".join(names)
            data = io.BytesIO(json.dumps([values], ensure_ascii=False).encode())
            data.name = "entry.json"
            try:
                report = import_decisions(data, council=council, files_root=Path(folder), publish=source.publish)
            except ImportFileError as error:
                raise ObjectFailure(_("The entry “%(title)s”: %(error)s") % {"title": title, "error": error}) from None
        page = (
            DecisionPage.objects.filter(
                body_id=council.body_id,
                locale_id=council.locale_id,
                year=row.decision_date.year,
                reference=row.reference,
            )
            .order_by("pk")
            .first()
        )
        counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        outcome = next((name for name, count in counts.items() if count), "")
        if not outcome:
            messages = "; ".join(error.message for error in report.errors)
            if page is None or page.live:
                raise ObjectFailure(_("The entry “%(title)s”: %(error)s.") % {"title": title, "error": messages})
            outcome = "updated"  # unpublished by staff: the changes wait as a draft, and the report says so
        return Imported(
            outcome,
            page,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            errors=list(report.errors),
        )

    @staticmethod
    def download_attachments(attachments: list[dict[str, str]], folder: str) -> list[str]:
        from harvesters import network

        names = []
        for number, attachment in enumerate(attachments, start=1):
            name = attachment_name(number, attachment["url"], attachment.get("type", ""))
            try:
                network.download(attachment["url"], Path(folder) / name, max_bytes=settings.DOCUMENT_MAX_UPLOAD_SIZE)
            except NetworkFailure:
                raise  # the server is down or slow: the whole job stops and the next run takes it up
            except SourceFailure as error:
                raise ObjectFailure(
                    _("The attached file %(url)s cannot be downloaded: %(error)s.")
                    % {"url": attachment["url"], "error": error}
                ) from None
            names.append(name)
        return names

    def withdraws(self, source: "HarvestSource") -> bool:
        """Only for a feed that lists every decision (the `complete` option, as RFC 5005's fh:complete says):
        most feeds show their latest entries, and a decision that scrolls off the end is not withdrawn."""
        return bool(source.options.get("complete"))

    def withdraw(self, source: "HarvestSource", obj: "HarvestObject") -> None:
        """Unpublish the entry's decision page (never delete it): a draft staff may publish again."""
        page = obj.record
        if page is not None and page.live:
            page.specific.unpublish()
