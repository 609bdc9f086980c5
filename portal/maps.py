"""Maps that need neither JavaScript nor a tile server: GeoJSON drawn as an SVG picture on the server.

Pages show it inside <noscript>, under the interactive Leaflet map that JavaScript draws; the picture is the
page's map for visitors without JavaScript and a fallback for the page's first paint, and it asks nothing
of any server.
"""

import math
from collections.abc import Iterator

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, MARGIN = 640, 400, 12


def _positions(geometry: dict) -> Iterator[list[float]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Point":
        yield coordinates
    elif kind in ("MultiPoint", "LineString"):
        yield from coordinates
    elif kind in ("MultiLineString", "Polygon"):
        for ring in coordinates:
            yield from ring
    elif kind == "MultiPolygon":
        for polygon in coordinates:
            for ring in polygon:
                yield from ring
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _positions(part)


def _rings(geometry: dict) -> Iterator[list[list[float]]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind in ("LineString",):
        yield coordinates
    elif kind in ("Polygon", "MultiLineString"):
        yield from coordinates
    elif kind == "MultiPolygon":
        for polygon in coordinates:
            yield from polygon
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _rings(part)


def _points(geometry: dict) -> Iterator[list[float]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Point":
        yield coordinates
    elif kind == "MultiPoint":
        yield from coordinates
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _points(part)


def geojson_svg(collection: dict, label: str) -> str:
    """An SVG picture of a GeoJSON FeatureCollection: shapes outlined, points as dots, each named in a <title>.

    Longitudes are scaled by the cosine of the middle latitude, so that shapes keep their proportions.
    """
    features = [feature for feature in collection.get("features") or [] if feature.get("geometry")]
    positions = [position for feature in features for position in _positions(feature["geometry"])]
    if not positions:
        return ""
    west, east = min(p[0] for p in positions), max(p[0] for p in positions)
    south, north = min(p[1] for p in positions), max(p[1] for p in positions)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-6), max(north - south, 1e-6)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)

    def xy(position: list[float]) -> str:
        x = MARGIN + (position[0] - west) * squeeze * scale
        y = MARGIN + (north - position[1]) * scale
        return f"{x:.1f},{y:.1f}"

    shapes = []
    for feature in features:
        name = str((feature.get("properties") or {}).get("name", ""))
        geometry = feature["geometry"]
        path = " ".join("M" + " L".join(xy(position) for position in ring) for ring in _rings(geometry) if ring)
        if path:
            closed = geometry["type"] in ("Polygon", "MultiPolygon")
            shapes.append(
                format_html(
                    '<path d="{}{}" class="{}"><title>{}</title></path>',
                    path,
                    " Z" if closed else "",
                    "map-shape" if closed else "map-line",
                    name,
                )
            )
        for point in _points(geometry):
            x, y = xy(point).split(",")
            shapes.append(
                format_html('<circle cx="{}" cy="{}" r="6" class="map-point"><title>{}</title></circle>', x, y, name)
            )
    return format_html(
        '<svg class="map-picture" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        WIDTH,
        HEIGHT,
        label,
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )
