"""The demo content's files -> plain dicts: authors, articles and events for `flask seed`.

Each file is `<kind>/<slug>.md`: a front matter of `key: value` lines between two `---`
lines, then the text (an author's bio, an article's body, an event's description).
Every key listed below must be there, and no other; dates are relative to the day of
seeding (`published_days_ago`, `starts_in_days`), so the demo events stay upcoming.
"""

from pathlib import Path

DEMO_DIR = Path(__file__).parent


class DemoContentError(ValueError):
    """A demo file is malformed: no front matter, a missing or unknown key, a bad value."""


def flag(value: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"expected yes or no, got {value!r}")
    return value == "yes"


def words(value: str) -> list[str]:
    return [word.strip() for word in value.split(",") if word.strip()]


def text_or_none(value: str) -> str | None:
    return value or None


# key -> how its value is read; the text after the front matter goes to the last item.
AUTHOR_KEYS = {"name": str, "social_handle": text_or_none}
ARTICLE_KEYS = {
    "title": str,
    "summary": str,
    "author": str,
    "tags": words,
    "published_days_ago": int,
    "draft": flag,
}
EVENT_KEYS = {
    "kind": str,
    "title": str,
    "summary": str,
    "what_to_bring": str,
    "timezone": str,
    "starts_in_days": int,
    "start_time": str,
    "duration_hours": int,
    "venue": str,
    "city": str,
    "country": str,
    "capacity": int,
    "waitlist": flag,
    "approval": flag,
}


def split_front_matter(source: str) -> tuple[dict[str, str], str]:
    """'---\\nkey: value\\n---\\ntext' -> ({'key': 'value'}, 'text').

    :raises DemoContentError: no front matter, a line without a colon, a key twice.
    """
    if not source.startswith("---\n"):
        raise DemoContentError("does not start with a '---' line")
    head, separator, body = source.removeprefix("---\n").partition("\n---\n")
    if not separator:
        raise DemoContentError("front matter has no closing '---' line")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or not key:
            raise DemoContentError(f"not a 'key: value' line: {line!r}")
        if key in fields:
            raise DemoContentError(f"{key!r} is given twice")
        fields[key] = value.strip()
    return fields, body


def load_file(path: Path, keys: dict, text_key: str) -> dict:
    """One demo file as a dict: its slug (the file name), the typed keys and the text.

    :raises DemoContentError: the file is malformed; the message names the file.
    """
    try:
        fields, body = split_front_matter(path.read_text(encoding="utf-8"))
        missing, unknown = keys.keys() - fields.keys(), fields.keys() - keys.keys()
        if missing or unknown:
            raise DemoContentError(f"missing keys {sorted(missing)}, unknown {sorted(unknown)}")
        data = {"slug": path.stem} | {key: read(fields[key]) for key, read in keys.items()}
    except ValueError as error:
        raise DemoContentError(f"{path}: {error}") from error
    data[text_key] = body
    return data


def load_folder(folder: str, keys: dict, text_key: str) -> list[dict]:
    return [load_file(path, keys, text_key) for path in sorted((DEMO_DIR / folder).glob("*.md"))]


def load_authors() -> list[dict]:
    """The demo authors: slug, name, social_handle (or None) and bio (plain text)."""
    authors = load_folder("authors", AUTHOR_KEYS, "bio")
    for author in authors:
        author["bio"] = author["bio"].strip()
    return authors


def load_articles() -> list[dict]:
    """The demo articles, one a draft: the ARTICLE_KEYS, slug and body (Markdown)."""
    return load_folder("articles", ARTICLE_KEYS, "body")


def load_events() -> list[dict]:
    """The demo events, one in the past: the EVENT_KEYS, slug and description (Markdown)."""
    return load_folder("events", EVENT_KEYS, "description")


def table_rows(path: Path, width: int):
    """The `a | b | c` lines of a demo table, each split into `width` stripped fields;
    blank lines and '#' lines are notes. :raises DemoContentError: a line of another width."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("|")]
        if len(fields) != width:
            raise DemoContentError(f"{path}:{number}: expected {width} fields, got {len(fields)}")
        yield number, fields


def load_profiles() -> dict[str, dict]:
    """{author slug: role, organisation, links}: the speaker profiles (profiles.txt).

    Speakers are authors (one record per person), so their names and bios are in authors/.
    """
    return {
        slug: {"role": role, "organisation": organisation, "links": "\n".join(links.split())}
        for _number, (slug, role, organisation, links) in table_rows(DEMO_DIR / "profiles.txt", 4)
    }


def load_programmes() -> dict[str, list[dict]]:
    """{event slug: its sessions} from programmes/<slug>.txt: one session a line,
    `day | start | end | kind | room | title | speaker slugs | seats`; '#' lines are notes.

    :raises DemoContentError: a line without its eight fields, or a bad day or seat number.
    """
    programmes = {}
    for path in sorted((DEMO_DIR / "programmes").glob("*.txt")):
        sessions = []
        for number, fields in table_rows(path, 8):
            day, start, end, kind, room, title, speakers, seats = fields
            try:
                sessions.append(
                    {
                        "day": int(day),
                        "start": start,
                        "end": end,
                        "kind": kind,
                        "room": room,
                        "title": title,
                        "speakers": words(speakers),
                        "capacity": int(seats) if seats else None,
                    }
                )
            except ValueError as error:
                raise DemoContentError(f"{path}:{number}: {error}") from error
        programmes[path.stem] = sessions
    return programmes
