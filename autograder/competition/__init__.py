"""``autograder competition``: the class competition of hw1_pretext, Kaggle-style.

One module per concern, each with a keyword-only ``main(...)``:

    build        labeled dataset → competition files (data/ for participants, host/ for Kaggle)
    score        validate a submission.csv and compute public and private accuracy
    points       Kaggle leaderboard + roster → points per student, merged into a gradebook export
    fetch        download the leaderboard with the kaggle package (credentials required)

``layout`` owns the paths of a competition folder; ``errors`` holds the exception type whose
messages name the file, the row and the fix.
"""

from autograder.competition.errors import CompetitionError

__all__ = ["CompetitionError"]
