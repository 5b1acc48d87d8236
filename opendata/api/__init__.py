"""The open-data APIs: Opendatasoft's Explore v2.1 (``explore``) and CKAN's Action API
(``ckan``), over the same tables (``opendata.tables``) and the same access rules
(``opendata.access``); ``common`` holds what both do alike (the organization, the reader, the
rate limits)."""
