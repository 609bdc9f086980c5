from django.shortcuts import get_object_or_404, render

from .models import PublicBody
from .sections import sections_for


def body_list(request):
    bodies = PublicBody.get_tree()
    return render(request, "bodies/body_list.html", {"bodies": bodies})


def body_detail(request, slug):
    body = get_object_or_404(PublicBody, slug=slug)
    districts = list(body.districts.order_by("slug"))
    return render(
        request,
        "bodies/body_detail.html",
        {
            "body": body,
            "ancestors": body.get_ancestors(),
            "children": body.get_children(),
            "districts": districts,
            # What apps add to the page (sections.py): each a template and its context.
            "sections": sections_for(request, body),
            "districts_geojson": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": district.boundary,
                        "properties": {"name": district.name, "slug": district.slug},
                    }
                    for district in districts
                ],
            },
        },
    )
