"""schema.org structured data: typed nodes, one @graph per page, validation, template tag."""
