"""Words viewflow shows in its own menus and lists.

viewflow's zh_Hans catalogue leaves them in English; our catalogue (which
LOCALE_PATHS puts first) translates them. Listed here so that makemessages
keeps them in locale/.
"""

from django.utils.translation import gettext_noop

VIEWFLOW_WORDS = [
    gettext_noop("Processes"),
    gettext_noop("Back"),
    gettext_noop("Inbox"),
    gettext_noop("Queue"),
    gettext_noop("Archive"),
    gettext_noop("Task"),
    gettext_noop("Created"),
    gettext_noop("Finished"),
    gettext_noop("Execute"),
    gettext_noop("Applications"),
]
