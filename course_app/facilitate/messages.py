"""Message templates a facilitator starts a nudge or welcome from. `{name}` becomes the
learner's name, `{cohort}` the cohort's name."""

TEMPLATES: tuple[tuple[str, str], ...] = (
    ("A gentle hello",
     "Hi {name}, I noticed it has been a little quiet from you in {cohort}. No pressure at all: "
     "if something is getting in the way, tell me and we'll find a way round it."),
    ("From reading to replying",
     "Hi {name}, thank you for reading so much of what others have shared. You clearly have a "
     "feel for the conversation now. Could you reply to one post that made you think? "
     "A couple of sentences is plenty."),
    ("Stuck in a stage",
     "Hi {name}, you've been in this stage a while. Is anything unclear about what the "
     "e-tivities ask? Reply here or post in the help conversation and I'll help you over the "
     "step."),
    ("Start your own conversation",
     "Hi {name}, your replies have been really useful to others. You're ready to start a "
     "conversation of your own: pick one of the e-tivity's templates and give it a go."),
    ("Welcome",
     "Welcome to {cohort}, {name}! Start with the first e-tivity on your course map, and ask "
     "anything in the help conversation. I read it every day."),
)


def fill(template: str, name: str, cohort: str) -> str:
    return template.replace("{name}", name).replace("{cohort}", cohort)
