"""`{% once obj [arg …] %}…{% endonce %}`: render a part once per object, then reuse it.

`{% once "name" %}` with a string literal keeps a part that depends on nothing that changes
while the process runs (the site header and footer: static file URLs, reversed URLs): the
literal is one object per compiled template, and a template edited in development is
compiled anew.

For parts of a page that depend only on an object that is itself built once per content
version, e.g. a procedure card of the compiled diagnosis content (diagnosis/content.py): a
content edit builds new objects, so their parts are rendered anew and nothing stale is
reused. The block must depend on nothing but `obj` and the extra arguments (which are part
of the key), never on the request or on other context variables.

The rendered HTML is kept in this process (a Redis round trip would cost more than
rendering a card), at most LIMIT parts; the object is held with its HTML, so its id is not
reused while the entry lives.
"""

from django import template
from django.core.signals import setting_changed
from django.utils.safestring import mark_safe

register = template.Library()

LIMIT = 2048
_rendered: dict[tuple, tuple[object, str]] = {}


def _forget(**kwargs):
    # A changed setting (in tests: STORAGES, ROOT_URLCONF…) may change what a part renders.
    _rendered.clear()


setting_changed.connect(_forget)


class OnceNode(template.Node):
    def __init__(self, nodelist, obj, args):
        self.nodelist, self.obj, self.args = nodelist, obj, args

    def render(self, context):
        obj = self.obj.resolve(context)
        key = (id(obj), *(arg.resolve(context) for arg in self.args))
        kept = _rendered.get(key)
        if kept is not None and kept[0] is obj:
            return kept[1]
        html = mark_safe(self.nodelist.render(context))
        if len(_rendered) >= LIMIT:
            _rendered.clear()
        _rendered[key] = (obj, html)
        return html


@register.tag
def once(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% once obj [arg …] %} needs an object")
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
