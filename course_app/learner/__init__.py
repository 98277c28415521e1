"""The learner's own pages: the course map with its stage 1 checklist, and my progress.

They sit above the domains they draw from (cohorts, progress, discussions, permissions),
so those never import back up. The routes are in course_map.py and my_progress.py,
imported by create_app (not here, so that importing the package makes only the blueprint).
"""

from flask import Blueprint

bp = Blueprint("learner", __name__)
