"""``{% event_calendar_links event as links %}`` and ``{% agenda_feed_links agenda query as
feed %}``: the links of ``events.calendar_links`` for templates."""

from django import template

from ..calendar_links import event_links, feed_links

register = template.Library()


@register.simple_tag(takes_context=True)
def event_calendar_links(context, event):
    if event is None:
        return None
    return event_links(event, context.get("request"))


@register.simple_tag(takes_context=True)
def agenda_feed_links(context, agenda, query=None):
    if agenda is None:
        return None
    return feed_links(agenda, query, context.get("request"))
