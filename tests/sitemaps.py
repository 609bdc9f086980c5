"""Read the whole sitemap as a search engine does: its index, then every page it lists."""

from urllib.parse import urlsplit

from defusedxml import ElementTree as ET

NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_pages(client) -> list[bytes]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    pages = []
    for location in ET.fromstring(index.content).iter(f"{NAMESPACE}loc"):
        address = urlsplit(location.text)
        response = client.get(address.path + (f"?{address.query}" if address.query else ""))
        assert response.status_code == 200
        pages.append(response.content)
    return pages


def sitemap_text(client) -> str:
    return "".join(page.decode() for page in sitemap_pages(client))


def sitemap_locations(client) -> set[str]:
    return {loc.text for page in sitemap_pages(client) for loc in ET.fromstring(page).iter(f"{NAMESPACE}loc")}
