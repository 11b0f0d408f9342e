"""Pictures: upload validation, re-encoded variants, storage and serving.

validation.py  what an upload must be (by content, size and pixel count), before decoding
variants.py    clean pixels (orientation, sRGB, no metadata) and the sizes/formats made from them
storage.py     content-addressed blobs in the database, or files under MEDIA_DIR
library.py     adding, replacing, describing and deleting library items; where each is used
markup.py      the responsive <picture> markup, for templates and for article Markdown
routes.py      /media/<hash>.<ext>, cached as immutable
forms.py       the library's upload, describe and replace forms
editor_fields.py  "upload a new one" on the article, event and author editors
"""
