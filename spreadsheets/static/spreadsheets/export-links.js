// Export links of a listing (the formats in the menu of its "Export people" button): the
// listing's filters and search change without reloading the page, and the address bar follows
// them. When a link is clicked, its query is rebuilt from the address bar, so that the file
// holds what the listing shows now.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-crm-export]');
  if (!link) {
    return;
  }
  const params = new URLSearchParams(window.location.search);
  params.delete('p');
  params.set('export', link.dataset.crmExport);
  link.href = `${window.location.pathname}?${params.toString()}`;
});
