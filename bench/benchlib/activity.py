"""What follows from the posts, as the app records it: reads (PostRead), the activity log
(observe / interact / initiate), completions replayed from that log, and notifications.

Reads come page by page (20 posts, as a thread page shows them): every author has read their
own post, every replier the post they answered, and each thread has readers who read it from
the start, most of them only the first pages of a long one.
"""

import math
import random
from collections import defaultdict
from datetime import UTC, datetime

from .plan import DAY, STAGES, Th, World

PAGE = 20  # discussions.services.POSTS_PER_PAGE


def reads(world: World, rng: random.Random) -> list[tuple]:
    """PostRead rows (user id, post id, thread id, read_at), in time order."""
    target = world.sizes.reads_per_post * world.sizes.posts
    scale = _calibrate(world, target)
    guaranteed = defaultdict(list)
    for reader, th, at in world.guaranteed_reads:
        guaranteed[id(th)].append((reader, at))
    rows = []
    for th in world.threads:
        seen: dict[tuple[int, int], float] = {}

        def mark(reader: int, position: int, at: float, seen=seen) -> None:
            """A post read: keep the first time."""
            key = (reader, position)
            if key not in seen or at < seen[key]:
                seen[key] = at

        posts = th.posts
        for position, (at, author, parent) in enumerate(posts):
            mark(author, position, at)
            if parent is not None and posts[parent][1] != author:
                # read just before answering: replies come a minute or more after the
                # replier could first see the thread, so this stays within what they could see
                mark(author, parent, max(posts[parent][0], at - rng.uniform(5, 50)))
        for reader, at in guaranteed.get(id(th), ()):
            mark(reader, 0, at)
        _prefix_readers(world, th, scale, rng, mark)
        ids = th.post_ids
        rows.extend((reader, ids[position], th.id, at) for (reader, position), at in seen.items())
    rows.sort(key=lambda row: row[3])
    return rows


def _expected(length: int) -> float:
    return length if length <= 40 else max(PAGE, 0.29 * length)


def _calibrate(world: World, target: float) -> float:
    """How many readers a thread gets per √(its length), so all reads come to `target`.

    A thread of n posts and p possible readers gives min(p, s·√n)·E(n) reads for scale s:
    sorted by p/√n, the total is linear in s between breakpoints, so solve it exactly."""
    items = []
    for th in world.threads:
        n, people = len(th.posts), len(world.audience(th)[0])
        items.append((people / math.sqrt(n), people * _expected(n), math.sqrt(n) * _expected(n)))
    items.sort()
    capped = 0.0  # reads of the threads whose every possible reader reads
    growing = sum(item[2] for item in items)  # reads per unit of scale of the others
    for ratio, full, per_scale in items:
        if capped + ratio * growing >= target:
            break
        capped += full
        growing -= per_scale
    else:
        return items[-1][0] if items else 0.0
    return (target - capped) / growing if growing else 0.0


def _prefix_readers(world: World, th: Th, scale: float, rng: random.Random, mark) -> None:
    users, access = world.audience(th)
    posts = th.posts
    end = th.cohort.end
    wanted = min(len(users), scale * math.sqrt(len(posts)))
    count = int(wanted) + (rng.random() < wanted - int(wanted))
    for reader in rng.sample(users, count):
        since = access[reader]
        if len(posts) <= 40:
            upto = len(posts)
        else:
            upto = min(len(posts), max(PAGE, int(len(posts) * rng.expovariate(1 / 0.3))))
        for first in range(0, upto, PAGE):
            last = min(upto, first + PAGE)
            earliest = max(posts[last - 1][0], since)
            if earliest >= end:
                break
            at = min(earliest + rng.uniform(0, 1.5) * DAY,
                     earliest + (end - earliest) * rng.random())
            for position in range(first, last):
                mark(reader, position, at)


def activity_log(world: World, read_rows: list[tuple]) -> list[tuple]:
    """Activity rows (created_at, cohort id, user id, e-tivity id, kind, post id, peer id) in
    time order, as progress.services records them: only learners' evidence, only in an
    e-tivity's pieces, reads and replies counting only towards peers who are learners."""
    learners = world.entered
    where = {th.id: th for th in world.threads}
    rows = []
    for th in world.threads:
        if th.etivity is None or th.kind != "piece":
            continue
        co, eid, ids, posts = th.cohort.id, th.etivity.id, th.post_ids, th.posts
        if th.author in learners:
            rows.append((th.opened, co, th.author, eid, "initiate", ids[0], None))
        for position, (at, author, parent) in enumerate(posts):
            if parent is None or author not in learners:
                continue
            peer = posts[parent][1]
            if peer != author and peer in learners:
                rows.append((at, co, author, eid, "interact", ids[position], peer))
    author_of = {}
    for th in world.threads:
        for position, post_id in enumerate(th.post_ids):
            author_of[post_id] = th.posts[position][1]
    for reader, post_id, thread_id, at in read_rows:
        th = where[thread_id]
        if th.etivity is None or th.kind != "piece" or reader not in learners:
            continue
        peer = author_of[post_id]
        if peer != reader and peer in learners:
            rows.append((at, th.cohort.id, reader, th.etivity.id, "observe", post_id, peer))
    rows.sort(key=lambda row: row[0])
    return rows


def completions(world: World, log: list[tuple]) -> list[tuple]:
    """Replay the log: an e-tivity is complete the moment its rule is met (distinct posts
    read, distinct peers replied to, pieces started), with the evidence gathered so far.
    Rows: (completed_at, cohort id, user id, e-tivity id, evidence)."""
    rules = {e.id: e for e in world.course.etivities}
    state: dict[tuple[int, int], list] = {}
    done: set[tuple[int, int]] = set()
    rows = []
    for at, co, user, eid, kind, post_id, peer in log:
        key = (user, eid)
        if key in done:
            continue
        progress = state.get(key)
        if progress is None:
            progress = state[key] = [[], [], [], set()]
        observed, interacted, initiated, peers = progress
        if kind == "observe":
            observed.append(post_id)
        elif kind == "interact":
            interacted.append(post_id)
            peers.add(peer)
        else:
            initiated.append(post_id)
        rule = rules[eid]
        if (len(observed) >= rule.observe and len(peers) >= rule.interact
                and len(initiated) >= rule.initiate):
            done.add(key)
            del state[key]
            evidence = {"rule": {"observe": rule.observe, "interact": rule.interact,
                                 "initiate": rule.initiate},
                        "observe": observed, "interact": interacted, "initiate": initiated}
            rows.append((at, co, user, eid, evidence))
    return rows


def notifications(world: World, done: list[tuple], rng: random.Random) -> list[tuple]:
    """Rows (created_at, user id, cohort id, kind, text, link, read_at) in time order: a reply
    tells the author of the post answered; finishing a stage says the next is open (or when)."""
    names = {u[0]: u[2] for u in world.users}
    now = world.now
    rows = []

    def read_at(at: float) -> float | None:
        later = at + rng.uniform(0.02, 3) * DAY
        return later if later < now and rng.random() < 0.9 else None

    for th in world.threads:
        posts, ids, co = th.posts, th.post_ids, th.cohort
        for position, (at, author, parent) in enumerate(posts):
            if parent is None or posts[parent][1] == author:
                continue
            rows.append((at, posts[parent][1], co.id, "reply",
                         f"{names[author]} replied to your post in “{th.title}”.",
                         f"/cohorts/{co.id}/threads/{th.id}#post-{ids[position]}", read_at(at)))
    cohorts = {co.id: co for co in world.cohorts}
    required = defaultdict(set)
    for e in world.course.etivities:
        if e.required:
            required[e.stage].add(e.id)
    finished = defaultdict(dict)
    for at, co, user, eid, _ in done:
        finished[(co, user)][eid] = at
    for (cid, user), earned in finished.items():
        co = cohorts[cid]
        for number in STAGES[:-1]:
            if not required[number] <= earned.keys():
                break
            at = max(earned[e] for e in required[number])
            title = world.course.stage_titles[number + 1]
            opens = co.releases.get(number + 1)
            if opens is not None and opens > at:
                day = _day(opens)
                text = (f"You have finished stage {number}. Stage {number + 1}, {title}, "
                        f"opens on {day}.")
            else:
                text = f"Stage {number + 1}, {title}, is open for you in {co.name}."
            rows.append((at, user, cid, "stage_opened", text, f"/cohorts/{cid}", read_at(at)))
    rows.sort(key=lambda row: row[0])
    return rows


def _day(at: float) -> str:
    return f"{datetime.fromtimestamp(at, UTC):%d %B %Y}"


def pick_people(world: World, done: list[tuple]) -> tuple[int, int]:
    """The big cohort's learner who got furthest (and reads the long thread), and its lead
    facilitator: whom `bench/run` logs in as."""
    big = world.big
    count = defaultdict(int)
    for _, co, user, _, _ in done:
        if co == big.id:
            count[user] += 1
    learners = sorted(big.learners, key=lambda u: (-count[u], u))
    chosen = next((u for u in learners if u != world.long_thread.author), learners[0])
    return chosen, big.facilitators[0]
