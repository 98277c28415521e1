"""Imports every model so Flask-Migrate and create_all see the whole schema."""

from .auth.models import ApiToken, LoginSession, User  # noqa: F401
from .cohorts.models import Cohort, Invite, Membership, StageRelease  # noqa: F401
from .courses.models import Course, CourseAuthor, Etivity, Stage  # noqa: F401
from .design.models import CourseChange  # noqa: F401
from .discussions.models import Post, PostRead, PostRevision, ReplyPair, Thread, ThreadRead  # noqa: F401  # noqa: F401
from .discussions.weaves import Citation  # noqa: F401
from .facilitate.models import AuditEntry  # noqa: F401
from .feeds.models import CalendarFeed  # noqa: F401
from .mail.models import MailboxMessage, SentMail  # noqa: F401
from .mailings.models import EmailPreference  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .progress.models import Activity, ActivityCount, ActivityWeek, Completion, Override  # noqa: F401  # noqa: F401
from .toolkit.models import ToolkitConsent, ToolkitPublication, ToolkitSection  # noqa: F401
