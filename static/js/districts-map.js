// Draws the districts' boundaries (a GeoJSON FeatureCollection in #districts-geojson)
// on the django-leaflet map and zooms to them.
window.showDistricts = function (map) {
  "use strict";
  var source = document.getElementById("districts-geojson");
  if (!source) { return; }
  var layer = L.geoJSON(JSON.parse(source.textContent), {
    style: { color: "#0b6e4f", weight: 2, fillOpacity: 0.15 },
    onEachFeature: function (feature, shape) {
      var label = document.createElement("span");
      label.textContent = feature.properties.name;  // text, never HTML: names come from staff
      shape.bindTooltip(label);
    }
  }).addTo(map);
  if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [16, 16] }); }
};
