"""``autograder competition fetch NAME``: download the leaderboard with the kaggle package.

``import kaggle`` authenticates at import time and prints a help banner (then exits) when no
credentials exist, so credentials are looked for first and the package is imported only when
some are found. The package is the kit's optional ``kaggle`` extra; without it ``fetch`` says how
to install it. Tests pass a fake ``api`` and never touch the network.
"""

from __future__ import annotations

import importlib.util
import os
import zipfile
from pathlib import Path
from typing import Any

from autograder.competition.errors import CompetitionError

HELP = (
    "no Kaggle credentials found. Create an API token at https://www.kaggle.com/settings/api and "
    "either set KAGGLE_API_TOKEN (or KAGGLE_USERNAME and KAGGLE_KEY), or save the token to "
    "~/.kaggle/access_token (a legacy kaggle.json goes to ~/.kaggle/ or $KAGGLE_CONFIG_DIR). "
    "Without credentials, download the leaderboard from the competition's Leaderboard tab "
    "('Raw Data') and pass that file to `autograder competition points`."
)


def credential_source(environ: dict[str, str] | None = None, home: Path | None = None) -> str | None:
    """Where the kaggle package would find credentials, or None."""
    env = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    if env.get("KAGGLE_API_TOKEN"):
        return "KAGGLE_API_TOKEN"
    if env.get("KAGGLE_USERNAME") and env.get("KAGGLE_KEY"):
        return "KAGGLE_USERNAME/KAGGLE_KEY"
    folders = [Path(env["KAGGLE_CONFIG_DIR"])] if env.get("KAGGLE_CONFIG_DIR") else []
    folders += [home / ".kaggle", Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "kaggle"]
    for folder in folders:
        for name in ("access_token", "access_token.txt", "kaggle.json", "credentials.json"):
            if (folder / name).is_file():
                return str(folder / name)
    return None


MISSING = (
    'the kaggle package is not installed: it comes with the kit\'s optional "kaggle" extra, '
    '`pip install -e ".[kaggle]"` run in the course folder (".[full]" installs every extra)'
)


def kaggle_installed() -> bool:
    """Whether the kaggle package can be imported (found, not imported: importing it prints)."""
    return importlib.util.find_spec("kaggle") is not None


def _kaggle_api() -> Any:
    try:
        from kaggle.api.kaggle_api_extended import KaggleApi  # noqa: PLC0415 - lazy: prints at import
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] != "kaggle":
            raise  # kaggle is there, one of its own imports is broken: show that
        raise CompetitionError(
            f"{MISSING}. Without it, download the leaderboard from the competition's Leaderboard tab "
            "('Raw Data') and pass that file to `autograder competition points`."
        ) from None

    api = KaggleApi()
    try:
        api.authenticate()
    except (SystemExit, Exception) as exc:  # the package exits after printing its help
        raise CompetitionError(f"Kaggle rejected the credentials ({exc!r}). {HELP}") from None
    return api


def main(*, competition: str, out: Path, api: Any = None) -> Path:
    """Download ``competition``'s leaderboard into ``out`` and return the path of its CSV."""
    out = Path(out)
    if api is None:
        if credential_source() is None:
            raise CompetitionError(HELP if kaggle_installed() else f"{HELP} Also, {MISSING}.")
        api = _kaggle_api()
    out.mkdir(parents=True, exist_ok=True)
    try:
        api.competition_leaderboard_download(competition, str(out))
    except CompetitionError:
        raise
    except Exception as exc:  # network, permission, unknown competition
        raise CompetitionError(
            f"downloading the leaderboard of {competition!r} failed: {exc}. Check the "
            "competition's name (the last part of its URL) and that you host or joined it"
        ) from None
    archive = out / f"{competition}.zip"
    if not archive.is_file():
        raise CompetitionError(
            f"the kaggle package saved no {archive.name} in {out}; download the leaderboard "
            "from the competition's Leaderboard tab instead"
        )
    with zipfile.ZipFile(archive) as zipped:
        names = [n for n in zipped.namelist() if n.lower().endswith(".csv")]
        if len(names) != 1:
            raise CompetitionError(f"{archive}: expected one leaderboard CSV inside, found {len(names)}")
        target = out / Path(names[0]).name
        target.write_bytes(zipped.read(names[0]))
    return target
