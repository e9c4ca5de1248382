"""The console's Jinja environment: each domain's templates under its name, gettext, autoescape.

A template at `service/<domain>/templates/<file>` is named `<domain>/<file>` (so the layout,
`service/console/templates/base.html`, is `console/base.html`); a template already kept under
`service/<domain>/templates/<domain>/<file>` answers to the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from service.console import i18n
from service.core import formatting
from service.core.code_names import code_name, market_name

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
    environment.filters["named"] = _named  # codes kept in records, as people name them
    environment.filters["market"] = _market
    return environment


@jinja2.pass_context
def _named(context: Mapping[str, Any], code: str, code_list: str) -> str:
    """`{{ b.unit | named("unit") }}`: the code's name in the page's language."""
    return code_name(code_list, code, i18n.translations(context.get("lang", "id")).gettext)


@jinja2.pass_context
def _market(context: Mapping[str, Any], code: str) -> str:
    """`{{ s.market | market }}`: `EU` → "Uni Eropa", `SG` → "Singapura"."""
    lang = context.get("lang", "id")
    return market_name(code, lang, i18n.translations(lang).gettext)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(console_environment()))
