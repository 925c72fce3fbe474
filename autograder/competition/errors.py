"""The one exception type of the competition tools: a list of problems, each naming where it is
(file, line) and how to fix it."""

from __future__ import annotations

MAX_SHOWN = 20


class CompetitionError(Exception):
    """Bad input to a competition command. ``problems`` are readable lines for the user."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:MAX_SHOWN]
        if len(self.problems) > MAX_SHOWN:
            shown.append(f"... and {len(self.problems) - MAX_SHOWN} more problems")
        super().__init__("\n".join(shown))
