"""The console's Jinja environment: each domain's templates under its name, gettext, autoescape.

A template at `service/<domain>/templates/<file>` is named `<domain>/<file>` (so the layout,
`service/console/templates/base.html`, is `console/base.html`); a template already kept under
`service/<domain>/templates/<domain>/<file>` answers to the same name.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from service.console import i18n
from service.core import formatting

SERVICE_DIR = Path(__file__).parent.parent


def _template_dirs() -> dict[str, Path]:
    return {
        folder.parent.name: folder
        for folder in sorted(SERVICE_DIR.glob("*/templates"))
        if folder.is_dir()
    }


def console_environment() -> jinja2.Environment:
    folders = _template_dirs()
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader(
                    {name: jinja2.FileSystemLoader(folder) for name, folder in folders.items()}
                ),
                jinja2.FileSystemLoader(list(folders.values())),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    i18n.install(environment)
    environment.filters["fmt"] = formatting.fmt  # numbers and dates for Indonesia
    return environment


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(console_environment()))
