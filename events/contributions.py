"""The public contribution form: to be built."""

from django.http import Http404


def contribution_view(request, agenda):
    raise Http404
