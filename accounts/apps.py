from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender, app_config=None, apps=None, **kwargs):
    from django.apps import apps as installed_apps

    from .roles import sync_roles

    # Permissions of every app exist once all migrations have run; the roles catch up here,
    # so Administrators hold every permission of apps added later too.
    # A flush (between transactional tests) sends the signal without a registry.
    sync_roles(apps or installed_apps, allow_missing=True)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        post_migrate.connect(
            _sync_roles_after_migrate, sender=self, dispatch_uid="accounts.sync_roles"
        )
