"""What the public sees of a site, cached, and the one rule that forgets it.

Rendered pages (``middleware``) and schema.org graphs (``structured_data``) are cached per site,
under the site's *generation* (``generations``). Whatever changes a public page — a page
published, unpublished or moved, a view restriction, a site or one of its settings, an image a
page shows, an import — calls ``invalidate_sites`` (``signals`` does it for the admin's changes),
which moves the generation of the sites concerned on, and of no other: the other organizations
sharing the installation keep their caches warm.
"""
