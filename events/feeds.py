"""iCal feeds (RFC 5545): to be built."""

from django.http import Http404


def agenda_feed_view(request, agenda):
    raise Http404


def event_feed_view(request, event):
    raise Http404
