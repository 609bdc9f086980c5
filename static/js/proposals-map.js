/* The map of the proposals: the districts (a GeoJSON FeatureCollection in #districts-geojson), then the proposals
   of the area in view, asked of the map's GeoJSON address (#map-note's data-geojson, with the list's filters)
   each time the view changes. Titles are set as text, never HTML: residents write them. */
window.showProposals = function (map) {
  "use strict";
  var note = document.getElementById("map-note");
  var source = document.getElementById("districts-geojson");
  if (source) {
    var districts = L.geoJSON(JSON.parse(source.textContent), {
      style: { color: "#0b6e4f", weight: 2, fillOpacity: 0.08 },
      onEachFeature: function (feature, shape) {
        var label = document.createElement("span");
        label.textContent = feature.properties.name;
        shape.bindTooltip(label);
      }
    }).addTo(map);
    if (districts.getLayers().length) { map.fitBounds(districts.getBounds(), { padding: [16, 16] }); }
  }
  if (!note || !window.fetch) { return; }
  var base = note.getAttribute("data-geojson");
  var supportsLabel = note.getAttribute("data-supports") || "";
  var points = L.layerGroup().addTo(map);
  var asked = 0;
  var timer = null;
  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }
  function popup(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = feature.properties.title;
    link.setAttribute("dir", "auto");
    link.setAttribute("lang", feature.properties.language);
    box.appendChild(link);
    var facts = document.createElement("p");
    facts.textContent = feature.properties.status + " · " + supportsLabel + " " + feature.properties.supports;
    box.appendChild(facts);
    return box;
  }
  function load() {
    var view = map.getBounds();
    var bbox = [
      clamp(view.getWest(), -180, 180), clamp(view.getSouth(), -90, 90),
      clamp(view.getEast(), -180, 180), clamp(view.getNorth(), -90, 90)
    ].map(function (value) { return value.toFixed(5); }).join(",");
    var number = ++asked;
    fetch(base + (base.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bbox, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || number !== asked) { return; }
        points.clearLayers();
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 7, color: "#ffffff", weight: 2, fillColor: "#b3261e", fillOpacity: 0.9 });
          },
          onEachFeature: function (feature, marker) { marker.bindPopup(popup(feature)); }
        }).addTo(points);
        map.getContainer().setAttribute("data-points", String(data.features.length));
      })
      .catch(function () { return null; });
  }
  map.on("moveend", function () { window.clearTimeout(timer); timer = window.setTimeout(load, 250); });
  load();
};
