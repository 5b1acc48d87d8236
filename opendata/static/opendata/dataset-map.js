// Draws a dataset's map (opendata/includes/data_map.html) once Leaflet is loaded: the records'
// points from the page's JSON data island, grouped by a grid in screen pixels at each zoom
// level. A group of several records is one round marker showing how many; activating it zooms
// in on them. A single record is a marker whose popup links to its page. Markers are
// keyboard-focusable buttons. Without this script, the list of places stays alone.

const CELL = 64; // pixels: points closer than a cell at the current zoom share a marker

function popupContent(place, newTab) {
  const box = document.createElement("div");
  const title = document.createElement("a");
  title.textContent = place.label;
  title.href = place.url;
  if (newTab) {
    title.target = "_blank";
    title.rel = "noopener";
  }
  box.append(title);
  if (place.description) {
    const text = document.createElement("p");
    text.textContent = place.description;
    box.append(text);
  }
  return box;
}

// Groups the places by grid cell of the map's projection at ``zoom``.
function clusters(map, places, zoom) {
  const cells = new Map();
  for (const place of places) {
    const point = map.project([place.lat, place.lng], zoom);
    const key = `${Math.floor(point.x / CELL)}:${Math.floor(point.y / CELL)}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { places: [], lat: 0, lng: 0 };
      cells.set(key, cell);
    }
    cell.places.push(place);
    cell.lat += place.lat;
    cell.lng += place.lng;
  }
  return [...cells.values()].map((cell) => ({
    places: cell.places,
    lat: cell.lat / cell.places.length,
    lng: cell.lng / cell.places.length,
  }));
}

function label(template, count) {
  return template.replace("%(count)s", String(count));
}

function drawMap(canvas) {
  const L = window.L;
  const island = document.getElementById(canvas.dataset.datasetMap);
  if (!L || !island) return;
  const places = JSON.parse(island.textContent);
  if (!places.length) return;
  canvas.hidden = false;
  const newTab = Boolean(canvas.dataset.newTab);
  const map = L.map(canvas, { scrollWheelZoom: false, keyboard: true });
  L.tileLayer(canvas.dataset.tileUrl, {
    attribution: canvas.dataset.tileAttribution,
    maxZoom: 19,
  }).addTo(map);
  const layer = L.layerGroup().addTo(map);

  function redraw() {
    layer.clearLayers();
    const zoom = map.getZoom();
    for (const group of clusters(map, places, zoom)) {
      let marker;
      if (group.places.length === 1 || zoom >= map.getMaxZoom()) {
        for (const place of group.places) {
          marker = L.marker([place.lat, place.lng], {
            alt: place.label,
            title: place.label,
            keyboard: true,
          });
          marker.bindPopup(popupContent(place, newTab));
          layer.addLayer(marker);
          const icon = marker.getElement();
          if (icon) {
            icon.setAttribute("role", "button");
            icon.setAttribute("aria-label", `${place.label}. ${canvas.dataset.markerHint || ""}`.trim());
            icon.dataset.record = place.url;
          }
        }
        continue;
      }
      const count = group.places.length;
      const size = count < 10 ? 34 : count < 100 ? 42 : 50;
      const text = label(canvas.dataset.clusterLabel || "%(count)s", count);
      marker = L.marker([group.lat, group.lng], {
        icon: L.divIcon({
          className: "dataset-map__cluster",
          html: `<span aria-hidden="true">${count}</span>`,
          iconSize: [size, size],
        }),
        title: text,
        keyboard: true,
      });
      const bounds = L.latLngBounds(group.places.map((p) => [p.lat, p.lng]));
      marker.on("click", () => {
        if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
          map.setView(bounds.getCenter(), Math.min(zoom + 3, map.getMaxZoom()));
        } else {
          map.fitBounds(bounds, { padding: [32, 32] });
        }
      });
      layer.addLayer(marker);
      const icon = marker.getElement();
      if (icon) {
        icon.setAttribute("role", "button");
        icon.setAttribute("aria-label", text);
        icon.dataset.cluster = String(count);
      }
    }
  }

  map.on("zoomend", redraw);
  const all = L.latLngBounds(places.map((p) => [p.lat, p.lng]));
  if (places.length === 1) {
    map.setView([places[0].lat, places[0].lng], 14);
  } else {
    map.fitBounds(all, { padding: [24, 24], maxZoom: 14 });
  }
  redraw();
}

function drawAll() {
  document.querySelectorAll("[data-dataset-map]").forEach(drawMap);
}

if (window.L) {
  drawAll();
} else {
  window.addEventListener("load", drawAll, { once: true });
}
