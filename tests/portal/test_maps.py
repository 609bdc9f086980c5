"""portal.maps: GeoJSON drawn as an SVG picture on the server, for pages without JavaScript or tiles."""

from portal.maps import HEIGHT, MARGIN, WIDTH, geojson_svg

SQUARE = [[[2.80, 36.40], [2.90, 36.40], [2.90, 36.50], [2.80, 36.50], [2.80, 36.40]]]


def feature(geometry: dict, name: str) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": {"name": name}}


def test_it_draws_shapes_and_points_inside_the_picture_with_their_names():
    svg = geojson_svg(
        {
            "type": "FeatureCollection",
            "features": [
                feature({"type": "Polygon", "coordinates": SQUARE}, "Centre-ville"),
                feature({"type": "Point", "coordinates": [2.85, 36.45]}, "Stade"),
            ],
        },
        "Carte",
    )
    assert svg.startswith(f'<svg class="map-picture" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="Carte">')
    assert "<title>Centre-ville</title></path>" in svg and "<title>Stade</title></circle>" in svg
    numbers = [
        float(n) for part in svg.split('d="M')[1].split('"')[0].replace("Z", "").split("L") for n in part.split(",")
    ]
    assert min(numbers) >= MARGIN - 0.1 and max(numbers) <= WIDTH - MARGIN + 0.1


def test_it_escapes_names_and_draws_nothing_without_geometry():
    svg = geojson_svg({"features": [feature({"type": "Point", "coordinates": [3, 36]}, "<script>x</script>")]}, "<b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="&lt;b&gt;"' in svg
    assert geojson_svg({"features": [{"type": "Feature", "geometry": None}]}, "Carte") == ""
