"""A decision's schema.org `Legislation`, for the JSON-LD of its page (cms/includes/decision_jsonld.html)."""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import DecisionPage

# Django's json_script escapes: no `<`, `>` or `&` survives, so no text can close the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def decision_jsonld(page: DecisionPage, request: HttpRequest) -> dict:
    """Return the schema.org `Legislation` describing a decision, for its page's JSON-LD."""
    url = request.build_absolute_uri(page.get_url(request))
    data = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "@id": url,
        "url": url,
        "identifier": page.uuid.urn,
        "legislationIdentifier": page.reference,
        "legislationDate": page.decision_date.isoformat(),
        "name": page.whole_title,
        "abstract": page.summary,
        "inLanguage": page.language,
        "legislationPassedBy": {
            "@type": "GovernmentOrganization",
            "name": page.body.name,
            "url": request.build_absolute_uri(page.body.get_absolute_url()),
        },
        "datePublished": iso(page.first_published_at),
        "dateModified": iso(page.last_published_at),
        "keywords": [topic.name for topic in page.topics.all()],
        "encoding": [
            {
                "@type": "MediaObject",
                "name": attachment.document.title,
                "contentUrl": request.build_absolute_uri(attachment.document.url),
                "encodingFormat": attachment.document.content_type,
                **({"contentSize": str(attachment.document.file_size)} if attachment.document.file_size else {}),
            }
            for attachment in page.attachments.all()  # prefetched with their documents (DecisionPage.get_context)
        ],
    }
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def jsonld_script(data: dict) -> SafeString:
    """Return `data` as a `<script type="application/ld+json">` element, escaped like Django's json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
