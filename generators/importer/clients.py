"""A SQL script as its client runs it: the lines that are for the client (psql, sqlcmd,
SQL*Plus, the mysql client) and a dump's rows are not SQL for the database, and the import
reads them as statement ends or blanks, every other character kept in its place (so that a
report line's ``file:line:col`` is the file's)."""

from __future__ import annotations

import re

# Lines for the client that runs a script, not for the database: psql's meta-commands
# (`\connect db`, pg_dump's `\restrict key`), SQL Server's batch separator `GO` (sqlcmd and
# SSMS), SQL*Plus's commands (`CONNECT user/password@db`, `PROMPT`, a `/` that runs the
# buffer). Each is read as a statement's end (a `;`, its place kept), never as SQL.
CLIENT_LINES: dict[str, re.Pattern] = {
    "tsql": re.compile(r"^[ \t]*GO(?:[ \t]+\d+)?[ \t]*;?[ \t]*$", re.I | re.M),
    "oracle": re.compile(
        r"^[ \t]*(?:/|(?:CONNECT|CONN|PROMPT|SPOOL|WHENEVER|EXIT|QUIT|DEFINE|UNDEFINE)\b.*)$",
        re.I | re.M,
    ),
}
META_COMMAND = re.compile(r"^[ \t]*\\.*$", re.M)  # psql's; a line starting with \ is no SQL
# pg_dump's data: COPY ... FROM stdin; then the rows, one a line, up to a line `\.`.
COPY_DATA = re.compile(r"(\bFROM\s+stdin\s*;[^\n]*\n).*?^\\\.[ \t]*$", re.I | re.M | re.S)


# The mysql client's DELIMITER x: statements end with x (a routine's body keeps its own ;)
# until DELIMITER ; again.
DELIMITER = re.compile(r"^[ \t]*DELIMITER[ \t]+(\S+)[ \t]*$", re.I | re.M)


def _delimited(text: str) -> str:
    """MySQL's DELIMITER regions in the one statement end the splitter knows: each x a `;`,
    each `;` inside a space (such a statement is a routine, only ever reported), every
    character in its place."""
    out, at, delimiter = [], 0, ";"
    for match in DELIMITER.finditer(text):
        out.append(_region(text[at:match.start()], delimiter))
        out.append(" " * (match.end() - match.start()))
        at, delimiter = match.end(), match[1]
    out.append(_region(text[at:], delimiter))
    return "".join(out)


def _region(text: str, delimiter: str) -> str:
    if delimiter == ";":
        return text
    return delimiter.join(part.replace(";", " ") for part in text.split(delimiter)).replace(
        delimiter, ";" + " " * (len(delimiter) - 1)
    )


def without_client_lines(text: str, dialect: str) -> str:
    """``text`` with every client command and COPY row blanked (each character but a newline
    a space, so that every later line and column stays where it was)."""

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match[0])

    def end(match: re.Match) -> str:
        return ";" + blank(match)[1:]

    if dialect == "mysql":
        text = _delimited(text)

    text = COPY_DATA.sub(lambda m: m[1] + re.sub(r"[^\n]", " ", m[0][len(m[1]):]), text)
    text = META_COMMAND.sub(end, text)
    pattern = CLIENT_LINES.get(dialect)
    return pattern.sub(end, text) if pattern else text
