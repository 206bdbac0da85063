"""The README's full-stack commands create the database they migrate."""

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

README = Path(__file__).resolve().parents[2] / "README.md"


def full_stack_commands() -> list[list[str]]:
    text = README.read_text()
    section = text[text.index("### Full stack") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [
        shlex.split(line, comments=True)
        for line in block.group(1).splitlines()
        if line.strip()
    ]


def test_database_is_created_before_migrate() -> None:
    commands = full_stack_commands()
    names = [words[0].rsplit("/", 1)[-1] for words in commands]
    [url] = [
        words[1].split("=", 1)[1]
        for words in commands
        if words[0] == "export" and words[1].startswith("DATABASE_URL=")
    ]
    database = urlsplit(url)
    create = commands[names.index("createdb")]
    migrate = next(i for i, words in enumerate(commands) if "migrate" in words)

    assert names.index("createdb") < migrate
    assert create[-1] == database.path.lstrip("/")
    assert create[create.index("-h") + 1] == database.hostname
    assert create[create.index("-U") + 1] == database.username
