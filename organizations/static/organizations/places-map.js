// Draws each map of places (organizations/includes/places_map.html) once Leaflet is loaded:
// markers from the page's JSON data island, each a keyboard-focusable button named after its
// place, whose popup links to the place's page. Without Leaflet, the list stays alone.

function popupContent(place) {
  const box = document.createElement("div");
  const title = document.createElement(place.url ? "a" : "strong");
  title.textContent = place.label;
  if (place.url) title.href = place.url;
  box.append(title);
  if (place.description) {
    const text = document.createElement("p");
    text.textContent = place.description;
    box.append(text);
  }
  return box;
}

function drawMap(canvas) {
  const L = window.L;
  const island = document.getElementById(canvas.dataset.placesMap);
  if (!L || !island) return;
  const places = JSON.parse(island.textContent);
  if (!places.length) return;
  canvas.hidden = false;
  const map = L.map(canvas, { scrollWheelZoom: false, keyboard: true });
  L.tileLayer(canvas.dataset.tileUrl, {
    attribution: canvas.dataset.tileAttribution,
    maxZoom: 19,
  }).addTo(map);
  const bounds = [];
  for (const place of places) {
    const marker = L.marker([place.lat, place.lng], {
      alt: place.label,
      title: place.label,
      keyboard: true,
    }).addTo(map);
    marker.bindPopup(popupContent(place));
    const icon = marker.getElement();
    if (icon) {
      icon.setAttribute("role", "button");
      icon.setAttribute("aria-label", `${place.label}. ${canvas.dataset.markerHint || ""}`.trim());
    }
    bounds.push([place.lat, place.lng]);
  }
  if (bounds.length === 1) {
    map.setView(bounds[0], 14);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  }
}

function drawAll() {
  document.querySelectorAll("[data-places-map]").forEach(drawMap);
}

if (window.L) {
  drawAll();
} else {
  window.addEventListener("load", drawAll, { once: true });
}
