"""Student A of a grade-all worker takes every permission off the shared work dir.

Graded after the reference decaying_cosine.py (as zz_chmod.py), so A itself is graded
normally. It runs chmod 000 on its working directory and on $HOME (the work dir every
submission of the worker gets a folder in) and prints `CHMOD {json}` with the paths it
changed. (It touches nothing above them: run without a sandbox, those are host dirs.)
Expected: the next student of the same worker is not affected: full marks for a
correct submission, and no zero cached for them either.
"""
import json
import os

changed = []
for path in (os.getcwd(), os.path.expanduser("~")):
    try:
        os.chmod(path, 0)
        changed.append(path)
    except OSError:
        pass
print("CHMOD " + json.dumps(changed), flush=True)
