// Places the projects (a GeoJSON FeatureCollection in #projects-geojson) on the django-leaflet map.
window.showProjects = function (map) {
  "use strict";
  var source = document.getElementById("projects-geojson");
  if (!source) { return; }
  var layer = L.geoJSON(JSON.parse(source.textContent), {
    onEachFeature: function (feature, marker) {
      var label = document.createElement("span");
      label.textContent = feature.properties.title;  // text, never HTML: titles come from editors
      marker.bindPopup(label);
    }
  }).addTo(map);
  if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 15 }); }
};
