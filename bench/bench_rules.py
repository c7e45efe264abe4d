"""Benchmark and evaluation of the afwegingskader rules (issue 16).

    .venv/bin/python bench/bench_rules.py [n_messages] [--seeds N]

1. Quality: the generated minister's year (tests/generators/minister_year.py), written as WhatsApp
   exports with its contacts CSV and vCard, parsed and labelled by the rules alone; precision and
   recall per label for conversations, for every message (a message's label is its own where the
   rules list it, else its conversation's), and for the private messages inside business chats;
   for seed 16 (the test's) and summed over seeds 1..N (default 30).
2. Speed: the year's conversations as `ConversationFacts`, repeated until `n_messages` (default
   1,000,000), classified with `classify_conversation` (contacts matched, every message scanned);
   best of 3, wall clock.
3. The suggestion model: training on the year's messages as decisions, and suggestions per second.

Prints the input, the machine (platform, CPUs, load average) and the figures.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.generators.minister_year import SELF, Evaluation, evaluate, minister_year  # noqa: E402

from chatarchief.core.contacts import read_contacts  # noqa: E402
from chatarchief.core.formats import whatsapp  # noqa: E402
from chatarchief.core.model import ParseOptions  # noqa: E402
from chatarchief.core.rules.adapt import facts_from_conversation  # noqa: E402
from chatarchief.core.rules.contact_book import ContactBook  # noqa: E402
from chatarchief.core.rules.engine import classify_conversation  # noqa: E402
from chatarchief.core.rules.labels import ConversationFacts, Label  # noqa: E402
from chatarchief.core.rules.ruleset import default_rules  # noqa: E402
from chatarchief.core.rules.suggest import Decision, train_suggestions  # noqa: E402


def _table(title: str, scores: dict[Label, tuple[float, float, int]]) -> None:
    print(f"\n{title}")
    print("| label | precision | recall | support |")
    print("|---|---|---|---|")
    for label, (precision, recall, support) in scores.items():
        print(f"| {label} | {precision:.5f} | {recall:.5f} | {support} |")


def _special_pairs(result: Evaluation) -> tuple[int, int, int]:
    """(found, missed, falsely flagged) private messages inside business chats."""
    found = sum(1 for label in result.found_special.values() if label is Label.PRIVATE)
    return found, len(result.found_special) - found, len(result.false_special)


def quality(seeds: int) -> None:
    conversations: list[tuple[Label, Label]] = []
    messages: list[tuple[Label, Label]] = []
    found = missed = false = 0
    for seed in [16, *range(1, seeds + 1)]:
        with tempfile.TemporaryDirectory() as folder:
            result = evaluate(minister_year(seed), folder)
        pairs = list(result.conversations.values())
        special = _special_pairs(result)
        if seed == 16 and not conversations:
            print(f"\n## Seed 16 (the acceptance test's year): {len(result.messages)} messages, {len(pairs)} chats")
            _table("Conversations", result.scores(pairs))
            _table("Messages", result.scores(result.messages))
            print(
                f"\nPrivate messages inside business chats: {special[0]} found, {special[1]} missed, {special[2]} flagged wrongly"
            )
            print(f"\n## Seeds 1..{seeds} together")
            continue
        conversations += pairs
        messages += result.messages
        found, missed, false = found + special[0], missed + special[1], false + special[2]
    _table(f"Conversations ({len(conversations)})", result.scores(conversations))
    _table(f"Messages ({len(messages)})", result.scores(messages))
    recall = found / (found + missed) if found + missed else 1.0
    precision = found / (found + false) if found + false else 1.0
    print(
        f"\nPrivate messages inside business chats: {found} found, {missed} missed, {false} flagged wrongly "
        f"(precision {precision:.3f}, recall {recall:.3f})"
    )


def _year_facts() -> tuple[list[ConversationFacts], ContactBook]:
    with tempfile.TemporaryDirectory() as folder:
        year = minister_year(16)
        paths = year.write(folder)
        book = ContactBook(read_contacts(Path(folder) / "contacts.csv") + read_contacts(Path(folder) / "contacts.vcf"))
        facts = [
            facts_from_conversation(whatsapp.parse(str(path), ParseOptions()).conversations[0], self_names=[SELF])
            for path in paths
        ]
    return facts, book


def speed(n_messages: int) -> None:
    facts, book = _year_facts()
    corpus: list[ConversationFacts] = []
    total = 0
    while total < n_messages:
        for item in facts:
            take = list(item.messages)[: n_messages - total]
            copy = ConversationFacts(item.title, item.is_group, item.channel, item.participants, take, id=len(corpus))
            corpus.append(copy)
            total += len(take)
            if total >= n_messages:
                break
    rules = default_rules()
    best, best_cpu = float("inf"), float("inf")
    flagged = 0
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        labels = [classify_conversation(item, book, rules) for item in corpus]
        best, best_cpu = min(best, time.perf_counter() - started), min(best_cpu, time.process_time() - cpu)
        flagged = sum(len(label.messages) for label in labels)
    print(f"\n## Speed: {total:,} messages in {len(corpus):,} conversations")
    print(
        f"classify_conversation, best of 3: {best:.2f} s wall = {total / best:,.0f} messages/s; "
        f"{best_cpu:.2f} s CPU = {total / best_cpu:,.0f} messages/s ({flagged} messages flagged)"
    )
    texts = [m.text for item in facts for m in item.messages if m.text]
    cpu = time.process_time()
    for _ in range(10):
        for text in texts:
            rules.message_hit(text)
    scan = time.process_time() - cpu
    print(f"message_hit alone: {10 * len(texts) / scan:,.0f} texts/s (CPU time)")


def model() -> None:
    facts, book = _year_facts()
    decisions: list[Decision] = []
    for item in facts:
        label = classify_conversation(item, book)
        differing = {m.message_id: m.label for m in label.messages}
        decisions += [Decision(m.text, differing.get(m.id, label.label)) for m in item.messages if m.text]
    started = time.perf_counter()
    trained = train_suggestions(decisions)
    train = time.perf_counter() - started
    texts = [d.text for d in decisions[:500]]
    started = time.process_time()
    for text in texts:
        trained.suggest(text)
    one_by_one = len(texts) / (time.process_time() - started)
    texts = [d.text for d in decisions]
    started = time.process_time()
    trained.suggest_many(texts)
    batched = len(texts) / (time.process_time() - started)
    size = len(trained.to_bytes())
    print(f"\n## Suggestion model: {len(decisions):,} decisions {trained.counts}")
    print(
        f"train {train:.2f} s wall; suggestions with terms (CPU time): {one_by_one:,.0f}/s one at a time, "
        f"{batched:,.0f}/s with suggest_many; stored {size / 1024:.0f} KiB"
    )


def _messages(argv: list[str]) -> tuple[int, int]:
    n, seeds = 1_000_000, 30
    if "--seeds" in argv:
        seeds = int(argv[argv.index("--seeds") + 1])
        argv = argv[: argv.index("--seeds")] + argv[argv.index("--seeds") + 2 :]
    if argv:
        n = int(argv[0])
    return n, seeds


def main() -> None:
    n, seeds = _messages(sys.argv[1:])
    print("# bench_rules")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    quality(seeds)
    speed(n)
    model()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
