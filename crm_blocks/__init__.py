"""CRM records as Wagtail pages: people, organizations, their private details and relations."""
