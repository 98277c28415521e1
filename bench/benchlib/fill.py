"""The rest of the post budget: the long threads, then replies spread over every thread with
a heavy tail (most pieces get a few replies, some hundreds), by people who could see the
thread at the time. Then posts get their parents and ids in time order, as the app would
have numbered them."""

import random

from .plan import Th, World


def fill(world: World, rng: random.Random) -> None:
    sizes = world.sizes
    big = world.big
    stage1 = [e for e in world.course.in_stage(1) if e.required and e.initiate]
    target = max(stage1, key=lambda e: (e.interact, -e.id))  # introduce-yourself
    pieces = sorted(big.openers.get(target.id, {}).values(), key=lambda th: th.opened)
    if not pieces:
        raise ValueError("nobody in the big cohort started a piece: raise --posts")
    world.long_thread = pieces[0]
    world.mid_threads = _mid_threads(world, sizes.mid_threads, rng)
    extra: dict[int, int] = {
        id(world.long_thread): sizes.long_thread - len(world.long_thread.posts)}
    for th in world.mid_threads:
        extra[id(th)] = max(sizes.mid_thread_length - len(th.posts), 0)
    spare = sizes.posts - sum(len(th.posts) for th in world.threads) - sum(extra.values())
    if spare < 0:
        raise ValueError(f"{sizes.posts} posts are too few for {sizes.learners} learners: "
                         "raise --posts or lower --learners")
    _spread(world, extra, spare, rng)
    pools: dict[tuple, tuple] = {}
    for th in world.threads:
        n = extra.get(id(th), 0)
        if n:
            _replies(world, th, n, pools, rng)
    _number(world, rng)


def _mid_threads(world: World, count: int, rng: random.Random) -> list[Th]:
    """The big cohort's help thread, then other cohorts' help threads and early pieces."""
    chosen = [world.big.help]
    others = [co for co in world.cohorts if co is not world.big] or [world.big]
    rng.shuffle(others)
    for i in range(count - 1):
        co = others[i % len(others)]
        if i % 2 == 0 and co.help not in chosen:
            chosen.append(co.help)
            continue
        early = [th for th in co.threads if th.etivity is not None and th.etivity.stage <= 2
                 and th.kind == "piece" and th not in chosen and th is not world.long_thread
                 and th.author in world.entered]
        if early:
            chosen.append(rng.choice(early))
    return chosen[:count]


def _spread(world: World, extra: dict[int, int], spare: int, rng: random.Random) -> None:
    """Share `spare` replies among the ordinary threads, heavy-tailed, none reaching the
    length of the long threads."""
    cap_length = world.sizes.mid_thread_length - 1
    threads = [th for th in world.threads if id(th) not in extra]
    if not threads:
        return
    weights = [min(rng.paretovariate(1.3), 400.0) * (60 if th.kind == "help" else 1)
               for th in threads]
    total = sum(weights)
    room = [max(cap_length - len(th.posts), 0) for th in threads]
    given = [min(int(spare * w / total), r) for w, r in zip(weights, room, strict=True)]
    left = spare - sum(given)
    while left > 0:
        open_ = [i for i, r in enumerate(room) if given[i] < r]
        if not open_:
            raise ValueError("too many posts for the threads there are: raise --learners")
        for i in rng.choices(open_, weights=[weights[i] for i in open_], k=min(left, 100_000)):
            if left and given[i] < room[i]:
                given[i] += 1
                left -= 1
    for th, n in zip(threads, given, strict=True):
        extra[id(th)] = n


def _pool(world: World, th: Th, pools: dict, rng: random.Random) -> tuple:
    """Who may reply in `th` (and from when), with how talkative each is: learners vary a
    lot; facilitators write a twentieth of a piece's replies and a third of the help thread's."""
    co = th.cohort
    key = (co.id, th.etivity.id if th.etivity else None)
    if key not in pools:
        users, access = world.audience(th)
        facilitators = set(co.facilitators)
        weights = [0.0 if u in facilitators else min(rng.paretovariate(1.5), 30.0) for u in users]
        share = (0.35 if th.kind == "help" else 0.05) * (sum(weights) or 1.0)
        weights = [share / len(facilitators) if u in facilitators else w
                   for u, w in zip(users, weights, strict=True)]
        cumulative, running = [], 0.0
        for w in weights:
            running += w
            cumulative.append(running)
        pools[key] = (users, access, cumulative)
    return pools[key]


def _replies(world: World, th: Th, n: int, pools: dict, rng: random.Random) -> None:
    users, access, cumulative = _pool(world, th, pools, rng)
    end = th.cohort.end
    for author in rng.choices(users, cum_weights=cumulative, k=n):
        low = max(th.opened, access[author]) + 60
        if low >= end:
            at = (max(th.opened, access[author]) + end) / 2
        else:  # most replies come soon after someone can see the thread
            at = low + (end - low) * rng.random() ** 2
        th.posts.append([at, author, -1])


def _number(world: World, rng: random.Random) -> None:
    """Threads and posts get ids in time order; replies get a parent among earlier posts:
    the opening post, the one just before, or any earlier one."""
    world.threads.sort(key=lambda th: th.opened)
    everything = []
    for index, th in enumerate(world.threads):
        th.id = index + 1
        th.posts.sort(key=lambda p: p[0])
        for position, post in enumerate(th.posts):
            if post[2] == -1:
                roll = rng.random()
                post[2] = (0 if roll < 0.4 else position - 1 if roll < 0.75
                           else rng.randrange(position))
            everything.append((post[0], index, position))
        th.post_ids = [0] * len(th.posts)
    everything.sort()
    for post_id, (_, index, position) in enumerate(everything, start=1):
        world.threads[index].post_ids[position] = post_id
    world.post_order = [(index, position) for _, index, position in everything]
