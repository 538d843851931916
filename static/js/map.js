/* Maps over Leaflet (vendored in static/vendor/leaflet), as an enhancement only:
   every map has a list or an address field that says the same without JavaScript.
   [data-map] carries the tile URL, the attribution, the areas (GeoJSON) URL and a
   mode: "pick" (sets the hidden latitude/longitude inputs of the proposal form),
   "show" (one point) or "list" (the points of the list given by data-list,
   clustered). */
(function () {
  "use strict";
  if (!window.L) { return; }

  function baseMap(el) {
    var center = (el.dataset.center || "34.797,-5.583").split(",").map(Number);
    var map = L.map(el, { scrollWheelZoom: false }).setView(center, 14);
    L.tileLayer(el.dataset.tiles, {
      maxZoom: 19, attribution: el.dataset.attribution || ""
    }).addTo(map);
    if (el.dataset.areas) {
      fetch(el.dataset.areas).then(function (r) { return r.json(); }).then(function (data) {
        L.geoJSON(data, {
          style: function (f) {
            var commune = f.properties && f.properties.kind === "commune";
            return { color: commune ? "#1d5c3a" : "#6b7b8c", weight: commune ? 3 : 1,
                     fill: !commune, fillOpacity: 0.04, interactive: false };
          }
        }).addTo(map);
      }).catch(function () { /* the map works without its outlines */ });
    }
    return map;
  }

  function pick(el) {
    var map = baseMap(el);
    var lat = document.getElementById(el.dataset.latitude);
    var lon = document.getElementById(el.dataset.longitude);
    var readout = document.getElementById(el.dataset.readout);
    var clear = document.getElementById(el.dataset.clear);
    var marker = null;
    function show() {
      var has = lat.value !== "" && lon.value !== "";
      readout.textContent = has ? readout.dataset.chosen.replace("%(point)s",
        Number(lat.value).toFixed(5) + ", " + Number(lon.value).toFixed(5))
        : readout.dataset.none;
      clear.hidden = !has;
      if (has) {
        var point = [Number(lat.value), Number(lon.value)];
        if (marker) { marker.setLatLng(point); } else { marker = L.marker(point).addTo(map); }
      } else if (marker) { map.removeLayer(marker); marker = null; }
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      show();
    });
    clear.addEventListener("click", function () { lat.value = ""; lon.value = ""; show(); });
    el.hidden = false;
    show();
    if (marker) { map.setView(marker.getLatLng(), 16); }
  }

  function showPoint(el) {
    var point = el.dataset.point.split(",").map(Number);
    var map = baseMap(el);
    map.setView(point, 16);
    L.marker(point, { keyboard: false }).addTo(map);
  }

  function list(el) {
    var map = baseMap(el);
    var group = L.markerClusterGroup ? L.markerClusterGroup() : L.featureGroup();
    var items = document.querySelectorAll("#" + el.dataset.list + " [data-place]");
    Array.prototype.forEach.call(items, function (item) {
      var point = item.dataset.place.split(",").map(Number);
      var link = item.querySelector("a");
      var popup = document.createElement("a");
      popup.href = link.href;
      popup.textContent = link.textContent;
      L.marker(point).bindPopup(popup).addTo(group);
    });
    group.addTo(map);
    if (items.length) { map.fitBounds(group.getBounds(), { maxZoom: 16, padding: [20, 20] }); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (el) {
    var mode = el.dataset.map;
    if (mode === "pick") { pick(el); } else if (mode === "show") { showPoint(el); } else { list(el); }
  });
})();
