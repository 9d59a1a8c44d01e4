"""What every app needs of the web and the process, below every app: the release id, the
fail-open cache wrapper and its outage state, canonical queries, client identity, rate limits
and the request's language. It imports no app of the project; every app may import it.

`config` stays the project's shell: settings, urls, wsgi, gunicorn, logging and the deploy
checks, which import the apps (the top of the import graph).
"""
