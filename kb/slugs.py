"""Slugs made from a text's key words, whole words only."""

from django.utils.text import slugify

# Words that carry no meaning in a URL ("does-the-lid-..." says less than "lid-sinks").
# "no", "not" and "without" are not among them: dropped, they turn a question around ("Does
# the trunk light also not work?" became trunk-light-also-work).
STOP_WORDS = frozenset(
    """a an and are as at be but by can did do does for from has have how i if in into is it
    its my of on or so than that the then there this to too was were what when where
    which who why will with you your""".split()  # noqa: SIM905  (a word list reads better)
)


def key_words_slug(text: str, max_length: int = 50) -> str:
    """The text's key words joined by hyphens, never cut inside a word.

    "Does the lid slowly sink by itself after you lift it fully?" gives
    "lid-slowly-sink-itself-after-lift-fully".
    """
    words = slugify(text).split("-")
    key = [word for word in words if word and word not in STOP_WORDS] or [w for w in words if w]
    slug = ""
    for word in key:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and key:  # one word longer than the limit: the only cut left
        slug = key[0][:max_length]
    return slug
