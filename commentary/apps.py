from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentaryConfig(AppConfig):
    name = "commentary"
    verbose_name = _("Commentary")

    def ready(self):
        # Registers the models whose history django-reversion keeps.
        from . import (
            revisions,  # noqa: F401
            signal_handlers,
        )

        signal_handlers.connect()
