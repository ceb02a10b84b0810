from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender, app_config=None, apps=None, **kwargs):
    from django.apps import apps as installed_apps

    from .roles import sync_roles

    # The signal comes once per app; act on the last one, when every app's permissions exist.
    with_models = [config for config in installed_apps.get_app_configs() if config.models_module]
    if with_models and sender.label != with_models[-1].label:
        return

    # Permissions of every app exist once all migrations have run; the roles catch up here,
    # so Administrators hold every permission of apps added later too.
    # A flush (between transactional tests) sends the signal without a registry.
    sync_roles(apps or installed_apps, allow_missing=True)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
