"""Wagtail's admin in proper French, for every organization's staff.

Wagtail's French catalogue writes « Ajouter un(e) adhésion », « Ce(tte) page », « Êtes-vous
sûr(e) », « Pages crées », calls a content language a « région », and leaves "Any" and
"Embed" in English. The strings below are Wagtail's own; this app's catalogue gives them wording
that needs no agreement with a word it cannot know (« cet élément (adhésion) », « Voulez-vous
vraiment… »), and it takes precedence because this app comes before Wagtail's in
``INSTALLED_APPS``. Listed here only so that ``makemessages`` keeps them in the catalogue; the
tests check that each is still a string of Wagtail's (``tests/test_i18n_wording.py``).

Listings of our plugins write their "add" button whole (``add_item_label``), which reads better
still.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_STRINGS = [
    gettext_noop("None"),
    gettext_noop("Tag(s) %(value_too_long)s are over %(max_tag_length)d characters."),
    gettext_noop("Go to Wagtail admin"),
    gettext_noop("Are you sure you want to unpublish this %(model_name)s?"),
    gettext_noop(
        "This %(model_name)s was marked as needing changes at "
        "<strong>%(task)s</strong> in <strong>%(workflow)s</strong>."
    ),
    gettext_noop(
        "This %(model_name)s is currently at <strong>%(task)s</strong> in "
        "<strong>%(workflow)s</strong>."
    ),
    gettext_noop("Publishing this %(model_name)s will cancel the current workflow."),
    gettext_noop("Would you still like to publish this %(model_name)s?"),
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been approved in moderation stage "%(task)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in "%(task)s".'),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been rejected in moderation stage "%(task)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(task)s".'),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation '
        'stage "%(task)s".'
    ),
    gettext_noop("You can preview the %(model_name)s here:"),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval to moderation '
        'stage "%(task)s".'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for approval in moderation '
        'stage "%(task)s"'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in workflow "%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in "%(workflow)s".'),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been rejected during "%(task)s" in '
        'workflow "%(workflow)s" by %(rejector)s.'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been rejected during "%(task)s" in '
        'workflow "%(workflow)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(workflow)s".'),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow '
        '"%(workflow)s" by %(requester)s.'
    ),
    gettext_noop(
        'The %(model_name)s "%(title)s" has been submitted for moderation to workflow '
        '"%(workflow)s".'
    ),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted to workflow "%(workflow)s"'),
    gettext_noop("Are you sure you want to delete these pages?"),
    gettext_noop("Are you sure you want to move these pages?"),
    gettext_noop("Are you sure you want to publish these pages?"),
    gettext_noop("Are you sure you want to unpublish these pages?"),
    gettext_noop("Are you sure you want to convert this alias into an ordinary page?"),
    gettext_noop("Are you sure you want to delete this page?"),
    ngettext_lazy(
        "It will also delete 1 translation and its combined "
        "%(translation_descendant_count)s translated child page.",
        "It will also delete 1 translation and its combined "
        "%(translation_descendant_count)s translated child pages.",
    ),
    ngettext_lazy(
        "It will also delete %(translation_count)s translations and their combined "
        "%(translation_descendant_count)s translated child page.",
        "It will also delete %(translation_count)s translations and their combined "
        "%(translation_descendant_count)s translated child pages.",
    ),
    ngettext_lazy(
        "Deleting this page will also delete 1 translation and its combined "
        "%(translation_descendant_count)s translated child page.",
        "Deleting this page will also delete 1 translation and its combined "
        "%(translation_descendant_count)s translated child pages.",
    ),
    ngettext_lazy(
        "Deleting this page will also delete %(translation_count)s translations and "
        "their combined %(translation_descendant_count)s translated child page.",
        "Deleting this page will also delete %(translation_count)s translations and "
        "their combined %(translation_descendant_count)s translated child pages.",
    ),
    ngettext_lazy(
        "Deleting this page will also delete %(translation_count)s translation of this page.",
        "This will also delete %(descendant_count)s more child pages. Deleting this "
        "page will also delete %(translation_count)s translations of this page.",
    ),
    gettext_noop("Are you sure you want to move this page into '%(title)s'?"),
    gettext_noop(
        "Are you sure you want to move this page and all of its children into '%(title)s'?"
    ),
    gettext_noop("Are you sure you want to unpublish this page?"),
    gettext_noop("Would you still like to publish this page?"),
    gettext_noop("Add %(label)s"),
    gettext_noop("Choose when this %(model_name)s should go live and/or expire"),
    gettext_noop("Locking status"),
    gettext_noop("Locked by <b>you</b> at <b>%(locking_date)s</b>"),
    gettext_noop("Locked by <b>%(locked_by)s</b> at <b>%(locking_date)s</b>"),
    gettext_noop("Locked at <b>%(locking_date)s</b>"),
    gettext_noop("Current page status:"),
    gettext_noop("Unlocked"),
    gettext_noop("Anyone can edit this %(model_name)s – lock it to prevent others from editing"),
    gettext_noop("Anyone can edit this %(model_name)s"),
    ngettext_lazy(
        "Used %(usage_count)s time",
        "Used %(usage_count)s times",
    ),
    gettext_noop("Status: "),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
    ),
    gettext_noop("One or more references to this %(model_name)s prevent it from being deleted."),
    gettext_noop("This %(model_name)s hasn't been submitted for moderation yet"),
    gettext_noop("View Wagtail quick actions"),
    gettext_noop(
        "This workflow is currently in progress on %(workflow_states_in_progress)s "
        "pages. Deleting this workflow will cancel moderation on these page. Are you "
        "sure you want to delete this workflow?"
    ),
    gettext_noop("Are you sure you want to disable this workflow?"),
    gettext_noop("Are you sure you want to disable this task?"),
    gettext_noop("Disabled"),
    gettext_noop(
        'Why not <a class="create-one-now" href="#tab-new" '
        'data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" '
        'data-w-tabs-focus-param="true">create one now</a>?'
    ),
    gettext_noop("Monospace (code)"),
    ngettext_lazy(
        "Referenced %(count)s time",
        "Referenced %(count)s times",
    ),
    gettext_noop("Are you sure you want to delete this collection?"),
    gettext_noop("No %(model_name)s match your query."),
    gettext_noop("%(model_name)s '%(title)s' is now unlocked."),
    gettext_noop("%(model_name)s '%(object)s' updated."),
    gettext_noop("%(model_name)s '%(object)s' created."),
    gettext_noop("%(model_name)s '%(object)s' created and scheduled for publishing."),
    gettext_noop(
        "%(model_name)s '%(object)s' is live and this version has been scheduled for publishing."
    ),
    gettext_noop("%(model_name)s '%(object)s' updated and published."),
    gettext_noop("%(model_name)s '%(object)s' created and published."),
    gettext_noop("%(model_name)s '%(object)s' has been submitted for moderation."),
    gettext_noop("%(model_name)s '%(object)s' created and submitted for moderation."),
    gettext_noop("The %(model_name)s could not be saved as it is locked"),
    gettext_noop(
        "You are viewing a previous version of this %(model_name)s from "
        "<b>%(created_at)s</b> by %(user)s"
    ),
    gettext_noop("%(model_name)s '%(object)s' has been replaced with version from %(timestamp)s."),
    gettext_noop(
        "Version from %(timestamp)s of %(model_name)s '%(object)s' has been scheduled "
        "for publishing."
    ),
    gettext_noop("Add %(model_name)s"),
    gettext_noop("The %(model_name)s could not be created due to errors."),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("The %(model_name)s could not be saved due to errors."),
    gettext_noop("%(model_name)s '%(object)s' deleted."),
    gettext_noop("Are you sure you want to delete this %(model_name)s?"),
    gettext_noop("'%(object)s' unpublished."),
    gettext_noop('Version %(revision_id)s of "%(object)s" unscheduled.'),
    gettext_noop("(Private %(object)s)"),
    gettext_noop("Edit this %(object)s"),
    gettext_noop("Create a new %(model_name)s"),
    gettext_noop("Any"),
    gettext_noop("Choose another"),
    gettext_noop("Are you sure you want to delete this redirect?"),
    gettext_noop("All child pages will be created."),
    ngettext_lazy(
        "Are you sure you want to tag the following document?",
        "Are you sure you want to tag the following documents?",
    ),
    ngettext_lazy(
        "Are you sure you want to add the following document to the selected collection?",
        "Are you sure you want to add the following documents to the selected collection?",
    ),
    ngettext_lazy(
        "Are you sure you want to delete this document?",
        "Are you sure you want to delete these documents?",
    ),
    gettext_noop(
        'Why not <a class="upload-one-now" href="#tab-upload" '
        'data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" '
        'data-w-tabs-focus-param="true">upload one now</a>?'
    ),
    gettext_noop("Created"),
    gettext_noop("Embed"),
    ngettext_lazy(
        "Are you sure you want to tag the following image?",
        "Are you sure you want to tag the following images?",
    ),
    ngettext_lazy(
        "Are you sure you want to add the following image to the selected collection?",
        "Are you sure you want to add the following images to the selected collection?",
    ),
    ngettext_lazy(
        "Are you sure you want to delete this image?",
        "Are you sure you want to delete these images?",
    ),
    gettext_noop("Oldest"),
    gettext_noop("Locked"),
    gettext_noop("No one can make changes while the %(model_name)s is locked"),
    gettext_noop("<b>'{title}' was locked</b> by <b>you</b> on <b>{datetime}</b>."),
    gettext_noop("<b>'{title}' is locked</b> by <b>you</b>."),
    gettext_noop("<b>'{title}' was locked</b> by <b>{user}</b> on <b>{datetime}</b>."),
    gettext_noop("<b>'{title}' is locked</b>."),
    gettext_noop("Locked by you"),
    gettext_noop("Locked by another user"),
    gettext_noop("Only you can make changes while the %(model_name)s is locked"),
    gettext_noop("Only %(user)s can make changes while the %(model_name)s is locked"),
    gettext_noop("This %(model_name)s is currently awaiting moderation."),
    gettext_noop(
        "This {model_name} is awaiting <b>'{task_name}'</b> in the "
        "<b>'{workflow_name}'</b> workflow."
    ),
    gettext_noop("Only reviewers for this task can edit the %(model_name)s."),
    gettext_noop("Locked by workflow"),
    gettext_noop(
        "Reviewers can edit this %(model_name)s – lock it to prevent other reviewers from editing"
    ),
    gettext_noop(
        "{model_name} '{title}' is locked and has been scheduled to go live at {datetime}"
    ),
    gettext_noop("Locked by schedule"),
    gettext_noop("Currently locked and will go live on the scheduled date"),
    gettext_noop("Unknown %(action)s"),
    gettext_noop("Cannot overwrite a revision that is not the latest for this %(model_name)s."),
    gettext_noop("the %(model_name)s will also be deleted"),
    gettext_noop("will be set to the default %(model_name)s"),
    gettext_noop("will be set to a %(model_name)s specified by the system"),
    gettext_noop("Renamed"),
    gettext_noop("Moved"),
    gettext_noop("Reordered under '%(parent)s'"),
    gettext_noop("Reordered"),
    gettext_noop("Are you sure you want to delete this locale?"),
    gettext_noop("Are you sure you want to delete this site?"),
    ngettext_lazy(
        "%(count)d %(model_name)s deleted.",
        "%(count)d %(model_name)s deleted.",
    ),
    gettext_noop("Are you sure you want to delete this %(snippet_type_name)s?"),
    gettext_noop("Are you sure you want to delete %(count)s %(snippet_type_name)s?"),
    gettext_noop("You don't have permission to delete this %(snippet_type_name)s"),
    gettext_noop("Are you sure you want to delete this group?"),
    gettext_noop("Are you sure you want to revoke this API token?"),
    gettext_noop("Admin"),
    gettext_noop("Locale"),
    gettext_noop("Locale: "),
    gettext_noop("Available in %(translations_total)s locales"),
    gettext_noop("Switch locales"),
    gettext_noop("locale"),
    gettext_noop("Wagtail locales"),
    gettext_noop("This locale's language code is not supported"),
    gettext_noop(
        "This locale's current language code is not supported. Please choose a new "
        "language or delete this locale."
    ),
    gettext_noop("Add a locale"),
    gettext_noop("Add locale"),
    gettext_noop("Locale '%(object)s' created."),
    gettext_noop("Locale '%(object)s' updated."),
    gettext_noop("The locale could not be saved due to errors."),
    gettext_noop("Locale '%(object)s' deleted."),
    gettext_noop("Delete locale"),
    gettext_noop("This locale cannot be deleted because there are no other locales."),
    gettext_noop(
        "This locale cannot be deleted because there are pages and/or other objects using it."
    ),
    gettext_noop("Locales"),
    ngettext_lazy(
        "A locale is disabled because a parent page is not translated.",
        "Some locales are disabled because some parent pages are not translated.",
    ),
    gettext_noop("%(locales_count)s locales"),
    gettext_noop("Successfully created %(locales)s for %(model_name)s '%(object)s'"),
    gettext_noop("Sign in"),
    gettext_noop(
        "JavaScript is required to use Wagtail, but it is currently disabled.<br /> "
        'Here are the <a href="https://www.enable-javascript.com/" target="_blank" '
        'rel="noreferrer">instructions how to enable JavaScript in your web '
        "browser</a>."
    ),
    gettext_noop("Wagtail admin"),
    gettext_noop("Can access Wagtail admin"),
    gettext_noop("Editor Guide"),
    gettext_noop(
        "The root level is where you can add new sites to your Wagtail installation. "
        "Pages created here will not be accessible at any URL until they are "
        "associated with a site."
    ),
    gettext_noop("root page"),
    gettext_noop(
        'There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'
    ),
    gettext_noop("There are no %(model_name)s to display."),
    gettext_noop("Version from %(timestamp)s of %(model_name)s '%(object)s' has been published."),
    gettext_noop("Created an alias of %(title)s"),
]
