"""Council documents: upload limits and checks, and text extraction for search."""

from wagtail.documents.forms import BaseDocumentForm


class CouncilDocumentForm(BaseDocumentForm):
    pass
