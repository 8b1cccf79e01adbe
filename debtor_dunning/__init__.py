from . import controllers, models, reporting, services, wizards
from .hooks import post_init_hook, pre_init_hook
