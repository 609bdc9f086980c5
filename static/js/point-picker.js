/* Placing a proposal: a click on the map sets the longitude and latitude inputs (which people without
   JavaScript, or who know the coordinates, type themselves); the districts of the space are drawn to help. */
window.pickPoint = function (map) {
  "use strict";
  var longitude = document.getElementById("id_longitude");
  var latitude = document.getElementById("id_latitude");
  var source = document.getElementById("districts-geojson");
  if (source) {
    var districts = L.geoJSON(JSON.parse(source.textContent), {
      style: { color: "#0b6e4f", weight: 2, fillOpacity: 0.08 },
      interactive: false
    }).addTo(map);
    if (districts.getLayers().length) { map.fitBounds(districts.getBounds(), { padding: [8, 8] }); }
  }
  if (!longitude || !latitude) { return; }
  var marker = null;
  function place(lat, lon) {
    if (marker) { marker.setLatLng([lat, lon]); return; }
    marker = L.circleMarker([lat, lon], { radius: 8, color: "#ffffff", weight: 2, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map);
  }
  function typed() {
    var lon = parseFloat(longitude.value), lat = parseFloat(latitude.value);
    if (isFinite(lon) && isFinite(lat)) { place(lat, lon); }
  }
  map.on("click", function (event) {
    longitude.value = event.latlng.lng.toFixed(6);
    latitude.value = event.latlng.lat.toFixed(6);
    place(event.latlng.lat, event.latlng.lng);
  });
  longitude.addEventListener("change", typed);
  latitude.addEventListener("change", typed);
  typed();
};
