"""Furniture benchmark: crawl the furniture web built from the extraction-dev texts, count what leaks, by form.

The web (furniture_web) has three sites with their own wording
for each form of furniture (a sentence appended to a paragraph, a line in a
container of its own, rotating calls to action, photo captions and credits)
and a fourth that reposts their stories carrying their furniture ("carried");
its stories hold the text that recurs but must stay (contributor lines,
correction notes, shared subheads, datelines, repeated quotes, captions
repeating a body sentence). Ours is ``newsarchive crawl`` on loopback; the
reference is plain ``trafilatura.extract`` on the same pages, in the same run.

    python bench/furniture.py [--data ../shared/data/extraction-dev] [--per-site 24] [--other-wording]

``--other-wording`` gives every site furniture in words written after the
method was built and never tuned on (the layouts stay): a check of fitting.

Prints, per form, the share of archived articles holding furniture of that
form; per kind, the share that lost text that must stay; and text F1 against
the true text (the extraction benchmark's 4-token shingles, and bag of tokens).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the test web's furniture sites (tests/furniture_web.py)

import end_to_end  # noqa: E402  (bench/end_to_end.py: the same texts)
from end_to_end import token_f1  # noqa: E402
from extraction import aggregate, default_data, page_score  # noqa: E402  (bench/extraction.py: the same metric)

from crawler.demo.newsweb import NewsWeb, Story, themes  # noqa: E402
from furniture_themes import FORMS, FURNITURE_THEMES, Wording  # noqa: E402
from furniture_web import STAYS, FurnitureWeb, build_furniture_web  # noqa: E402
from storage import archive_url  # noqa: E402
from storage.schema import sightings, stories  # noqa: E402

#: Furniture in other words than the themes': written once, after the method, and never tuned on.
OTHER_WORDING = {
    "courier": Wording(
        appended=(
            "Stay informed: turn on notifications for the Lakeshore Courier.",
            "Read the Courier ad-free with a digital pass.",
            "Join the conversation on our community forum.",
        ),
        container=("Breaking news, straight to you. Download our free app",),
        rotating=(
            "Your support keeps the Courier's reporters on the street.",
            "Love local news? Give a Courier gift subscription.",
            "The Courier newsletter: five stories, every weekday morning.",
        ),
        credits=("(Photo : AFP)", "(Photo : Courier file)"),
        menu=("sports", "letters"),
    ),
    "harbor": Wording(
        appended=("Found this useful? Share it with a friend.", "Report an error in this story to our standards desk."),
        container=(
            "Harbor Ledger journalism is funded by readers like you. Chip in today.",
            "Hear this story read aloud in our audio edition.",
        ),
        rotating=(
            "Members get early access to our investigations.",
            "Unlimited Ledger access starts at $1 for the first month.",
        ),
        credits=("Photo: Reuters/Alex Kim", "Photograph: AFP via Getty Images", "Photo: courtesy of the family"),
        menu=("port", "courts"),
    ),
    "valley": Wording(
        appended=(
            "Catch up on all of today's headlines at the Valley Post homepage.",
            "Comments are moderated by the Valley Post community team.",
            "Share your own valley story with us.",
        ),
        container=("Get Valley Post headlines every morning. It's free.", "Article continues after this message."),
        rotating=(
            "Thank you for reading the Valley Post. Please consider a donation.",
            "Valley Post is hiring reporters. See our jobs page.",
            "Quiz: how well do you know the valley?",
        ),
        credits=("Image via AP", "Image via county records"),
        menu=("ranch", "roads"),
    ),
    "desk": Wording(
        appended=(
            "This article is provided by the Metro Desk cooperative.",
            "Republication requires a Metro Desk license.",
        ),
        container=("The Metro Desk is a nonprofit news service.",),
        rotating=(
            "Newsrooms: subscribe to the Metro Desk daily budget.",
            "Metro Desk photos are available for licensing.",
        ),
        credits=("Picture: Metro Desk/Lee Chan", "(Photo : Metro Desk)"),
        menu=("wire",),
    ),
}


def use_other_wording() -> None:
    """Give the furniture themes the other wording, for this process (which renders the pages)."""
    for name, wording in OTHER_WORDING.items():
        theme = dataclasses.replace(FURNITURE_THEMES[name], wording=wording)
        FURNITURE_THEMES[name] = themes.THEMES[name] = theme


def load_stories(data: Path) -> list[Story]:
    """Return the seed story and the extraction-dev texts the end-to-end bench uses."""
    seed = Story.from_dict(json.loads((ROOT / "tests" / "data" / "seed.json").read_text("utf-8")))
    return [seed, *end_to_end.load_stories(data)]


def crawl(server: NewsWeb, db: Path) -> float:
    cmd = [
        str(Path(sys.executable).parent / "newsarchive"),
        "crawl",
        *[server.url(n) for n in server.sites],
        "--db",
        str(db),
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    ]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"crawl failed:\n{result.stderr}")
    return time.perf_counter() - start


def archived_texts(db: Path) -> dict[str, str]:
    """Return every archived text by URL: the stories' and their kept copies'."""
    engine = sa.create_engine(archive_url(str(db)))
    with engine.connect() as conn:
        texts = dict(conn.execute(sa.select(stories.c.url, stories.c.text)).all())
        texts |= dict(
            conn.execute(sa.select(sightings.c.url, sightings.c.text).where(sightings.c.text.is_not(None))).all()
        )
    engine.dispose()
    return texts


def report(web: FurnitureWeb, texts: dict[str, str]) -> dict[str, float]:
    """Return the measures of one extractor's texts: leak and loss shares, F1s."""
    pages = web.by_url()
    audit = web.audit(texts)
    found = [url for url in pages if url in texts]
    out: dict[str, float] = {"pages": len(found) / len(pages)}
    for form in (*FORMS, "carried"):
        having = [u for u in found if pages[u].furniture.get(form)]
        out[f"leak {form}"] = len(set(audit["leaked"].get(form, [])) & set(having)) / len(having)
    out["leak any"] = len({u for urls in audit["leaked"].values() for u in urls}) / len(found)
    for kind in STAYS:
        having = [u for u in found if pages[u].stays.get(kind)]
        out[f"lost {kind}"] = len(set(audit["lost"].get(kind, [])) & set(having)) / len(having)
    out["lost body line"] = len(audit["lost"].get("body", [])) / len(found)
    truth = {u: "\n".join(pages[u].truth) for u in found}
    precision, recall, f1 = aggregate([page_score(texts[u], truth[u]) for u in found])
    out["shingle F1"], out["shingle precision"], out["shingle recall"] = f1, precision, recall
    out["token F1"] = sum(token_f1(texts[u], truth[u]) for u in found) / len(found)
    seed = [u for u in found if pages[u].story.slug.startswith("us-open-to-talks")]
    out["seed pages clean"] = sum(not pages[u].leaked(texts[u]) and not pages[u].lost(texts[u]) for u in seed) / max(
        1, len(seed)
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--per-site", type=int, default=24, help="stories per original site")
    parser.add_argument("--other-wording", action="store_true", help="furniture in words never tuned on")
    args = parser.parse_args()
    if args.other_wording:
        use_other_wording()

    web = build_furniture_web(load_stories(args.data), per_site=args.per_site)
    with NewsWeb(web.sites) as server, tempfile.TemporaryDirectory() as tmp:
        elapsed = crawl(server, Path(tmp) / "bench.db")
        ours = archived_texts(Path(tmp) / "bench.db")
        pages = web.by_url()
        rendered = {site.name: site.render() for site in web.sites}
    start = time.perf_counter()
    plain = {
        url: trafilatura.extract(rendered[p.site.name][p.site.article_path(p.story)][2].decode("utf-8")) or ""
        for url, p in pages.items()
    }
    plain_s = time.perf_counter() - start
    weight = sum(len(rendered[p.site.name][p.site.article_path(p.story)][2]) for p in pages.values()) / len(pages)

    print(
        f"furniture web: {len(web.sites)} sites, {len(pages)} article pages ({weight / 1000:.0f} KB each on average), "
        f"crawled in {elapsed:.1f} s; plain trafilatura {plain_s:.1f} s\n"
    )
    mine, theirs = report(web, ours), report(web, plain)
    print(f"{'':34}{'ours (newsarchive crawl)':>26}{'plain trafilatura':>22}")
    for key in mine:
        print(f"{key:34}{mine[key]:>26.4f}{theirs[key]:>22.4f}")
    print(
        "\nleak <form>: share of the archived articles carrying that form whose text still holds it;"
        " lost <kind>: share of those with that kind of text that lost it."
    )


if __name__ == "__main__":
    main()
