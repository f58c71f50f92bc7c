"""EduCredit's settings, with the bare view's URL in front of the project's."""

from educredit.settings import *  # noqa: F403 (the very same settings, one URL more)

ROOT_URLCONF = "http_bare.urls"
