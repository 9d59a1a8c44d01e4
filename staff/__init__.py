"""Staff tools, the top layer: the admin of the content (staff/admin/), the preview of an
edit's effect on owners (preview.py), the content check, recently deleted and guide pages
(views.py) and the map of every path (path_map.py).

It reads every layer below (kb, diagnosis, reports, usage); nothing below imports it.
"""
