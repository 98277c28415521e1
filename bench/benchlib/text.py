"""Post bodies: a few hundred made once from sentences about online learning, with some
Markdown (bold, lists, quotes, links) so rendering costs what real posts cost. Opening
posts run longer than replies; lengths vary from a line to several paragraphs."""

import random

SENTENCES = (
    "I work in a small team and most of our meetings moved online last year.",
    "What struck me most was how quiet the first week felt compared with a classroom.",
    "I tried the approach from the reading with my own group and it mostly worked.",
    "Our organisation still decides most things by email, which slows everything down.",
    "Reading the other pieces first helped me see what I had missed in mine.",
    "I think the hardest part is keeping people talking once the novelty wears off.",
    "We used a shared document for the rough guide and it grew faster than expected.",
    "Has anyone found a way to get quieter members to post without putting them on the spot?",
    "The summary at the top of the thread was a good way to catch up after a few days away.",
    "I agree with the point about timing: replies within a day keep a thread alive.",
    "My example comes from a consultation we ran on local bus routes.",
    "Honestly I was sceptical about the five stages, but stage two changed my mind.",
    "It would help to see how other teams split the facilitator role between them.",
    "The phrase about weaving threads together is one I will steal for my own course.",
    "I have about forty minutes a day for this, usually early in the morning.",
    "Could someone explain what counts as a reply to a peer for the completion rule?",
    "I liked the idea of a welcome message that asks a question rather than stating rules.",
    "We tried a rota for summarising and it made the discussion much easier to follow.",
    "The tools tour showed me three features I never noticed in our own platform.",
    "Looking back, the turning point was when people started answering each other.",
)
EXTRAS = (
    "**Key point:** short, frequent posts beat long, rare ones.",
    "> The e-moderator's job is to make others' contributions visible.",
    "- what worked: clear deadlines\n- what did not: too many channels\n- next: a weekly summary",
    "More in [the guide](https://example.org/guide) if anyone wants it.",
    "1. read first\n2. reply to two people\n3. then start your own piece",
    "*Thanks* to everyone who replied to my last post.",
)


def bodies(seed: int, count: int = 400) -> tuple[list[str], list[str]]:
    """(opening posts, replies): two pools of texts to cycle through."""
    rng = random.Random(seed)

    def paragraph(sentences: int) -> str:
        return " ".join(rng.choice(SENTENCES) for _ in range(sentences))

    openings, replies = [], []
    for _ in range(count):
        parts = [paragraph(rng.randint(2, 4)) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            parts.insert(rng.randint(0, len(parts)), rng.choice(EXTRAS))
        openings.append("\n\n".join(parts))
        parts = [paragraph(rng.randint(1, 3)) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        if rng.random() < 0.25:
            parts.append(rng.choice(EXTRAS))
        replies.append("\n\n".join(parts))
    return openings, replies
