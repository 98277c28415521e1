"""A simulated run of the course, in memory: cohorts, who joined when, who started which
conversation pieces and who replied. Pure Python and no database (`write.py` writes it), so
a million posts take seconds.

The simulation keeps the app's rules, so every page shows a real standing:
- a learner enters stage s+1 only after completing every required e-tivity of stage s (and,
  in a paced cohort, once its release date has come), and posts or reads in an e-tivity only
  while its stage is open for them (in a "post first" e-tivity, only after starting a piece);
- a learner who finishes a stage did what its rules ask in time: started a piece, read
  `observe` peers' pieces and replied to `interact` different peers;
- completions are not planned: `activity.py` replays the activity log as
  progress.services.evaluate would have, so they follow from what was posted and read.

Times are POSIX seconds (floats) until `write.py` turns them into UTC datetimes.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DAY = 86400.0
HOUR = 3600.0
STAGES = (1, 2, 3, 4, 5)
HELP_THREAD_TITLE = "Ask for help here"  # as discussions.services.ensure_help_thread names it
HELP_THREAD_BODY = ("Stuck, lost or unsure what to do next? Ask here: the facilitators read "
                    "this thread every day and there are no silly questions.")


@dataclass(frozen=True)
class EtivityShape:
    id: int
    slug: str
    title: str
    stage: int
    required: bool
    observe: int
    interact: int
    initiate: int
    post_first: bool
    pieces: tuple[str, ...]


@dataclass(frozen=True)
class CourseShape:
    """What the simulation needs of the imported course."""

    title: str
    etivities: tuple[EtivityShape, ...]
    stage_days: dict[int, int]
    stage_titles: dict[int, str]

    def in_stage(self, number: int) -> list[EtivityShape]:
        return [e for e in self.etivities if e.stage == number]


@dataclass
class Sizes:
    """How big a dataset to build. Sizes left as None scale with `posts`, so a small
    `--posts` still gives a consistent dataset of the same shape (see README)."""

    posts: int = 1_000_000
    cohorts: int | None = None
    learners: int | None = None
    big_cohort: int = 300
    long_thread: int | None = None
    mid_threads: int | None = None
    mid_thread_length: int | None = None
    reads_per_post: float = 1.0
    seed: int = 10

    def resolved(self) -> "Sizes":
        posts = self.posts
        learners = self.learners or max(self.big_cohort + 50, posts // 50)
        cohorts = self.cohorts or max(2, learners // 100)
        long_thread = self.long_thread or min(20_000, max(posts // 5, 20))
        mid_length = self.mid_thread_length or min(2_000, max(posts // 50, 20))
        mid_threads = (self.mid_threads if self.mid_threads is not None
                       else max(1, min(10, posts // 100_000)))
        sizes = Sizes(posts, cohorts, learners, self.big_cohort, long_thread, mid_threads,
                      mid_length, self.reads_per_post, self.seed)
        if learners < self.big_cohort + (cohorts - 1) * 3:
            raise ValueError(f"{learners} learners can't fill a {self.big_cohort}-learner cohort "
                             f"and {cohorts - 1} more of at least 3")
        if long_thread + mid_threads * mid_length > posts // 2:
            raise ValueError("the long threads would take more than half the posts: "
                             "raise --posts or lower --long-thread / --mid-threads")
        return sizes


class Th:
    """A thread being simulated. `posts` holds [time, author id, parent] where parent is None
    for the opening post, 0 for a reply to it, and -1 until `fill` picks one."""

    __slots__ = ("cohort", "etivity", "kind", "author", "title", "piece", "opened", "posts",
                 "id", "post_ids")

    def __init__(self, cohort, etivity, kind, author, title, piece, opened):
        self.cohort, self.etivity, self.kind, self.author = cohort, etivity, kind, author
        self.title, self.piece, self.opened = title, piece, opened
        self.posts = [[opened, author, None]]
        self.id = 0
        self.post_ids: list[int] = []


@dataclass
class Co:
    """A cohort being simulated."""

    id: int
    name: str
    key: str
    state: str
    paced: bool
    created: float
    start: float
    end: float  # no activity after this: now, or the day a closed cohort closed
    releases: dict[int, float]
    learners: list[int] = field(default_factory=list)
    facilitators: list[int] = field(default_factory=list)
    threads: list[Th] = field(default_factory=list)
    openers: dict[int, dict[int, Th]] = field(default_factory=dict)  # e-tivity -> author -> piece
    help: Th | None = None


@dataclass
class World:
    """Everything simulated; `activity.py` adds reads, the activity log and completions."""

    sizes: Sizes
    course: CourseShape
    now: float
    cohorts: list[Co]
    big: Co
    users: list[tuple]  # (id, email, name, role, created_at)
    memberships: list[tuple]  # (cohort id, user id, role, joined_at)
    entered: dict[int, list]  # learner id -> [None, t1, ..., t5]: when each stage opened for them
    threads: list[Th] = field(default_factory=list)
    guaranteed_reads: list[tuple] = field(default_factory=list)  # (reader, thread, time)
    long_thread: Th | None = None
    mid_threads: list[Th] = field(default_factory=list)
    # post id - 1 -> (thread, position)
    post_order: list[tuple[int, int]] = field(default_factory=list)
    age_scale: float = 1.0  # cohort ages shrink for small datasets (see `build`)
    _audiences: dict = field(default_factory=dict)

    def access(self, user: int, thread: Th) -> float:
        """When `user` could first see `thread`: its stage opening for a learner (their own
        piece first in a "post first" e-tivity); the cohort's start for a facilitator."""
        co = thread.cohort
        times = self.entered.get(user)
        if times is None:
            return co.start
        if thread.etivity is None:
            return times[1]
        opened = times[thread.etivity.stage]
        if opened is None:
            return float("inf")
        if thread.etivity.post_first:
            own = co.openers[thread.etivity.id].get(user)
            return float("inf") if own is None else max(opened, own.opened)
        return opened

    def audience(self, th: Th) -> tuple[list[int], dict[int, float]]:
        """Everyone who could see `th` before the cohort's end, and from when."""
        co = th.cohort
        key = (co.id, th.etivity.id if th.etivity else None)
        if key not in self._audiences:
            access = {u: at for u in co.learners if (at := self.access(u, th)) < co.end}
            for fac in co.facilitators:
                access[fac] = co.start
            self._audiences[key] = (list(access), access)
        return self._audiences[key]


FIRST = ("Ana", "Ben", "Cara", "Dev", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo", "Kemi", "Lars",
         "Mia", "Nico", "Ola", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik", "Wen",
         "Xavi", "Yusuf", "Zoe", "Amara", "Bruno", "Chen", "Dara", "Elif", "Femi", "Greta")
LAST = ("Okafor", "Marsh", "Lindqvist", "Amankwah", "Walsh", "Novak", "Rossi", "Singh", "Kowalski",
        "Haddad", "Murphy", "Tanaka", "Silva", "Nielsen", "Osei", "Dubois", "Kaur", "Moreau",
        "Petrov", "Garcia", "Brennan", "Yilmaz", "Schmidt", "Achebe", "Larsen", "Costa")
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _midnight(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def build(sizes: Sizes, course: CourseShape, now: float) -> World:
    """Cohorts, people and their stage-by-stage pieces and replies. Cohort ages shrink until
    what stage completion needs fits comfortably in the post budget (small datasets)."""
    scale = 1.0
    for _ in range(8):
        world = _attempt(sizes, course, now, scale)
        planned = sum(len(t.posts) for t in world.threads)
        room = sizes.posts - sizes.long_thread - sizes.mid_threads * sizes.mid_thread_length
        if planned <= 0.7 * room:
            world.age_scale = scale
            return world
        scale *= max(0.3, 0.65 * room / planned)
    raise ValueError(f"{sizes.learners} learners need more than {sizes.posts} posts to make "
                     "progress: raise --posts or lower --learners")


def _attempt(sizes: Sizes, course: CourseShape, now: float, scale: float) -> World:
    rng = random.Random(sizes.seed)
    users: list[tuple] = []
    memberships: list[tuple] = []
    n_fac = max(2, sizes.cohorts)
    for i in range(n_fac):
        users.append((len(users) + 1, f"facilitator{i + 1}@bench.example", _name(rng),
                      "facilitator", now - 400 * DAY))
    users.append((len(users) + 1, "admin@bench.example", "Ada Admin", "admin", now - 400 * DAY))
    sizes_by_cohort = _cohort_sizes(sizes, rng)
    big_index = sizes.cohorts // 2
    sizes_by_cohort.insert(big_index, sizes.big_cohort)
    cohorts, entered, keys = [], {}, set()
    for index, size in enumerate(sizes_by_cohort):
        big = index == big_index
        age = (84.0 if big else rng.uniform(28, 160)) * scale
        co = _cohort(index + 1, age, big, now, course, rng, keys)
        co.facilitators = [index % n_fac + 1, (index + 1) % n_fac + 1]
        for fac in co.facilitators:
            memberships.append((co.id, fac, "facilitator", co.created))
        for _ in range(size):
            uid = len(users) + 1
            joined = co.start + rng.uniform(0, min(10, 0.15 * age)) * DAY
            users.append((uid, f"learner{uid}@bench.example", _name(rng), "learner",
                          joined - rng.uniform(0, 2) * DAY))
            memberships.append((co.id, uid, "learner", joined))
            co.learners.append(uid)
            entered[uid] = [None, joined, None, None, None, None]
        cohorts.append(co)
    world = World(sizes, course, now, cohorts, cohorts[big_index], users, memberships, entered)
    for co in cohorts:
        _help_thread(world, co)
        _stages(world, co, rng)
    return world


def _cohort_sizes(sizes: Sizes, rng: random.Random) -> list[int]:
    others = sizes.cohorts - 1
    if others == 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(others)]
    spare = sizes.learners - sizes.big_cohort - 3 * others
    counts = [3 + int(spare * w / sum(weights)) for w in weights]
    for i in range(sizes.learners - sizes.big_cohort - sum(counts)):
        counts[i % others] += 1
    return counts


def _cohort(cid, age, big, now, course, rng, keys) -> Co:
    start_day = datetime.fromtimestamp(now - age * DAY, UTC).date()
    start = _midnight(start_day) + 9 * HOUR
    if start > now - HOUR:  # a cohort younger than a day, in a tiny dataset
        start = now - age * DAY
    end = now - 60
    state = "running" if age > 10 else "open"
    if not big and age > 130 and rng.random() < 0.7:
        state = "closed" if rng.random() < 0.85 else "archived"
        end = start + 125 * DAY
    paced = big or rng.random() < 0.5
    releases, day = {}, start_day
    for number in STAGES:  # cohorts.services.default_release_dates
        releases[number] = _midnight(day)
        day += timedelta(days=course.stage_days[number])
    while True:
        raw = "".join(rng.choice(KEY_ALPHABET) for _ in range(8))
        if raw not in keys:
            keys.add(raw)
            break
    month = f"{start_day:%B %Y}"
    name = f"National programme · {month} · group {cid}" if big else f"Cohort {cid:03d} · {month}"
    return Co(cid, name, f"{raw[:4]}-{raw[4:]}", state, paced,
              start - rng.uniform(7, 21) * DAY, start, end, releases if paced else {})


def _help_thread(world: World, co: Co) -> None:
    th = Th(co, None, "help", co.facilitators[0], HELP_THREAD_TITLE, None, co.created + HOUR)
    co.help = th
    co.threads.append(th)
    world.threads.append(th)


def _open(world: World, co: Co, e: EtivityShape, author: int, at: float, rng) -> Th:
    piece = rng.choice(e.pieces) if e.pieces and rng.random() < 0.7 else None
    first = world.users[author - 1][2].split()[0]
    title = (f"{piece}: {first}" if piece
             else rng.choice(TITLES).format(title=e.title, name=first))
    th = Th(co, e, "piece", author, title[:200], piece, at)
    co.threads.append(th)
    world.threads.append(th)
    if author in world.entered:
        co.openers.setdefault(e.id, {})[author] = th
    return th


TITLES = ("My take on {title}", "{name} on {title}", "Thoughts on {title}",
          "A question about {title}", "{title}: where I'm starting", "Notes from {name}")


def _stages(world: World, co: Co, rng: random.Random) -> None:
    """Stage by stage: who enters, who starts pieces, and what each finisher does to complete
    the stage's required e-tivities; their completion time opens the next stage for them."""
    entered = world.entered
    speed = {u: min(max(rng.lognormvariate(0.5, 0.5), 0.5), 5.0) for u in co.learners}
    drops = {u: rng.choice(STAGES) for u in co.learners if rng.random() < 0.3}
    welcome = next((e for e in world.course.in_stage(1) if not e.required), None)
    if welcome is not None:  # the facilitator opens the welcome e-tivity
        _open(world, co, welcome, co.facilitators[0], co.start, rng)
    for number in STAGES:
        etivities = world.course.in_stage(number)
        required = [e for e in etivities if e.required]
        length = world.course.stage_days[number] * DAY
        inside = [u for u in co.learners if entered[u][number] is not None
                  and entered[u][number] < co.end]
        if not inside:
            return
        finishers = {u for u in inside if drops.get(u) != number
                     and entered[u][number] + length * speed[u] < co.end}
        starting = [e for e in required if e.initiate]
        stuck_on = {u: rng.choice(starting).id for u in inside
                    if u not in finishers and starting}
        for e in etivities:
            for u in inside:
                if stuck_on.get(u) == e.id:
                    continue  # never started the piece: the stage stays unfinished
                if u in finishers and e.required:
                    chance = 1.0 if e.initiate else 0.25
                else:
                    chance = 0.6 if e.initiate else 0.15
                if rng.random() < chance:
                    at = entered[u][number] + rng.uniform(0.02, 0.4) * length * speed[u]
                    if at < co.end:
                        _open(world, co, e, u, at, rng)
        pieces = {e.id: list(co.openers.get(e.id, {}).values()) for e in required}
        for u in sorted(finishers):
            done = _finish(world, co, u, required, pieces, length * speed[u], rng)
            if done is not None and number < 5:
                following = done + rng.uniform(0.05, 1.0) * DAY
                if co.paced:
                    following = max(following,
                                    co.releases[number + 1] + rng.uniform(0.3, 0.9) * DAY)
                if following < co.end:
                    entered[u][number + 1] = following


def _finish(world: World, co: Co, u: int, required, pieces, length: float, rng) -> float | None:
    """Read `observe` peers' pieces and reply to `interact` of them, in each required
    e-tivity; returns when the last rule was met, or None if time ran out first."""
    number = required[0].stage if required else 1
    done = world.entered[u][number]
    for e in required:
        own = co.openers.get(e.id, {}).get(u)
        if e.initiate:
            if own is None:
                return None
            done = max(done, own.opened)
        seen_from = own.opened if e.post_first else world.entered[u][number]
        need = max(e.observe, e.interact)
        if not need:
            continue
        chosen = rng.sample(pieces[e.id], min(need + 1, len(pieces[e.id])))
        peers = [th for th in chosen if th.author != u][:need]
        if len(peers) < need:
            return None
        for i, th in enumerate(peers):
            read = max(seen_from + rng.uniform(0.05, 0.5) * length,
                       th.opened + rng.uniform(600, 12 * HOUR))
            if read >= co.end:
                return None
            world.guaranteed_reads.append((u, th, read))
            done = max(done, read)
            if i < e.interact:
                sent = read + rng.uniform(300, 2 * HOUR)
                if sent >= co.end:
                    return None
                th.posts.append([sent, u, 0])
                done = max(done, sent)
    return done
