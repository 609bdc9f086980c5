/* Places the projects (a GeoJSON FeatureCollection in #projects-geojson) on the django-leaflet map; when the page
   also has districts (#districts-geojson) they are drawn under them. A project with a `url` links to its page,
   with its `status` under the title. Titles are set as text, never HTML: editors and residents write them. */
window.showProjects = function (map) {
  "use strict";
  var districts = document.getElementById("districts-geojson");
  var shapes = null;
  if (districts) {
    shapes = L.geoJSON(JSON.parse(districts.textContent), {
      style: { color: "#0b6e4f", weight: 2, fillOpacity: 0.08 },
      onEachFeature: function (feature, shape) {
        var name = document.createElement("span");
        name.textContent = feature.properties.name;
        shape.bindTooltip(name);
      }
    }).addTo(map);
  }
  var source = document.getElementById("projects-geojson");
  if (!source) { return; }
  function popup(feature) {
    var properties = feature.properties;
    if (!properties.url) {
      var label = document.createElement("span");
      label.textContent = properties.title;
      return label;
    }
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.title;
    link.setAttribute("dir", "auto");
    if (properties.language) { link.setAttribute("lang", properties.language); }
    box.appendChild(link);
    if (properties.status) {
      var facts = document.createElement("p");
      facts.textContent = properties.status;
      box.appendChild(facts);
    }
    return box;
  }
  var layer = L.geoJSON(JSON.parse(source.textContent), {
    onEachFeature: function (feature, marker) { marker.bindPopup(popup(feature)); }
  }).addTo(map);
  map.getContainer().setAttribute("data-points", String(layer.getLayers().length));
  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 15 });
  } else if (shapes && shapes.getLayers().length) {
    map.fitBounds(shapes.getBounds(), { padding: [16, 16] });
  }
};
